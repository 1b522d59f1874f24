/**
 * What the host's tiny native programs share (the Landlock launcher, `landlock-native.ts`, and
 * the process-group launcher, `group-native.ts`): where they are written, how they are installed,
 * and the machine code of their common parts (the failure exit that prints a `[spindle]` line
 * with the errno, and a string comparison). All of them are static x86-64 Linux executables
 * assembled by `x64.ts`; each starts the same way: `r12` = argc, `r13` = argv, `r14` = envp and
 * `NATIVE_SCRATCH` bytes of stack below the argument block.
 */
import { createHash, randomUUID } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_NODE_MODULES } from './paths.ts';
import { type Assembler, Cond, Reg } from './x64.ts';

/** Exit status of every launcher failure (EX_CONFIG, as the other launchers). */
export const LAUNCHER_FAILURE = 78;

/** Where the executables are written: next to the one-file bootstrap builds. */
export const NATIVE_LAUNCHER_DIR: string = join(REPO_NODE_MODULES, '.cache', 'spindle-runtime');

/** x86-64 system call numbers the programs use. */
export const SYS = {
  write: 1,
  open: 2,
  close: 3,
  getpid: 39,
  execve: 59,
  exit: 60,
  setpgid: 109,
  getpgid: 121,
  prctl: 157,
} as const;

/** Bytes of stack each program reserves below its argument block. */
export const NATIVE_SCRATCH = 128;
/** The failure exit writes an errno's digits backwards from here (`rsp`-relative). */
const DIGITS_END = NATIVE_SCRATCH - 1;

const { rax, rcx, rdx, rsp, rsi, rdi, r8, r9, r10, r12, r13, r14 } = Reg;

/** ASCII bytes of `text`. */
export const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);

/** `rax ← syscall(nr, rdi…)`: loads the number; the caller has loaded the arguments. */
export function sys(a: Assembler, nr: number): void {
  a.movImm(rax, nr).syscall();
}

/** The common prologue: `r12` = argc, `r13` = argv, `r14` = envp, then the scratch space. */
export function emitPrologue(a: Assembler): void {
  a.load(r12, rsp, 0).lea(r13, rsp, 8);
  a.mov(r14, r12).shlImm(r14, 3).add(r14, r13).addImm(r14, 8);
  a.subImm(rsp, NATIVE_SCRATCH);
}

/** One way a program fails: the label jumped to, its message, and whether `r8` holds -errno. */
export type NativeFailure = readonly [label: string, message: string, hasErrno: boolean];

/** The failure exits of one program: its code, then (after all code) its strings. */
export interface FailureExits {
  /**
   * Each failure's label writes `<prefix><message>[ (errno N)]` and a newline to stderr, then
   * exits `LAUNCHER_FAILURE`. A failure with an errno expects `-errno` in `r8` (as a system call
   * returns it).
   */
  emitCode(a: Assembler): void;
  /** The strings the code prints; emit them once, after the last instruction. */
  emitData(a: Assembler): void;
}

