/**
 * The x86-64 assembler behind the native launchers (Landlock and process group): each
 * instruction's bytes pinned against the Intel encoding (cross-checked with objdump where it is
 * installed), label arithmetic, operand checks, the ELF container, and the programs' system calls.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { groupLauncherCode } from '../../src/launch/group-native.ts';
import { nativeLauncherCode, nativeLauncherElf } from '../../src/launch/landlock-native.ts';
import {
  Assembler,
  Cond,
  ELF_BASE,
  ELF_CODE_OFFSET,
  Reg,
  staticElf,
} from '../../src/launch/x64.ts';

const hex = (bytes: Uint8Array) =>
  Buffer.from(bytes)
    .toString('hex')
    .replace(/(..)(?!$)/g, '$1 ');
const one = (build: (a: Assembler) => void) => {
  const a = new Assembler();
  build(a);
  return hex(a.assemble());
};
const { rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8, r9, r12, r13, r14, r15 } = Reg;

describe('Assembler encodings', () => {
  it.each([
    ['mov rax, rbx', (a: Assembler) => a.mov(rax, rbx), '48 89 d8'],
    ['mov r14, r12', (a: Assembler) => a.mov(r14, r12), '4d 89 e6'],
    ['mov rdi, r15', (a: Assembler) => a.mov(rdi, r15), '4c 89 ff'],
    ['mov rax, 444', (a: Assembler) => a.movImm(rax, 444), '48 c7 c0 bc 01 00 00'],
    ['mov r8, -1', (a: Assembler) => a.movImm(r8, -1), '49 c7 c0 ff ff ff ff'],
    ['mov r12, [rsp]', (a: Assembler) => a.load(r12, rsp), '4c 8b a4 24 00 00 00 00'],
    ['mov rdi, [r13 + 8]', (a: Assembler) => a.load(rdi, r13, 8), '49 8b bd 08 00 00 00'],
    ['mov rbp, [r12 + 16]', (a: Assembler) => a.load(rbp, r12, 16), '49 8b ac 24 10 00 00 00'],
    ['mov [rsp + 48], rax', (a: Assembler) => a.store(rsp, 48, rax), '48 89 84 24 30 00 00 00'],
    ['mov [rsp + 40], eax', (a: Assembler) => a.store32(rsp, 40, rax), '89 84 24 28 00 00 00'],
    ['mov [r9 + 0], r8d', (a: Assembler) => a.store32(r9, 0, r8), '45 89 81 00 00 00 00'],
    ['mov [rdi], dl', (a: Assembler) => a.store8(rdi, 0, rdx), '40 88 97 00 00 00 00'],
    ['mov [rax], sil', (a: Assembler) => a.store8(rax, 0, rsi), '40 88 b0 00 00 00 00'],
    ['movzx eax, byte [rdi]', (a: Assembler) => a.loadByte(rax, rdi), '0f b6 87 00 00 00 00'],
    [
      'movzx r9d, byte [r14+1]',
      (a: Assembler) => a.loadByte(r9, r14, 1),
      '45 0f b6 8e 01 00 00 00',
    ],
    ['lea r13, [rsp + 8]', (a: Assembler) => a.lea(r13, rsp, 8), '4c 8d ac 24 08 00 00 00'],
    ['lea rsi, [rdi + 1]', (a: Assembler) => a.lea(rsi, rdi, 1), '48 8d b7 01 00 00 00'],
    ['add r14, 8', (a: Assembler) => a.addImm(r14, 8), '49 81 c6 08 00 00 00'],
    ['sub rsp, 128', (a: Assembler) => a.subImm(rsp, 128), '48 81 ec 80 00 00 00'],
    ['cmp rax, -20', (a: Assembler) => a.cmpImm(rax, -20), '48 81 f8 ec ff ff ff'],
    ['add r14, r13', (a: Assembler) => a.add(r14, r13), '4d 01 ee'],
    ['cmp r15, r12', (a: Assembler) => a.cmp(r15, r12), '4d 39 e7'],
    ['test rbp, rbp', (a: Assembler) => a.test(rbp, rbp), '48 85 ed'],
    ['imul rax, rax, 10', (a: Assembler) => a.imulImm(rax, rax, 10), '48 69 c0 0a 00 00 00'],
    ['imul r9, rcx, 3', (a: Assembler) => a.imulImm(r9, rcx, 3), '4c 69 c9 03 00 00 00'],
    ['shl r14, 3', (a: Assembler) => a.shlImm(r14, 3), '49 c1 e6 03'],
    ['neg rax', (a: Assembler) => a.neg(rax), '48 f7 d8'],
    ['div r9', (a: Assembler) => a.div(r9), '49 f7 f1'],
    ['syscall', (a: Assembler) => a.syscall(), '0f 05'],
    ['ret', (a: Assembler) => a.ret(), 'c3'],
  ])('%s', (_name, build, bytes) => {
    expect(one(build)).toBe(bytes);
  });

  it('resolves labels backwards and forwards, relative to the next instruction', () => {
    expect(one((a) => a.label('self').jmp('self'))).toBe('e9 fb ff ff ff');
    expect(one((a) => a.jcc(Cond.ne, 'next').label('next'))).toBe('0f 85 00 00 00 00');
    expect(one((a) => a.call('f').ret().label('f').ret())).toBe('e8 01 00 00 00 c3 c3');
    expect(one((a) => a.jcc(Cond.l, 'x').bytes([0x90, 0x90]).label('x'))).toBe(
      '0f 8c 02 00 00 00 90 90',
    );
    expect(one((a) => a.leaLabel(rsi, 'data').ret().label('data').bytes([0x41]))).toBe(
      '48 8d 35 01 00 00 00 c3 41',
    );
  });

  it('refuses undefined or duplicate labels and out-of-range operands', () => {
    expect(() => new Assembler().jmp('nowhere').assemble()).toThrow(/never defined/);
    expect(() => new Assembler().label('a').label('a')).toThrow(/twice/);
    expect(() => new Assembler().movImm(rax, 2 ** 31)).toThrow(RangeError);
    expect(() => new Assembler().addImm(rax, -(2 ** 31) - 1)).toThrow(RangeError);
    expect(() => new Assembler().movImm(rax, 1.5)).toThrow(RangeError);
    expect(() => new Assembler().shlImm(rax, 64)).toThrow(RangeError);
  });
});

describe('staticElf', () => {
  it('is a static x86-64 executable: one R+X load segment, a non-executable stack', () => {
    const code = Uint8Array.from([0x90, 0xc3]);
    const elf = staticElf(code, 1);
    const v = new DataView(elf.buffer);
    expect([...elf.subarray(0, 7)]).toEqual([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
    expect(v.getUint16(16, true)).toBe(2); // ET_EXEC
    expect(v.getUint16(18, true)).toBe(0x3e); // x86-64
    expect(v.getBigUint64(24, true)).toBe(BigInt(ELF_BASE + ELF_CODE_OFFSET + 1));
    expect(v.getUint16(56, true)).toBe(2);
    // PT_LOAD: R+X, the whole file.
    expect(v.getUint32(64, true)).toBe(1);
    expect(v.getUint32(68, true)).toBe(5);
    expect(v.getBigUint64(96, true)).toBe(BigInt(elf.length));
    // PT_GNU_STACK: R+W only.
    expect(v.getUint32(120, true)).toBe(0x6474e551);
    expect(v.getUint32(124, true)).toBe(6);
    expect([...elf.subarray(ELF_CODE_OFFSET)]).toEqual([0x90, 0xc3]);
  });

  it('the launcher is small and the same bytes every time', () => {
    const elf = nativeLauncherElf();
    expect(elf.length).toBeLessThan(4096);
    expect(Buffer.from(nativeLauncherElf()).equals(Buffer.from(elf))).toBe(true);
  });
});

const objdump = spawnSync('objdump', ['--version']).status === 0;

/** The system call numbers `code` makes, read back by objdump; no undecodable bytes before `data`. */
function syscallsOf(code: Uint8Array, dataMarker: string): Set<number> {
  const dir = mkdtempSync(join(tmpdir(), 'spindle-x64-'));
  try {
    const file = join(dir, 'code.bin');
    writeFileSync(file, code);
    const out = spawnSync('objdump', ['-D', '-b', 'binary', '-m', 'i386:x86-64', file], {
      encoding: 'utf8',
    }).stdout;
    // Everything before the first string is code: no undecodable bytes there.
    const dataStart = Buffer.from(code).indexOf(dataMarker);
    expect(dataStart).toBeGreaterThan(0);
    const lines = out.split('\n').filter((l) => /^\s+[0-9a-f]+:\t/.test(l));
    const codeLines = lines.filter((l) => Number.parseInt(l.trim(), 16) < dataStart);
    expect(codeLines.some((l) => l.includes('(bad)'))).toBe(false);
    // Every syscall is preceded by loading its number into rax.
    const numbers = codeLines.flatMap((line, i) => {
      if (!/\tsyscall\s*$/.test(line)) return [];
      const nr = /mov\s+\$0x([0-9a-f]+),%rax\s*$/.exec(codeLines[i - 1] ?? '');
      return [nr ? Number.parseInt(nr[1]!, 16) : -1];
    });
    return new Set(numbers);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe.skipIf(!objdump)('the native programs, read back by objdump', () => {
  it('the Landlock launcher decodes cleanly up to its data and makes the listed calls', () => {
    // write, open, close, execve, exit, prctl and the three Landlock calls; nothing else.
    expect(syscallsOf(nativeLauncherCode(), '--abi\0')).toEqual(
      new Set([1, 2, 3, 59, 60, 157, 444, 445, 446]),
    );
  });

  it('the process-group launcher decodes cleanly up to its data and makes the listed calls', () => {
    // write, getpid, execve, exit, setpgid, getpgid; nothing else.
    expect(syscallsOf(groupLauncherCode(), '--check\0')).toEqual(
      new Set([1, 39, 59, 60, 109, 121]),
    );
  });
});
