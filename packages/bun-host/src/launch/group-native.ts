/**
 * The process-group launcher: a static x86-64 Linux executable of a few hundred bytes that
 * makes itself the leader of a new process group and execs the program it is given.
 *
 * ```
 * group-launcher --check
 *     exits 0 when it leads its own process group after setpgid(0, 0), 1 otherwise.
 * group-launcher /abs/program [args...]
 *     setpgid(0, 0) (a session leader already leads its group), then
 *     execve(program, [program, args...], envp).
 * ```
 *
 * Why: every child is started in its own process group, so that a forced stop signals whatever
 * the child started and a terminal's Ctrl-C reaches only the host. Bun offers that only as
 * `detached`, which calls `setsid()`: a new session, and on Linux with `sched_autogroup_enabled`
 * (the default of common distributions) a new scheduling group too. Measured on the reference
 * VM, that costs about 0.35 ms of every start (300 interleaved samples, gone when autogroup is
 * off); this launcher's `execve` costs about 0.05 ms. The child stays in the host's session:
 * its stdin is closed and its output goes to pipes, so it never touches the terminal.
 *
 * A failure exits 78 (EX_CONFIG) with a `[spindle]` line naming the step and the errno. The
 * environment (`NODE_CHANNEL_FD` included) and inherited descriptors pass through `execve`, and
 * so does a parent-death signal set before it (`setpriv --pdeathsig` may come first).
 */
import {
  ascii,
  emitPrologue,
  emitStreq,
  failureExits,
  installNativeProgram,
  NATIVE_LAUNCHER_DIR,
  SYS,
  sys,
} from './native-program.ts';
import { Assembler, Cond, Reg, staticElf } from './x64.ts';

const { rax, rbx, rdx, rsi, rdi, r8, r12, r13, r14 } = Reg;

const FAILURES = failureExits('[spindle] process group launcher: ', [
  ['fail_usage', 'usage: --check | /abs/program [args...]', false],
  ['fail_setpgid', 'setpgid(0, 0) failed', true],
  ['fail_exec', 'execve of the program failed', true],
]);

/** The launcher's machine code (entry at offset 0). */
export function groupLauncherCode(): Uint8Array {
  const a = new Assembler();
  emitPrologue(a);
  a.cmpImm(r12, 2).jcc(Cond.l, 'fail_usage');

  // ---- `--check`: exit status 0 when this process now leads its own group.
  a.load(rdi, r13, 8).leaLabel(rsi, 's_check').call('streq');
  a.test(rax, rax).jcc(Cond.e, 'run');
  a.call('lead').test(rax, rax).jcc(Cond.ne, 'check_no');
  a.movImm(rdi, 0);
  sys(a, SYS.exit);
  a.label('check_no').movImm(rdi, 1);
  sys(a, SYS.exit);

  // ---- lead its own group, then exec argv[1] (absolute) with argv[1..] and the environment.
  a.label('run');
  a.load(rdi, r13, 8).loadByte(rax, rdi, 0).cmpImm(rax, 0x2f /* '/' */);
  a.jcc(Cond.ne, 'fail_usage');
  a.call('lead').mov(r8, rax).test(rax, rax).jcc(Cond.ne, 'fail_setpgid');
  a.load(rdi, r13, 8).lea(rsi, r13, 8).mov(rdx, r14);
  sys(a, SYS.execve);
  a.mov(r8, rax).jmp('fail_exec');

  // ---- lead(): rax = 0 once this process leads its own group, else setpgid's -errno.
  // setpgid(0, 0) fails (EPERM) for a session leader, which already leads its group.
  a.label('lead').movImm(rdi, 0).movImm(rsi, 0);
  sys(a, SYS.setpgid);
  a.test(rax, rax).jcc(Cond.e, 'lead_done');
  a.mov(r8, rax);
  sys(a, SYS.getpid);
  a.mov(rbx, rax).movImm(rdi, 0);
  sys(a, SYS.getpgid);
  a.cmp(rax, rbx).jcc(Cond.ne, 'lead_failed');
  a.movImm(rax, 0).ret();
  a.label('lead_failed').mov(rax, r8);
  a.label('lead_done').ret();

  FAILURES.emitCode(a);
  emitStreq(a);

  // ---- read-only data.
  a.label('s_check').bytes(ascii('--check\0'));
  FAILURES.emitData(a);
  return a.assemble();
}

/** The launcher executable's bytes. */
export function groupLauncherElf(): Uint8Array {
  return staticElf(groupLauncherCode());
}

/**
 * Writes the launcher into `dir` (once per process, named by a hash of its bytes; see
 * `installNativeProgram`) and returns its path; `undefined` when it cannot be written, or off
 * x86-64 Linux.
 */
export function installGroupLauncher(
  dir: string = NATIVE_LAUNCHER_DIR,
  platform: NodeJS.Platform = process.platform,
  arch: string = process.arch,
): string | undefined {
  return installNativeProgram('group-launcher', groupLauncherElf, dir, platform, arch);
}
