/**
 * Launch planning: turns "run this Bun script for an extension" into the exact command line and
 * environment, with the Termux Bun command, a scrubbed environment, a parent-death guard and, in
 * `sandbox` mode, the isolation layers this machine has (bwrap + Landlock on Linux,
 * `sandbox-exec` on macOS).
 *
 * ```ts
 * const plan = planLaunch({ script, cwd: extDir, mode: 'sandbox',
 *   sandbox: { readOnly: [extDir], readWrite: [storageDir] } }, await detectSandbox());
 * Bun.spawn({ cmd: plan.cmd, env: plan.env, cwd: extDir, ipc, serialization: 'json',
 *   detached: plan.group !== 'launcher' });
 * ```
 */
import { dirname, isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type SandboxLayer, type SandboxStatus, SpindleError } from '@spindle/types';
import { bunCommand, bunPath } from './bun-command.ts';
import { bwrapArgs, systemPaths } from './bwrap.ts';
import {
  detectSandboxSync,
  guardCapabilitiesSync,
  warnOnce,
  warnSandboxUnavailable,
} from './detect.ts';
import { scrubEnv } from './env.ts';
import type { SelfSandboxResult } from './landlock.ts';
import { nativeLandlockPrefix } from './landlock-native.ts';
import { perlLandlockPrefix } from './landlock-perl.ts';
import { policyFromEnv, SANDBOX_POLICY_ENV, type SelfSandboxPolicy } from './policy.ts';
import { sandboxExecProfile } from './seatbelt.ts';
import type { GuardCapabilities, LaunchPlan, LaunchSpec, SandboxCapabilities } from './types.ts';
import { bunDirs, collapse, realOrSelf, runtimeSourceDefaults } from './view.ts';

export { BUN_METHODS, type BunMethod, bunCommand, bunPath, TERMUX_PREFIX } from './bun-command.ts';
export { bwrapArgs, ETC_ENTRIES, SYSTEM_DIRS, systemPaths } from './bwrap.ts';
export {
  detectSandbox,
  detectSandboxSync,
  findExecutable,
  guardCapabilitiesSync,
  resetSandboxDetection,
} from './detect.ts';
export { SANDBOX_DEVICES } from './devices.ts';
export {
  ENV_ALLOW_EXACT,
  ENV_ALLOW_PREFIXES,
  isAllowedEnvName,
  SECRET_NAME,
  scrubEnv,
} from './env.ts';
export { groupLauncherElf, installGroupLauncher } from './group-native.ts';
export type { SelfSandboxResult } from './landlock.ts';
export {
  installNativeLauncher,
  LAUNCHER_FAILURE,
  NATIVE_LAUNCHER_DIR,
  nativeLandlockPrefix,
  nativeLauncherElf,
} from './landlock-native.ts';
export { LANDLOCK_EXEC_PERL, PRCTL_SYSCALL, perlLandlockPrefix } from './landlock-perl.ts';
export { FILE_RIGHTS, FS as LANDLOCK_FS, handledAccess, RULE_RIGHTS } from './landlock-rights.ts';
export { policyFromEnv, SANDBOX_POLICY_ENV, type SelfSandboxPolicy } from './policy.ts';
export { type SeatbeltPolicy, sandboxExecProfile } from './seatbelt.ts';
export type {
  GuardCapabilities,
  LaunchPlan,
  LaunchSandboxPaths,
  LaunchSpec,
  SandboxCapabilities,
} from './types.ts';

/** Launcher that applies Landlock and then execs the Bun child (see `landlock-exec.ts`). */
export const LANDLOCK_EXEC: string = fileURLToPath(new URL('./landlock-exec.ts', import.meta.url));

/** `sandbox-exec` on macOS. */
export const SANDBOX_EXEC = '/usr/bin/sandbox-exec';

/** Procfs entries a Landlock-only child may read (bwrap children get their own /proc). */
const PROC_SELF_VIEW = [
  '/proc/self',
  '/proc/stat',
  '/proc/meminfo',
  '/proc/cpuinfo',
  '/proc/uptime',
];

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Plans the launch of one Bun child.
 *
 * - `process` mode: `bun --no-orphans <script> <args>`, or `[setpriv --pdeathsig KILL] <bun
 *   command> <script> <args>` (see `guardedBun`).
 * - `sandbox` mode, first layer set available: bwrap (+ a Landlock launcher when the kernel
 *   has Landlock: the native one when detection proved it, else `landlock-exec.pl` when Perl
 *   was proven to run it, else `landlock-exec.ts`); else `sandbox-exec` with a generated
 *   profile; else Landlock alone
 *   (+ setpriv); else no isolation, `sandbox: 'unavailable'` and one loud warning per process.
 *   Landlock needs `LUMIVERSE_BUN_METHOD=direct` (it execs the Bun binary itself).
 *
 * Every plan gives the child its own process group (`LaunchPlan.group`): through the
 * process-group launcher in front of the command when detection proved it (x86-64 Linux) and no
 * bwrap runs, else by the caller spawning it `detached`.
 *
 * `caps` defaults to the cached detection (running it synchronously the first time; in
 * `process` mode only the setpriv probe). Pass `await detectSandbox()` to keep the host's
 * event loop free of the probes.
 * @throws SpindleError `INVALID_OPTIONS` for relative paths, bad variable names, a bad
 *   `LUMIVERSE_BUN_*` setting, a missing sandbox path or a cwd the sandbox cannot see.
 */
