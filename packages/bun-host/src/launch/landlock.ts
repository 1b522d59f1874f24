/**
 * Landlock self-restriction through `bun:ffi` (Linux 5.13+). Only Bun can load this file; the
 * rest of the launch module reaches it through dynamic imports so Node can load `index.ts`.
 *
 * Policy: the listed read-only paths may be read, the read-write paths fully used, a few
 * character devices (`/dev/null`, …) read and written; only the files named in `execute` (the
 * Bun binary and its ELF loader, for the launcher's own exec) may be executed; with ABI 4+
 * every TCP bind/connect is denied, with ABI 6+ abstract Unix sockets and signals are scoped to
 * the sandbox. Restriction binds the calling thread and the threads and children it creates
 * later (not threads that already run: see `landlock-exec.ts`), and cannot be lifted.
 */

import { dlopen, FFIType, ptr, read } from 'bun:ffi';
import { closeSync, openSync, statSync } from 'node:fs';
import { SANDBOX_DEVICES } from './devices.ts';
import {
  FILE_RIGHTS,
  handledAccess,
  LANDLOCK_CREATE_RULESET_VERSION,
  LANDLOCK_RULE_PATH_BENEATH,
  O_CLOEXEC,
  O_PATH,
  PR_SET_NO_NEW_PRIVS,
  RULE_RIGHTS,
  SYS_LANDLOCK_ADD_RULE,
  SYS_LANDLOCK_CREATE_RULESET,
  SYS_LANDLOCK_RESTRICT_SELF,
} from './landlock-rights.ts';
import type { SelfSandboxPolicy } from './policy.ts';

export { SANDBOX_DEVICES } from './devices.ts';

/** Outcome of `applyLandlock`. */
export interface SelfSandboxResult {
  /** True when the ruleset is in force for the calling thread and what it starts later. */
  applied: boolean;
  /** Kernel Landlock ABI version; 0 when the kernel has none. */
  abi: number;
  /** Why it was not applied. */
  reason?: string;
  /** Policy paths that did not exist and got no rule. */
  skipped?: string[];
}

type Libc = ReturnType<typeof openLibc>;
let libc: Libc | undefined;
let appliedHere = false;

function openLibc() {
  return dlopen('libc.so.6', {
    syscall: {
      args: [FFIType.i64, FFIType.i64, FFIType.i64, FFIType.i64, FFIType.i64],
      returns: FFIType.i64,
    },
    prctl: {
      args: [FFIType.i32, FFIType.u64, FFIType.u64, FFIType.u64, FFIType.u64],
      returns: FFIType.i32,
    },
    execve: { args: [FFIType.ptr, FFIType.ptr, FFIType.ptr], returns: FFIType.i32 },
    __errno_location: { args: [], returns: FFIType.ptr },
  });
}

function lib(): Libc {
  libc ??= openLibc();
  return libc;
}

function errno(): number {
  const at = lib().symbols.__errno_location();
  return at === null ? 0 : read.i32(at, 0);
}

/** Every unused argument is passed as 0: the kernel rejects non-zero `flags`. */
function sys(nr: number, a = 0, b = 0, c = 0, d = 0): number {
  return Number(lib().symbols.syscall(nr, a, b, c, d));
}

/** Landlock ABI version of the running kernel; 0 when absent, disabled or not Linux. */
export function landlockAbi(): number {
  if (process.platform !== 'linux') return 0;
  try {
    const abi = sys(SYS_LANDLOCK_CREATE_RULESET, 0, 0, LANDLOCK_CREATE_RULESET_VERSION);
    return Math.max(abi, 0);
  } catch {
    return 0;
  }
}

/**
 * Restricts the calling thread (and what it starts later) with Landlock to `policy`; the files
 * in `options.execute` may also be executed. Idempotent within a process: a second call reports
 * the first one's success without stacking another ruleset.
 */
