/**
 * A very small x86-64 assembler and static ELF writer: just the instructions the native
 * launchers (`landlock-native.ts`, `group-native.ts`) are written in, with labels resolved in one pass at
 * the end. Every operand is a 64-bit register, a 32-bit immediate, or memory addressed as
 * `[base + disp32]`; there is no instruction selection and no optimisation, so each method
 * emits exactly the encoding its comment names (Intel SDM, volume 2) and the unit tests pin
 * those bytes.
 */

/** General-purpose registers, numbered as the encoding numbers them. */
export const Reg = {
  rax: 0,
  rcx: 1,
  rdx: 2,
  rbx: 3,
  rsp: 4,
  rbp: 5,
  rsi: 6,
  rdi: 7,
  r8: 8,
  r9: 9,
  r10: 10,
  r11: 11,
  r12: 12,
  r13: 13,
  r14: 14,
  r15: 15,
} as const;
/** A register number (0–15). */
export type Reg = (typeof Reg)[keyof typeof Reg];

/** Condition codes of `Jcc` (the low nibble of `0F 8x`). */
export const Cond = {
  /** unsigned below */
  b: 0x2,
  /** unsigned above or equal */
  ae: 0x3,
  e: 0x4,
  ne: 0x5,
  /** unsigned above */
  a: 0x7,
  /** sign set (negative) */
  s: 0x8,
  /** sign clear (not negative) */
  ns: 0x9,
  /** signed less */
  l: 0xc,
  /** signed greater or equal */
  ge: 0xd,
} as const;
/** A condition code. */
export type Cond = (typeof Cond)[keyof typeof Cond];

const INT32_MIN = -0x8000_0000;
const INT32_MAX = 0x7fff_ffff;

function checkImm32(value: number): number {
  if (!Number.isInteger(value) || value < INT32_MIN || value > INT32_MAX) {
    throw new RangeError(`immediate ${value} does not fit in a signed 32-bit field`);
  }
  return value;
}

/** A code buffer with labels; `assemble()` patches every reference and returns the bytes. */
export class Assembler {
  readonly #bytes: number[] = [];
  readonly #labels = new Map<string, number>();
  /** `rel32` fields to patch: where the field is, which label, and the offset it is relative to. */
  readonly #fixups: Array<{ at: number; label: string; from: number }> = [];

  /** Current offset from the start of the code. */
  get size(): number {
    return this.#bytes.length;
  }