export function planLaunch(spec: LaunchSpec, caps?: SandboxCapabilities): LaunchPlan {
  checkSpec(spec);
  const baseEnv = spec.baseEnv ?? process.env;
  const bun = bunCommand(baseEnv);
  const env: Record<string, string> = { ...scrubEnv(baseEnv), ...checkedExtraEnv(spec.env) };
  const target = [spec.script, ...(spec.args ?? [])];
  if (spec.mode === 'process') {
    const guard = caps ?? guardCapabilitiesSync();
    return { ...ownGroup([...guardedBun(bun, guard), ...target], guard), env };
  }
  const found = caps ?? detectSandboxSync();

  const bunBinary = bunPath(baseEnv);
  // The launcher execs one binary; a grun/proot wrapper cannot be exec'd that way.
  const landlock = found.landlock && bun.length === 1;
  const native =
    landlock && found.nativeLandlock && found.nativeLandlockPath && found.landlockAbi
      ? { path: found.nativeLandlockPath, abi: found.landlockAbi }
      : undefined;
  const readOnly = collapse([
    ...(spec.sandbox?.runtimeSources ?? runtimeSourceDefaults(spec.script)),
    ...bunDirs(bunBinary),
    // Whichever launcher runs must be visible in the sandbox.
    ...(landlock ? [dirname(LANDLOCK_EXEC)] : []),
    ...(native ? [dirname(native.path)] : []),
    ...(spec.sandbox?.readOnly ?? []),
  ]);
  const readWrite = collapse(spec.sandbox?.readWrite ?? []);
  const layers: SandboxLayer[] = [];
  /**
   * The command that applies `policy` and then execs Bun: the native launcher, else the Perl
   * one, when detection proved it works; else the Bun launcher started with `launcher` (Bun,
   * maybe guarded). `guard` puts `--no-orphans` on the exec'd Bun when nothing else guards it.
   */
  const landlocked = (policy: SelfSandboxPolicy, launcher: string[] = bun, guard = false) => {
    env[SANDBOX_POLICY_ENV] = JSON.stringify(policy);
    const prefix = native
      ? nativeLandlockPrefix(native.path, policy, bun[0]!, native.abi)
      : found.perlLandlock
        ? perlLandlockPrefix(found.perlPath ?? 'perl', policy, bun[0]!)
        : undefined;
    if (prefix) {
      if (!guard) return [...prefix, bun[0]!];
      return found.bunNoOrphans
        ? [...prefix, bun[0]!, '--no-orphans']
        : [...deathGuard(found), ...prefix, bun[0]!];
    }
    return [...launcher, LANDLOCK_EXEC, bun[0]!];
  };

  if (found.bwrap) {
    const prefix = [
      found.bwrapPath ?? 'bwrap',
      ...bwrapArgs({ readOnly, readWrite, cwd: spec.cwd }),
    ];
    layers.push('bwrap');
    // The host's home is not in the sandbox; the private /tmp is the only writable scratch.
    env.TMPDIR = '/tmp';
    env.HOME = '/tmp';
    let start = bun;
    if (landlock) {
      layers.push('landlock');
      start = landlocked({
        readOnly: [...systemPaths(), '/proc', '/sys/devices/system/cpu', ...readOnly],
        readWrite: ['/tmp', ...readWrite],
      });
    }
    // Spawned `detached`: `--new-session` makes a new session inside anyway, so the group
    // launcher's exec would only add to the start (measured: about 0.2 ms).
    return { cmd: [...prefix, ...start, ...target], env, sandbox: layers, group: 'session' };
  }

  if (found.sandboxExec) {
    const profile = sandboxExecProfile({
      bun: [bunBinary, realOrSelf(bunBinary)],
      readOnly: readOnly.map(realOrSelf),
      readWrite: readWrite.map(realOrSelf),
    });
    return {
      cmd: [SANDBOX_EXEC, '-p', profile, ...bun, ...target],
      env,
      sandbox: ['sandbox-exec'],
    };
  }

  if (landlock) {
    if ((found.landlockAbi ?? 0) < 4) {
      warnOnce(
        `[spindle] WARNING: sandbox mode uses Landlock alone and this kernel's Landlock (ABI ${found.landlockAbi ?? '?'}) cannot restrict TCP; sandboxed runtimes keep network access. Install bubblewrap for full isolation.`,
      );
    }
    // The launcher execs Bun: a parent-death setting of the launcher survives the exec.
    const start = landlocked(
      {
        readOnly: [...systemPaths(), ...PROC_SELF_VIEW, '/sys/devices/system/cpu', ...readOnly],
        readWrite,
      },
      guardedBun(bun, found),
      true,
    );
    return { ...ownGroup([...start, ...target], found), env, sandbox: ['landlock'] };
  }

  const why = [
    found.reason,
    found.landlock ? 'Landlock needs LUMIVERSE_BUN_METHOD=direct' : undefined,
  ];
  warnSandboxUnavailable(why.filter(Boolean).join('; ') || undefined);
  const unavailable: SandboxStatus = 'unavailable';
  return { ...ownGroup([...guardedBun(bun, found), ...target], found), env, sandbox: unavailable };
}

