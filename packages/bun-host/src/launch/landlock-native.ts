/**
 * The native Landlock launcher: a static x86-64 Linux executable of about 1 KB, assembled here
 * from the listing below, that restricts itself with Landlock and execs Bun. It does what
 * `landlock-exec.pl` does without starting an interpreter: the Perl launcher costs about 2 ms of
 * every sandboxed start (most of it Perl's own start-up), this one a single `execve`.
 *
 * The host computes every number (the handled rights for this kernel's ABI and each rule's
 * rights), so the program only parses decimals, opens paths and makes system calls:
 *
 * ```
 * launcher --abi
 *     exits with the kernel's Landlock ABI version as its status (0 without Landlock).
 * launcher <fs> <net> <scoped> [<dir rights> <file rights> <path>]... -- /abs/program [args...]
 *     fs, net, scoped: the ruleset's handled_access_fs, handled_access_net and scoped fields.
 *     Each rule applies <dir rights> when <path> is a directory, <file rights> when it is not;
 *     a path that cannot be opened, or whose rights are 0, gets no rule.
 * ```
 *
 * Any failure exits 78 (EX_CONFIG) with a `[spindle]` line naming the step and the errno: the
 * planner reported `landlock` as active, so the child must never run without it. The
 * environment (`NODE_CHANNEL_FD` included) and inherited descriptors pass through `execve`; the
 * ruleset descriptor and the rule paths are opened close-on-exec. Other architectures use the
 * Perl launcher (the listing is x86-64 only).
 */
import { SANDBOX_DEVICES } from './devices.ts';
import { executeSet } from './execute-set.ts';
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
import {
  ascii,
  emitPrologue,
  emitStreq,
  failureExits,
  installNativeProgram,
  LAUNCHER_FAILURE,
  NATIVE_LAUNCHER_DIR,
  SYS,
  sys,
} from './native-program.ts';
import type { SelfSandboxPolicy } from './policy.ts';
import { Assembler, Cond, Reg, staticElf } from './x64.ts';

export { LAUNCHER_FAILURE, NATIVE_LAUNCHER_DIR };

const O_DIRECTORY = 0o200000;
const ENOTDIR = 20;

// Stack scratch, below the argument block (rsp after the prologue).
/** struct landlock_ruleset_attr: three u64 (handled_access_fs, handled_access_net, scoped). */
const RULESET_ATTR = 0;
const RULESET_ATTR_SIZE = 24;
/** struct landlock_path_beneath_attr, packed: u64 allowed_access, s32 parent_fd. */
const BENEATH_ATTR = 32;
const FILE_RIGHTS_SLOT = 48;
const PATH_SLOT = 56;
const FD_SLOT = 64;

const PREFIX = '[spindle] sandbox: Landlock is required but was not applied: ';
const FAILURES = failureExits(PREFIX, [
  [
    'fail_usage',
    'usage: <fs> <net> <scoped> [<dir rights> <file rights> <path>]... -- /abs/program [args...]',
    false,
  ],
  ['fail_create', 'landlock_create_ruleset failed', true],
  ['fail_add_rule', 'landlock_add_rule failed', true],
  ['fail_prctl', 'prctl(PR_SET_NO_NEW_PRIVS) failed', true],
  ['fail_restrict', 'landlock_restrict_self failed', true],
  ['fail_exec', 'execve of the program failed', true],
]);

const { rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8, r10, r12, r13, r14, r15 } = Reg;

/** `dst ← argv[index + extra]` (argv in r13). Clobbers only `dst`. */
function loadArg(a: Assembler, dst: Reg, index: Reg, extra = 0): void {
  a.mov(dst, index)
    .shlImm(dst, 3)
    .add(dst, r13)
    .load(dst, dst, extra * 8);
}