/** The failure exits for `failures`, every line starting with `prefix`. */
export function failureExits(prefix: string, failures: readonly NativeFailure[]): FailureExits {
  return {
    emitCode(a) {
      failures.forEach(([label, message, hasErrno], i) => {
        a.label(label);
        if (!hasErrno) a.movImm(r8, 0);
        a.leaLabel(rsi, `fail_message_${i}`).movImm(rdx, ascii(message).length).jmp('fail');
      });
      a.label('fail');
      a.mov(r9, rsi).mov(r10, rdx);
      a.movImm(rdi, 2).leaLabel(rsi, 'fail_prefix').movImm(rdx, ascii(prefix).length);
      sys(a, SYS.write);
      a.movImm(rdi, 2).mov(rsi, r9).mov(rdx, r10);
      sys(a, SYS.write);
      a.test(r8, r8).jcc(Cond.e, 'fail_newline');
      a.movImm(rdi, 2).leaLabel(rsi, 'fail_errno').movImm(rdx, ascii(' (errno ').length);
      sys(a, SYS.write);
      // Decimal of -r8, written backwards into the scratch digits.
      a.mov(rax, r8).neg(rax).movImm(r9, 10).lea(rdi, rsp, DIGITS_END).movImm(r10, 0);
      a.label('fail_digit');
      a.movImm(rdx, 0).div(r9).addImm(rdx, 0x30).store8(rdi, 0, rdx);
      a.subImm(rdi, 1).addImm(r10, 1).test(rax, rax).jcc(Cond.ne, 'fail_digit');
      a.lea(rsi, rdi, 1).mov(rdx, r10).movImm(rdi, 2);
      sys(a, SYS.write);
      a.movImm(rdi, 2).leaLabel(rsi, 'fail_close').movImm(rdx, 1);
      sys(a, SYS.write);
      a.label('fail_newline');
      a.movImm(rdi, 2).leaLabel(rsi, 'fail_newline_char').movImm(rdx, 1);
      sys(a, SYS.write);
      a.movImm(rdi, LAUNCHER_FAILURE);
      sys(a, SYS.exit);
    },
    emitData(a) {
      const strings: Array<[string, string]> = [
        ['fail_prefix', prefix],
        ['fail_errno', ' (errno '],
        ['fail_close', ')'],
        ['fail_newline_char', '\n'],
        ...failures.map(([, message], i): [string, string] => [`fail_message_${i}`, message]),
      ];
      for (const [label, text] of strings) a.label(label).bytes(ascii(text));
    },
  };
}

/** `streq(rdi, rsi)`: `rax` = 1 when the two NUL-terminated strings are equal, else 0. */
export function emitStreq(a: Assembler): void {
  a.label('streq');
  a.loadByte(rax, rdi, 0).loadByte(rcx, rsi, 0).cmp(rax, rcx).jcc(Cond.ne, 'streq_no');
  a.test(rax, rax).jcc(Cond.e, 'streq_yes');
  a.addImm(rdi, 1).addImm(rsi, 1).jmp('streq');
  a.label('streq_yes').movImm(rax, 1).ret();
  a.label('streq_no').movImm(rax, 0).ret();
}

const installed = new Map<string, string | undefined>();

function sameBytes(path: string, expected: Uint8Array): boolean {
  try {
    return Buffer.from(expected).equals(readFileSync(path));
  } catch {
    return false;
  }
}

/**
 * Writes the executable `elf` into `dir` as `<stem>-<hash of the bytes>` (once per process; the
 * hash keeps hosts of different versions apart; a file of that name with other bytes is
 * replaced) and returns its path; `undefined` when it cannot be written (read-only install) or
 * off x86-64 Linux (nothing written).
 */
export function installNativeProgram(
  stem: string,
  elf: () => Uint8Array,
  dir: string,
  platform: NodeJS.Platform,
  arch: string,
): string | undefined {
  if (platform !== 'linux' || arch !== 'x64') return undefined;
  const key = `${dir}\0${stem}`;
  if (installed.has(key)) return installed.get(key);
  let path: string | undefined;
  try {
    const bytes = elf();
    const hash = createHash('sha256').update(bytes).digest('hex').slice(0, 16);
    path = join(dir, `${stem}-${hash}`);
    // A file already there is used only when it holds exactly these bytes (a stale, truncated or
    // foreign file is replaced), and the detection probe then proves it runs.
    if (!sameBytes(path, bytes)) {
      mkdirSync(dir, { recursive: true });
      // Another host may be writing it too: each writes its own file, then renames.
      const temp = `${path}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`;
      writeFileSync(temp, bytes, { mode: 0o755 });
      chmodSync(temp, 0o755);
      renameSync(temp, path);
    }
  } catch {
    path = undefined;
  }
  installed.set(key, path);
  return path;
}