export function applyLandlock(
  policy: SelfSandboxPolicy,
  options: { execute?: string[] } = {},
): SelfSandboxResult {
  const abi = landlockAbi();
  if (appliedHere) return { applied: true, abi };
  if (abi === 0) {
    return { applied: false, abi, reason: 'the kernel has no Landlock (or it is disabled)' };
  }
  const access = handledAccess(abi);
  const handled = access.fs;
  const attr = BigUint64Array.of(BigInt(access.fs), BigInt(access.net), BigInt(access.scoped));
  const rulesetFd = sys(SYS_LANDLOCK_CREATE_RULESET, ptr(attr), attr.byteLength, 0);
  if (rulesetFd < 0) {
    return { applied: false, abi, reason: `landlock_create_ruleset failed (errno ${errno()})` };
  }
  const skipped: string[] = [];
  try {
    const rules: Array<[string, number]> = [
      ...policy.readOnly.map((p): [string, number] => [p, RULE_RIGHTS.read]),
      ...policy.readWrite.map((p): [string, number] => [p, RULE_RIGHTS.write]),
      ...SANDBOX_DEVICES.map((p): [string, number] => [p, RULE_RIGHTS.device]),
      ...(options.execute ?? []).map((p): [string, number] => [p, RULE_RIGHTS.execute]),
    ];
    for (const [path, rights] of rules) {
      const failure = addPathRule(rulesetFd, path, rights & handled);
      if (failure === 'missing') skipped.push(path);
      else if (failure) return { applied: false, abi, reason: failure };
    }
    if (lib().symbols.prctl(PR_SET_NO_NEW_PRIVS, 1n, 0n, 0n, 0n) !== 0) {
      return {
        applied: false,
        abi,
        reason: `prctl(PR_SET_NO_NEW_PRIVS) failed (errno ${errno()})`,
      };
    }
    if (sys(SYS_LANDLOCK_RESTRICT_SELF, rulesetFd, 0) !== 0) {
      return { applied: false, abi, reason: `landlock_restrict_self failed (errno ${errno()})` };
    }
    appliedHere = true;
    return skipped.length > 0 ? { applied: true, abi, skipped } : { applied: true, abi };
  } finally {
    closeSync(rulesetFd);
  }
}

/** Adds one path-beneath rule; returns `'missing'`, an error sentence, or `undefined`. */
function addPathRule(rulesetFd: number, path: string, rights: number): string | undefined {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    return 'missing';
  }
  const allowed = isDir ? rights : rights & FILE_RIGHTS;
  if (allowed === 0) return undefined;
  let fd: number;
  try {
    fd = openSync(path, O_PATH | O_CLOEXEC);
  } catch (error) {
    return `cannot open "${path}" for a Landlock rule: ${(error as Error).message}`;
  }
  try {
    // struct landlock_path_beneath_attr is packed: u64 allowed_access, s32 parent_fd.
    const buf = new Uint8Array(12);
    const view = new DataView(buf.buffer);
    view.setBigUint64(0, BigInt(allowed), true);
    view.setInt32(8, fd, true);
    if (sys(SYS_LANDLOCK_ADD_RULE, rulesetFd, LANDLOCK_RULE_PATH_BENEATH, ptr(buf)) !== 0) {
      return `landlock_add_rule failed for "${path}" (errno ${errno()})`;
    }
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** NUL-terminated C string for FFI. */
function cString(text: string): Buffer {
  return Buffer.from(`${text}\0`, 'utf8');
}

/**
 * Replaces this process with `argv[0]` (`execve(2)`), keeping the calling thread's Landlock
 * domain, open descriptors without close-on-exec (stdio, the IPC socket) and the parent-death
 * signal. Returns only on failure, with the reason.
 */
export function execve(argv: string[], env: string[]): string {
  const keep: Buffer[] = [];
  const table = (items: string[]) => {
    const pointers = new BigUint64Array(items.length + 1);
    items.forEach((item, i) => {
      const buf = cString(item);
      keep.push(buf);
      pointers[i] = BigInt(ptr(buf));
    });
    return pointers;
  };
  const argvTable = table(argv);
  const envTable = table(env);
  const path = cString(argv[0]!);
  lib().symbols.execve(ptr(path), ptr(argvTable), ptr(envTable));
  return `execve("${argv[0]}") failed (errno ${errno()}; ${keep.length} strings)`;
}

export { elfInterpreter } from './elf.ts';