/** The launcher's machine code (entry at offset 0). */
export function nativeLauncherCode(): Uint8Array {
  const a = new Assembler();

  // ---- prologue: r12 = argc, r13 = argv, r14 = envp, scratch below.
  emitPrologue(a);

  // ---- `--abi`: exit status = landlock_create_ruleset(NULL, 0, VERSION), or 0 on error.
  a.cmpImm(r12, 2).jcc(Cond.ne, 'apply');
  a.load(rdi, r13, 8).leaLabel(rsi, 's_abi').call('streq');
  a.test(rax, rax).jcc(Cond.e, 'apply');
  a.movImm(rdi, 0).movImm(rsi, 0).movImm(rdx, LANDLOCK_CREATE_RULESET_VERSION);
  sys(a, SYS_LANDLOCK_CREATE_RULESET);
  a.test(rax, rax).jcc(Cond.ns, 'abi_exit');
  a.movImm(rax, 0);
  a.label('abi_exit').mov(rdi, rax);
  sys(a, SYS.exit);

  // ---- the ruleset: fs, net and scoped from argv[1..3].
  a.label('apply');
  a.cmpImm(r12, 6).jcc(Cond.l, 'fail_usage'); // launcher fs net scoped -- program
  for (let i = 0; i < 3; i++) {
    a.load(rdi, r13, 8 * (i + 1))
      .call('parse')
      .store(rsp, RULESET_ATTR + 8 * i, rax);
  }
  a.lea(rdi, rsp, RULESET_ATTR).movImm(rsi, RULESET_ATTR_SIZE).movImm(rdx, 0);
  sys(a, SYS_LANDLOCK_CREATE_RULESET);
  a.mov(r8, rax).test(rax, rax).jcc(Cond.s, 'fail_create');
  a.mov(rbx, rax);

  // ---- rules: triples from argv[4] until `--`.
  a.movImm(r15, 4);
  a.label('rule');
  a.cmp(r15, r12).jcc(Cond.ge, 'fail_usage');
  loadArg(a, rdi, r15);
  a.leaLabel(rsi, 's_dashdash').call('streq');
  a.test(rax, rax).jcc(Cond.ne, 'rules_done');
  a.mov(rax, r15).addImm(rax, 2).cmp(rax, r12).jcc(Cond.ge, 'fail_usage');
  loadArg(a, rdi, r15, 0);
  a.call('parse').mov(rbp, rax); // directory rights
  loadArg(a, rdi, r15, 1);
  a.call('parse').store(rsp, FILE_RIGHTS_SLOT, rax);
  loadArg(a, rdi, r15, 2);
  a.store(rsp, PATH_SLOT, rdi);
  // A directory first; ENOTDIR means it exists but is not one: open it as a file.
  a.movImm(rsi, O_PATH | O_CLOEXEC | O_DIRECTORY).movImm(rdx, 0);
  sys(a, SYS.open);
  a.test(rax, rax).jcc(Cond.ns, 'have_fd');
  a.cmpImm(rax, -ENOTDIR).jcc(Cond.ne, 'next_rule'); // missing or unreachable: no rule
  a.load(rdi, rsp, PATH_SLOT)
    .movImm(rsi, O_PATH | O_CLOEXEC)
    .movImm(rdx, 0);
  sys(a, SYS.open);
  a.test(rax, rax).jcc(Cond.s, 'next_rule');
  a.load(rbp, rsp, FILE_RIGHTS_SLOT);
  a.label('have_fd');
  a.store(rsp, FD_SLOT, rax);
  a.test(rbp, rbp).jcc(Cond.e, 'close_fd'); // no rights for this kind of file: no rule
  a.store(rsp, BENEATH_ATTR, rbp).store32(rsp, BENEATH_ATTR + 8, rax);
  a.mov(rdi, rbx).movImm(rsi, LANDLOCK_RULE_PATH_BENEATH).lea(rdx, rsp, BENEATH_ATTR);
  a.movImm(r10, 0);
  sys(a, SYS_LANDLOCK_ADD_RULE);
  a.mov(r8, rax).test(rax, rax).jcc(Cond.ne, 'fail_add_rule');
  a.label('close_fd');
  a.load(rdi, rsp, FD_SLOT);
  sys(a, SYS.close);
  a.label('next_rule');
  a.addImm(r15, 3).jmp('rule');

  // ---- restrict and exec argv[r15 + 1], which must be absolute.
  a.label('rules_done');
  a.addImm(r15, 1).cmp(r15, r12).jcc(Cond.ge, 'fail_usage');
  loadArg(a, rdi, r15);
  a.loadByte(rax, rdi, 0).cmpImm(rax, 0x2f /* '/' */).jcc(Cond.ne, 'fail_usage');
  a.movImm(rdi, PR_SET_NO_NEW_PRIVS).movImm(rsi, 1).movImm(rdx, 0).movImm(r10, 0).movImm(r8, 0);
  sys(a, SYS.prctl);
  a.mov(r8, rax).test(rax, rax).jcc(Cond.ne, 'fail_prctl');
  a.mov(rdi, rbx).movImm(rsi, 0);
  sys(a, SYS_LANDLOCK_RESTRICT_SELF);
  a.mov(r8, rax).test(rax, rax).jcc(Cond.ne, 'fail_restrict');
  loadArg(a, rdi, r15);
  a.mov(rsi, r15).shlImm(rsi, 3).add(rsi, r13).mov(rdx, r14);
  sys(a, SYS.execve);
  a.mov(r8, rax).jmp('fail_exec');

  // ---- failures: r8 = -errno (0 when there is none).
  FAILURES.emitCode(a);
  emitStreq(a);

  // ---- parse(rdi): rax = the non-empty decimal at rdi, at most 2^31 - 1; else a usage failure.
  a.label('parse');
  a.movImm(rax, 0);
  a.loadByte(rcx, rdi, 0).test(rcx, rcx).jcc(Cond.e, 'fail_usage');
  a.label('parse_digit');
  a.loadByte(rcx, rdi, 0).test(rcx, rcx).jcc(Cond.e, 'parse_done');
  a.subImm(rcx, 0x30).cmpImm(rcx, 9).jcc(Cond.a, 'fail_usage');
  a.imulImm(rax, rax, 10).add(rax, rcx);
  a.cmpImm(rax, 0x7fff_ffff).jcc(Cond.a, 'fail_usage');
  a.addImm(rdi, 1).jmp('parse_digit');
  a.label('parse_done').ret();

  // ---- read-only data.
  a.label('s_abi').bytes(ascii('--abi\0'));
  a.label('s_dashdash').bytes(ascii('--\0'));
  FAILURES.emitData(a);
  return a.assemble();
}

