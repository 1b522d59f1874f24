/**
 * The seccomp layer, built once per host with the system's libseccomp (Debian `libseccomp2`)
 * through `bun:ffi` and exported as classic BPF. The sandboxed child installs it on all of its
 * threads (`child-guard.ts`, `SECCOMP_FILTER_FLAG_TSYNC`) before any extension code runs, so
 * the only exec the child ever makes is the launcher's exec of Bun. Modelled on the default
 * profiles of Docker and Flatpak; what is not listed is allowed. Bun-only (`bun:ffi`).
 */
import { dlopen, FFIType, ptr } from 'bun:ffi';
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { errorMessage } from '@spindle/types';
import type { SyscallNumbers } from './child-guard.ts';

const [EPERM, ENOSYS, EAFNOSUPPORT, AF_UNIX, PER_LINUX] = [1, 38, 97, 1, 0];
/** `CLONE_NEW*` flags: NS, CGROUP, UTS, IPC, USER, PID, NET, TIME. */
const CLONE_NAMESPACES = [
  0x20000, 0x2000000, 0x4000000, 0x8000000, 0x10000000, 0x20000000, 0x40000000, 0x80,
];
/** Terminal ioctls that inject input into another program's terminal. */
const [TIOCSTI, TIOCLINUX] = [0x5412, 0x541c];

/**
 * Denied with `EPERM`, one theme a line: starting programs (the launcher's exec of Bun came
 * before the filter); kernel attack surface; keys; debugging other processes; kernel modules;
 * mounts; namespaces; old escape routes and the kernel log.
 */
export const DENIED_SYSCALLS: readonly string[] = `
  execve execveat
  io_uring_setup io_uring_enter io_uring_register bpf perf_event_open userfaultfd
  keyctl add_key request_key
  ptrace process_vm_readv process_vm_writev
  kexec_load kexec_file_load init_module finit_module delete_module
  mount umount2 pivot_root move_mount open_tree fsopen fsconfig fsmount fspick mount_setattr
  unshare setns
  open_by_handle_at name_to_handle_at uselib syslog
`
  .trim()
  .split(/\s+/);

/** Deny `name` with `errno`; with `arg`, only when argument `index` compares (`op`) to `value`. */
type Rule = [
  name: string,
  errno: number,
  arg?: [index: number, op: keyof typeof OPS, value: number],
];
/** libseccomp's `SCMP_CMP_*` operators. */
const OPS = { NE: 1, EQ: 4, MASKED_EQ: 7 } as const;

/** The argument-dependent rules, besides `DENIED_SYSCALLS`. */
export function argumentRules(arch: string = process.arch): Rule[] {
  const flags = arch === 's390x' ? 1 : 0; // s390 passes clone's flags second
  return [
    // clone3 takes its flags in memory, out of a filter's reach: ENOSYS makes libc use clone.
    ['clone3', ENOSYS],
    ...CLONE_NAMESPACES.map((flag): Rule => ['clone', EPERM, [flags, 'MASKED_EQ', flag]]),
    ['socket', EAFNOSUPPORT, [0, 'NE', AF_UNIX]],
    ['socketpair', EAFNOSUPPORT, [0, 'NE', AF_UNIX]],
    ['personality', EPERM, [0, 'NE', PER_LINUX]],
    ['ioctl', EPERM, [1, 'EQ', TIOCSTI]],
    ['ioctl', EPERM, [1, 'EQ', TIOCLINUX]],
  ];
}

/**
 * Builds the filter (classic BPF, base64) and the system call numbers the launcher and the
 * child need, or says why it cannot (libseccomp missing, a call refused). Never throws.
 */
export function buildSeccompGuard(): { filter: string; syscalls: SyscallNumbers } | string {
  let lib: ReturnType<typeof openLibseccomp>;
  try {
    lib = openLibseccomp();
  } catch (error) {
    return `libseccomp is not installed (Debian package "libseccomp2"): ${errorMessage(error)}`;
  }
  const s = lib.symbols;
  const nr = (name: string) => s.seccomp_syscall_resolve_name(Buffer.from(`${name}\0`));
  const ctx = s.seccomp_init(0x7fff0000 /* SCMP_ACT_ALLOW */);
  if (ctx === null) return 'seccomp_init failed';
  // libseccomp writes the program to a file descriptor: a private file, read back and removed.
  const file = join(tmpdir(), `spindle-seccomp-${process.pid}-${crypto.randomUUID()}.bpf`);
  try {
    const rules = [...DENIED_SYSCALLS.map((name): Rule => [name, EPERM]), ...argumentRules()];
    for (const [name, errno, arg] of rules) {
      const call = nr(name);
      if (call === -1) continue; // not a system call on this architecture
      // struct scmp_arg_cmp { u32 arg; u32 op; u64 datum_a; u64 datum_b }: a masked compare
      // takes the mask in datum_a and the value in datum_b (both the flag here).
      const cmp = new DataView(new ArrayBuffer(24));
      if (arg) {
        cmp.setUint32(0, arg[0], true);
        cmp.setUint32(4, OPS[arg[1]], true);
        cmp.setBigUint64(8, BigInt(arg[2]), true);
        cmp.setBigUint64(16, BigInt(arg[2]), true);
      }
      const action = 0x00050000 | errno; // SCMP_ACT_ERRNO
      const rc = s.seccomp_rule_add_array(ctx, action, call, arg ? 1 : 0, arg ? ptr(cmp) : null);
      if (rc !== 0) return `seccomp_rule_add(${name}) failed (${rc})`;
    }
    const fd = openSync(file, 'wx', 0o600);
    const rc = s.seccomp_export_bpf(ctx, fd);
    closeSync(fd);
    if (rc !== 0) return `seccomp_export_bpf failed (${rc})`;
    const syscalls = { seccomp: nr('seccomp'), prctl: nr('prctl'), prlimit: nr('prlimit64') };
    return { filter: readFileSync(file).toString('base64'), syscalls };
  } finally {
    s.seccomp_release(ctx);
    rmSync(file, { force: true });
  }
}

function openLibseccomp() {
  return dlopen('libseccomp.so.2', {
    seccomp_init: { args: [FFIType.u32], returns: FFIType.ptr },
    seccomp_rule_add_array: {
      args: [FFIType.ptr, FFIType.u32, FFIType.i32, FFIType.u32, FFIType.ptr],
      returns: FFIType.i32,
    },
    seccomp_syscall_resolve_name: { args: [FFIType.ptr], returns: FFIType.i32 },
    seccomp_export_bpf: { args: [FFIType.ptr, FFIType.i32], returns: FFIType.i32 },
    seccomp_release: { args: [FFIType.ptr], returns: FFIType.void },
  });
}