/**
 * `cmd` started through the process-group launcher when detection proved it and `cmd` names its
 * program by absolute path (the launcher execs it without a `PATH` search); else `cmd` as is,
 * for the caller to spawn `detached` (see `LaunchPlan.group`).
 */
function ownGroup(
  cmd: string[],
  caps: Pick<GuardCapabilities, 'groupLauncher' | 'groupLauncherPath'>,
): Pick<LaunchPlan, 'cmd' | 'group'> {
  if (caps.groupLauncher && caps.groupLauncherPath && isAbsolute(cmd[0]!)) {
    return { cmd: [caps.groupLauncherPath, ...cmd], group: 'launcher' };
  }
  return { cmd, group: 'session' };
}

/**
 * The Bun command with a parent-death guard, for children outside bwrap. The IPC channel
 * closing when the host dies is not enough: a child whose event loop is blocked (an extension
 * stuck in a sync loop) never runs the disconnect handler and would live on as an orphan. Both
 * guards ask the kernel to SIGKILL the child when its parent dies, whatever the child is doing
 * (bwrap's `--die-with-parent` is the same mechanism):
 *
 * - `bun --no-orphans <script>` when this Bun has the flag and is started directly: Bun sets
 *   the signal natively before any JavaScript runs (exiting at once if the parent is already
 *   gone), and kills its own descendants when it exits. No extra process on the start path.
 * - else `setpriv --pdeathsig KILL <bun command>`: setpriv sets it and execs Bun; the setting
 *   survives exec. (A Termux wrapper stands between setpriv and Bun, so it takes this path.)
 * - else no guard.
 */
export function guardedBun(bun: string[], caps: GuardCapabilities): string[] {
  if (caps.bunNoOrphans && bun.length === 1) return [bun[0]!, '--no-orphans'];
  return [...deathGuard(caps), ...bun];
}

/** The `setpriv --pdeathsig KILL` prefix, or nothing without setpriv (see `guardedBun`). */
export function deathGuard(caps: Pick<SandboxCapabilities, 'setpriv' | 'setprivPath'>): string[] {
  return caps.setpriv ? [caps.setprivPath ?? 'setpriv', '--pdeathsig', 'KILL'] : [];
}

/**
 * Landlock self-restriction of the calling thread, for a child bootstrap that wants it as an
 * extra layer. NOT a substitute for the launcher: Landlock binds only the calling thread and
 * threads it creates later, and Bun's worker threads (async `fs`) already run when user code
 * starts, so they stay unrestricted. `planLaunch` therefore applies Landlock in
 * `landlock-exec.ts` before exec'ing Bun. `policy` defaults to `LUMIVERSE_SPINDLE_SANDBOX_POLICY`.
 * Resolves `{ applied: false, reason }` outside Bun, outside Linux, on kernels without Landlock,
 * or without a policy; never throws.
 */
export async function applySelfSandbox(policy?: SelfSandboxPolicy): Promise<SelfSandboxResult> {
  const wanted = policy ?? policyFromEnv(process.env);
  if (!wanted)
    return { applied: false, abi: 0, reason: `no policy given and ${SANDBOX_POLICY_ENV} is unset` };
  if (process.versions.bun === undefined) {
    return { applied: false, abi: 0, reason: 'Landlock self-restriction needs Bun (bun:ffi)' };
  }
  if (process.platform !== 'linux')
    return { applied: false, abi: 0, reason: 'Landlock is Linux-only' };
  const { applyLandlock } = await import('./landlock.ts');
  return applyLandlock(wanted);
}

function checkSpec(spec: LaunchSpec): void {
  if (spec.mode !== 'process' && spec.mode !== 'sandbox') {
    throw new SpindleError(
      'INVALID_OPTIONS',
      `launch mode must be "process" or "sandbox", got "${String(spec.mode)}"`,
    );
  }
  for (const [name, path] of [
    ['script', spec.script],
    ['cwd', spec.cwd],
  ] as const) {
    if (typeof path !== 'string' || !isAbsolute(path)) {
      throw new SpindleError(
        'INVALID_OPTIONS',
        `launch ${name} must be an absolute path, got "${String(path)}"`,
        {
          details: { [name]: path },
        },
      );
    }
  }
}

function checkedExtraEnv(extra: Record<string, string> | undefined): Record<string, string> {
  if (!extra) return {};
  for (const [name, value] of Object.entries(extra)) {
    if (!ENV_NAME.test(name) || typeof value !== 'string' || value.includes('\0')) {
      throw new SpindleError(
        'INVALID_OPTIONS',
        `launch env "${name}" has an invalid name or value`,
        {
          details: { name },
        },
      );
    }
  }
  return { ...extra };
}