  /** Defines `name` at the current offset. */
  label(name: string): this {
    if (this.#labels.has(name)) throw new Error(`label "${name}" is defined twice`);
    this.#labels.set(name, this.#bytes.length);
    return this;
  }

  /** Raw bytes (strings and other data). */
  bytes(data: ArrayLike<number>): this {
    for (let i = 0; i < data.length; i++) this.#byte(data[i]!);
    return this;
  }

  /** `MOV r64, r/m64` register form: `REX.W 89 /r` (dst ← src). */
  mov(dst: Reg, src: Reg): this {
    return this.#rex(true, src, dst).#byte(0x89).#modrmReg(src, dst);
  }

  /** `MOV r/m64, imm32` (sign-extended): `REX.W C7 /0 id`. */
  movImm(dst: Reg, value: number): this {
    return this.#rex(true, 0, dst).#byte(0xc7).#modrmReg(0, dst).#imm32(value);
  }

  /** `MOV r64, [base + disp]`: `REX.W 8B /r`. */
  load(dst: Reg, base: Reg, disp = 0): this {
    return this.#rex(true, dst, base).#byte(0x8b).#mem(dst, base, disp);
  }

  /** `MOV [base + disp], r64`: `REX.W 89 /r`. */
  store(base: Reg, disp: number, src: Reg): this {
    return this.#rex(true, src, base).#byte(0x89).#mem(src, base, disp);
  }

  /** `MOV [base + disp], r32` (low 32 bits of `src`): `89 /r`. */
  store32(base: Reg, disp: number, src: Reg): this {
    return this.#rex(false, src, base).#byte(0x89).#mem(src, base, disp);
  }

  /**
   * `MOV [base + disp], r8` (low byte of `src`): `88 /r`, with a REX prefix always present so
   * that registers 4–7 mean spl/bpl/sil/dil, never ah/ch/dh/bh.
   */
  store8(base: Reg, disp: number, src: Reg): this {
    return this.#rex(false, src, base, true).#byte(0x88).#mem(src, base, disp);
  }

  /** `MOVZX r32, byte [base + disp]` (zero-extends into the full register): `0F B6 /r`. */
  loadByte(dst: Reg, base: Reg, disp = 0): this {
    return this.#rex(false, dst, base).#byte(0x0f).#byte(0xb6).#mem(dst, base, disp);
  }

  /** `LEA r64, [base + disp]`: `REX.W 8D /r`. */
  lea(dst: Reg, base: Reg, disp: number): this {
    return this.#rex(true, dst, base).#byte(0x8d).#mem(dst, base, disp);
  }

  /** `LEA r64, [rip + label]`: `REX.W 8D /r`, ModRM mod=00 rm=101. */
  leaLabel(dst: Reg, label: string): this {
    this.#rex(true, dst, 0)
      .#byte(0x8d)
      .#byte(((dst & 7) << 3) | 0b101);
    return this.#rel32(label);
  }

  /** `ADD r/m64, imm32`: `REX.W 81 /0 id`. */
  addImm(dst: Reg, value: number): this {
    return this.#group1(0, dst, value);
  }

  /** `SUB r/m64, imm32`: `REX.W 81 /5 id`. */
  subImm(dst: Reg, value: number): this {
    return this.#group1(5, dst, value);
  }

  /** `CMP r/m64, imm32`: `REX.W 81 /7 id` (flags of `a - value`). */
  cmpImm(a: Reg, value: number): this {
    return this.#group1(7, a, value);
  }

  /** `ADD r/m64, r64`: `REX.W 01 /r` (dst ← dst + src). */
  add(dst: Reg, src: Reg): this {
    return this.#rex(true, src, dst).#byte(0x01).#modrmReg(src, dst);
  }

  /** `CMP r/m64, r64`: `REX.W 39 /r` (flags of `a - b`). */
  cmp(a: Reg, b: Reg): this {
    return this.#rex(true, b, a).#byte(0x39).#modrmReg(b, a);
  }

  /** `TEST r/m64, r64`: `REX.W 85 /r`. */
  test(a: Reg, b: Reg): this {
    return this.#rex(true, b, a).#byte(0x85).#modrmReg(b, a);
  }

  /** `IMUL r64, r/m64, imm32`: `REX.W 69 /r id` (dst ← src × value). */
  imulImm(dst: Reg, src: Reg, value: number): this {
    return this.#rex(true, dst, src).#byte(0x69).#modrmReg(dst, src).#imm32(value);
  }

  /** `SHL r/m64, imm8`: `REX.W C1 /4 ib`. */
  shlImm(dst: Reg, count: number): this {
    if (!Number.isInteger(count) || count < 0 || count > 63) throw new RangeError(`shift ${count}`);
    return this.#rex(true, 0, dst).#byte(0xc1).#modrmReg(4, dst).#byte(count);
  }

  /** `NEG r/m64`: `REX.W F7 /3`. */
  neg(dst: Reg): this {
    return this.#rex(true, 0, dst).#byte(0xf7).#modrmReg(3, dst);
  }

  /** `DIV r/m64` (unsigned rdx:rax ÷ divisor → rax, remainder rdx): `REX.W F7 /6`. */
  div(divisor: Reg): this {
    return this.#rex(true, 0, divisor).#byte(0xf7).#modrmReg(6, divisor);
  }

  /** `SYSCALL`: `0F 05` (number in rax; arguments rdi, rsi, rdx, r10, r8, r9; clobbers rcx, r11). */
  syscall(): this {
    return this.#byte(0x0f).#byte(0x05);
  }

  /** `JMP rel32`: `E9 cd`. */
  jmp(label: string): this {
    return this.#byte(0xe9).#rel32(label);
  }

  /** `Jcc rel32`: `0F 8x cd`. */
  jcc(cond: Cond, label: string): this {
    return this.#byte(0x0f)
      .#byte(0x80 | cond)
      .#rel32(label);
  }

  /** `CALL rel32`: `E8 cd`. */
  call(label: string): this {
    return this.#byte(0xe8).#rel32(label);
  }

  /** `RET`: `C3`. */
  ret(): this {
    return this.#byte(0xc3);
  }

  /** The code with every label reference patched. Throws on an undefined label. */
  assemble(): Uint8Array {
    const out = Uint8Array.from(this.#bytes);
    const view = new DataView(out.buffer);
    for (const { at, label, from } of this.#fixups) {
      const target = this.#labels.get(label);
      if (target === undefined) throw new Error(`label "${label}" is never defined`);
      view.setInt32(at, target - from, true);
    }
    return out;
  }

  /** Offset of a defined label. */
  offsetOf(label: string): number {
    const at = this.#labels.get(label);
    if (at === undefined) throw new Error(`label "${label}" is never defined`);
    return at;
  }

  #byte(value: number): this {
    this.#bytes.push(value & 0xff);
    return this;
  }

  #imm32(value: number): this {
    const v = checkImm32(value);
    for (let i = 0; i < 4; i++) this.#byte(v >> (8 * i));
    return this;
  }

