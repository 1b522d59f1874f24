/**
 * Child side of the seccomp layer (and of the pids layer's `RLIMIT_NPROC` fallback): the first
 * thing both child bootstraps do, before any extension code exists in the process. The host
 * puts what to apply in `SPINDLE_CHILD_GUARD` (its own numbers and the filter libseccomp built,
 * `seccomp.ts`); the child sets `PR_SET_NO_NEW_PRIVS`, the process limit and then the filter on
 * all of its threads at once (`SECCOMP_FILTER_FLAG_TSYNC`), so the Bun threads already running
 * are covered too. Failure exits 78 with a `[spindle]` line: the plan reported the layer as
 * active, so the child must not run without it. Nothing to do when the variable is absent.
 */

/** Environment variable carrying the JSON `ChildGuardSpec`; removed once read. */
export const CHILD_GUARD_ENV = 'SPINDLE_CHILD_GUARD';

/** Exit status of a child whose guard could not be applied (`EX_CONFIG`). */
export const GUARD_FAILED_EXIT = 78;

/** `seccomp(2)`, `prctl(2)` and `prlimit64(2)` numbers on this architecture. */
export interface SyscallNumbers {
  seccomp: number;
  prctl: number;
  prlimit: number;
}

/** What a child applies to itself. */
export interface ChildGuardSpec extends SyscallNumbers {
  /** The seccomp filter, classic BPF in base64; absent: no filter. */
  bpf?: string;
  /** `RLIMIT_NPROC` to set, when the pids layer has no cgroup; absent: none. */
  nproc?: number;
}

const PR_SET_NO_NEW_PRIVS = 38;
const RLIMIT_NPROC = 6;
const SET_MODE_FILTER = 1;
const FILTER_FLAG_TSYNC = 1;

/**
 * Applies the guard described by `env[CHILD_GUARD_ENV]`, then deletes the variable. Only in a
 * subprocess's main thread: a Worker shares the host's process and must never lock it. The work
 * itself is a function of its own, so a child without a guard (`process` mode) never compiles
 * it: the first call of that body cost about 0.2 ms of every start (measured on the bootstrap).
 */
export function applyChildGuard(env: Record<string, string | undefined> = process.env): void {
  const raw = env[CHILD_GUARD_ENV];
  if (raw === undefined) return;
  delete env[CHILD_GUARD_ENV];
  if (typeof Bun === 'undefined' || !Bun.isMainThread) return;
  install(raw);
}

/** Applies the JSON `ChildGuardSpec` in `raw`, or exits `GUARD_FAILED_EXIT`. */
function install(raw: string): void {
  try {
    const spec = JSON.parse(raw) as ChildGuardSpec;
    const ffi = require('bun:ffi') as typeof import('bun:ffi');
    const libc = openLibc(ffi);
    const call = (what: string, nr: number, a: number, b: number, c = 0) => {
      const result = libc.syscall(nr, a, b, c, 0, 0);
      if (Number(result) !== 0) throw new Error(`${what} failed (${String(result)})`);
    };
    if (spec.nproc !== undefined) {
      const limit = BigUint64Array.of(BigInt(spec.nproc), BigInt(spec.nproc));
      call('prlimit(RLIMIT_NPROC)', spec.prlimit, 0, RLIMIT_NPROC, ffi.ptr(limit));
    }
    if (spec.bpf !== undefined) {
      call('prctl(PR_SET_NO_NEW_PRIVS)', spec.prctl, PR_SET_NO_NEW_PRIVS, 1);
      const filter = Buffer.from(spec.bpf, 'base64');
      // struct sock_fprog { unsigned short len; struct sock_filter *filter; }
      const prog = new DataView(new ArrayBuffer(16));
      prog.setUint16(0, filter.length / 8, true);
      prog.setBigUint64(8, BigInt(ffi.ptr(filter)), true);
      const progPtr = ffi.ptr(new Uint8Array(prog.buffer));
      call('seccomp(TSYNC)', spec.seccomp, SET_MODE_FILTER, FILTER_FLAG_TSYNC, progPtr);
    }
  } catch (error) {
    process.stderr.write(
      `[spindle] sandbox: the child guard is required but was not applied: ${String(error)}\n`,
    );
    process.exit(GUARD_FAILED_EXIT);
  }
}

/** `syscall(2)` of the C library (glibc, else musl). */
function openLibc(ffi: typeof import('bun:ffi')) {
  const arch = process.arch === 'x64' ? 'x86_64' : 'aarch64';
  for (const name of ['libc.so.6', `libc.musl-${arch}.so.1`]) {
    try {
      return ffi.dlopen(name, {
        syscall: { args: ['i64', 'i64', 'i64', 'i64', 'i64', 'i64'], returns: 'i64' },
      }).symbols;
    } catch {
      // try the next name
    }
  }
  throw new Error('cannot load the C library');
}