/** The launcher executable's bytes. */
export function nativeLauncherElf(): Uint8Array {
  return staticElf(nativeLauncherCode());
}

/**
 * Writes the launcher into `dir` (once per process, named by a hash of its bytes; see
 * `installNativeProgram`) and returns its path; `undefined` when it cannot be written, or off
 * x86-64 Linux.
 */
export function installNativeLauncher(
  dir: string = NATIVE_LAUNCHER_DIR,
  platform: NodeJS.Platform = process.platform,
  arch: string = process.arch,
): string | undefined {
  return installNativeProgram('landlock-launcher', nativeLauncherElf, dir, platform, arch);
}

/**
 * `<launcher> <fs> <net> <scoped> <rules…> --` for `policy` on a kernel of Landlock ABI `abi`,
 * ready to be followed by the program and its arguments (`program` is what it will exec, and
 * the only file besides its loader that may be executed). The same rule set as the Perl
 * launcher: the policy's read-only and read-write paths, the sandbox devices, the program.
 */
export function nativeLandlockPrefix(
  launcher: string,
  policy: SelfSandboxPolicy,
  program: string,
  abi: number,
): string[] {
  const handled = handledAccess(abi);
  const rules: string[] = [];
  const rule = (kind: keyof typeof RULE_RIGHTS, path: string) => {
    const dir = RULE_RIGHTS[kind] & handled.fs;
    rules.push(String(dir), String(dir & FILE_RIGHTS), path);
  };
  for (const path of policy.readOnly) rule('read', path);
  for (const path of policy.readWrite) rule('write', path);
  for (const path of SANDBOX_DEVICES) rule('device', path);
  for (const path of executeSet(program)) rule('execute', path);
  return [
    launcher,
    String(handled.fs),
    String(handled.net),
    String(handled.scoped),
    ...rules,
    '--',
  ];
}