  /** A rel32 field for `label`, relative to the end of the field (the next instruction). */
  #rel32(label: string): this {
    const at = this.#bytes.length;
    this.#fixups.push({ at, label, from: at + 4 });
    return this.#imm32(0);
  }

  /** REX prefix: W (64-bit operand), R (extends ModRM.reg), B (extends ModRM.rm / base). */
  #rex(wide: boolean, reg: number, rm: number, always = false): this {
    const rex = 0x40 | (wide ? 8 : 0) | ((reg >> 3) << 2) | (rm >> 3);
    if (rex !== 0x40 || always) this.#byte(rex);
    return this;
  }

  /** ModRM with mod=11: register `reg` (or an opcode extension) and register `rm`. */
  #modrmReg(reg: number, rm: number): this {
    return this.#byte(0xc0 | ((reg & 7) << 3) | (rm & 7));
  }

  /**
   * ModRM for `[base + disp32]` (mod=10): a SIB byte is required when the base is rsp or r12
   * (rm=100 means "SIB follows"); rbp and r13 need no special case with a displacement.
   */
  #mem(reg: number, base: number, disp: number): this {
    this.#byte(0x80 | ((reg & 7) << 3) | (base & 7));
    if ((base & 7) === 4) this.#byte(0x24);
    return this.#imm32(disp);
  }

  #group1(ext: number, dst: Reg, value: number): this {
    return this.#rex(true, 0, dst).#byte(0x81).#modrmReg(ext, dst).#imm32(value);
  }
}

/** Where the single segment is mapped (the customary base of non-PIE x86-64 executables). */
export const ELF_BASE = 0x40_0000;
const ELF_HEADER_SIZE = 64;
const PROGRAM_HEADER_SIZE = 56;
const PROGRAM_HEADERS = 2;
/** Offset of the code in the file (and of the entry point from `ELF_BASE`). */
export const ELF_CODE_OFFSET = ELF_HEADER_SIZE + PROGRAM_HEADER_SIZE * PROGRAM_HEADERS;

/**
 * A static, non-PIE x86-64 ELF executable: one read+execute `PT_LOAD` segment mapping the
 * whole file at `ELF_BASE` (headers, then `code`), entry at `entry` bytes into the code, and a
 * `PT_GNU_STACK` header asking for a non-executable stack. No sections: the kernel loads
 * segments only.
 */
export function staticElf(code: Uint8Array, entry = 0): Uint8Array {
  const size = ELF_CODE_OFFSET + code.length;
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, 2 /* 64-bit */, 1 /* little endian */, 1 /* version */], 0);
  v.setUint16(16, 2, true); // e_type: ET_EXEC
  v.setUint16(18, 0x3e, true); // e_machine: EM_X86_64
  v.setUint32(20, 1, true); // e_version
  v.setBigUint64(24, BigInt(ELF_BASE + ELF_CODE_OFFSET + entry), true); // e_entry
  v.setBigUint64(32, BigInt(ELF_HEADER_SIZE), true); // e_phoff
  v.setBigUint64(40, 0n, true); // e_shoff: no sections
  v.setUint32(48, 0, true); // e_flags
  v.setUint16(52, ELF_HEADER_SIZE, true); // e_ehsize
  v.setUint16(54, PROGRAM_HEADER_SIZE, true); // e_phentsize
  v.setUint16(56, PROGRAM_HEADERS, true); // e_phnum
  v.setUint16(58, 0, true); // e_shentsize
  v.setUint16(60, 0, true); // e_shnum
  v.setUint16(62, 0, true); // e_shstrndx

  let ph = ELF_HEADER_SIZE;
  v.setUint32(ph, 1, true); // p_type: PT_LOAD
  v.setUint32(ph + 4, 0b101, true); // p_flags: R + X
  v.setBigUint64(ph + 8, 0n, true); // p_offset
  v.setBigUint64(ph + 16, BigInt(ELF_BASE), true); // p_vaddr
  v.setBigUint64(ph + 24, BigInt(ELF_BASE), true); // p_paddr
  v.setBigUint64(ph + 32, BigInt(size), true); // p_filesz
  v.setBigUint64(ph + 40, BigInt(size), true); // p_memsz
  v.setBigUint64(ph + 48, 0x1000n, true); // p_align

  ph += PROGRAM_HEADER_SIZE;
  v.setUint32(ph, 0x6474_e551, true); // p_type: PT_GNU_STACK
  v.setUint32(ph + 4, 0b110, true); // p_flags: R + W, not X
  v.setBigUint64(ph + 48, 16n, true); // p_align

  out.set(code, ELF_CODE_OFFSET);
  return out;
}
