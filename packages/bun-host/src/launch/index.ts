/**
 * Launch planning: turns "run this Bun script for an extension" into the exact command line and
 * environment, with the Termux Bun command, a scrubbed environment, a parent-death guard and, in
 * `sandbox` mode, the isolation layers this machine has (bwrap + Landlock on Linux,
 * `sandbox-exec` on macOS).
 *
 * ```ts
 * const plan = planLaunch({ script, cwd: extDir, mode: 'sandbox',
 *   sandbox: { readOnly: [extDir], readWrite: [storageDir] } }, await detectSandbox());
 * Bun.spawn({ cmd: plan.cmd, env: plan.env, cwd: extDir, ipc, serialization: 'json' });
 * ```
 */
import { isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type SandboxLayer, type SandboxStatus, SpindleError } from '@spindle/types';
import { bunCommand, bunPath } from './bun-command.ts';
import { bwrapArgs, systemPaths } from './bwrap.ts';
import { detectSandboxSync, warnSandboxUnavailable } from './detect.ts';
import { scrubEnv } from './env.ts';
import type { SelfSandboxResult } from './landlock.ts';
import { policyFromEnv, SANDBOX_POLICY_ENV, type SelfSandboxPolicy } from './policy.ts';
import { sandboxExecProfile } from './seatbelt.ts';
import type { LaunchPlan, LaunchSpec, SandboxCapabilities } from './types.ts';
import { bunDirs, collapse, realOrSelf, runtimeSourceDefaults } from './view.ts';

export { BUN_METHODS, type BunMethod, bunCommand, bunPath, TERMUX_PREFIX } from './bun-command.ts';
export { bwrapArgs, ETC_ENTRIES, SYSTEM_DIRS } from './bwrap.ts';
export {
  detectSandbox,
  detectSandboxSync,
  findExecutable,
  resetSandboxDetection,
} from './detect.ts';
export {
  ENV_ALLOW_EXACT,
  ENV_ALLOW_PREFIXES,
  isAllowedEnvName,
  SECRET_NAME,
  scrubEnv,
} from './env.ts';
export type { SelfSandboxResult } from './landlock.ts';
export { policyFromEnv, SANDBOX_POLICY_ENV, type SelfSandboxPolicy } from './policy.ts';
export { type SeatbeltPolicy, sandboxExecProfile } from './seatbelt.ts';
export type { LaunchPlan, LaunchSandboxPaths, LaunchSpec, SandboxCapabilities } from './types.ts';

/** Bun preload that applies Landlock in sandboxed children. */
export const SANDBOX_PRELOAD: string = fileURLToPath(
  new URL('./sandbox-preload.ts', import.meta.url),
);

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
 * - `process` mode: `[setpriv --pdeathsig KILL] <bun command> <script> <args>`.
 * - `sandbox` mode, first layer set available: bwrap (+ Landlock preload when the kernel has
 *   it); else `sandbox-exec` with a generated profile; else Landlock alone (+ setpriv); else
 *   no isolation, `sandbox: 'unavailable'` and one loud warning per process.
 *
 * `caps` defaults to the cached detection (running it synchronously the first time).
 * @throws SpindleError `INVALID_OPTIONS` for relative paths, bad variable names, a bad
 *   `LUMIVERSE_BUN_*` setting, a missing sandbox path or a cwd the sandbox cannot see.
 */
export function planLaunch(spec: LaunchSpec, caps?: SandboxCapabilities): LaunchPlan {
  checkSpec(spec);
  const baseEnv = spec.baseEnv ?? process.env;
  const bun = bunCommand(baseEnv);
  const env: Record<string, string> = { ...scrubEnv(baseEnv), ...checkedExtraEnv(spec.env) };
  const target = [spec.script, ...(spec.args ?? [])];
  const found = caps ?? detectSandboxSync();

  if (spec.mode === 'process') return { cmd: [...deathGuard(found), ...bun, ...target], env };

  const bunBinary = bunPath(baseEnv);
  const readOnly = collapse([
    ...(spec.sandbox?.runtimeSources ?? runtimeSourceDefaults(spec.script)),
    ...bunDirs(bunBinary),
    ...(spec.sandbox?.readOnly ?? []),
  ]);
  const readWrite = collapse(spec.sandbox?.readWrite ?? []);
  const layers: SandboxLayer[] = [];

  if (found.bwrap) {
    const prefix = [
      found.bwrapPath ?? 'bwrap',
      ...bwrapArgs({ readOnly, readWrite, cwd: spec.cwd }),
    ];
    layers.push('bwrap');
    env.TMPDIR = '/tmp';
    let preload: string[] = [];
    if (found.landlock) {
      layers.push('landlock');
      preload = ['--preload', SANDBOX_PRELOAD];
      env[SANDBOX_POLICY_ENV] = JSON.stringify({
        readOnly: [...systemPaths(), '/proc', '/sys/devices/system/cpu', ...readOnly],
        readWrite: ['/tmp', ...readWrite],
      } satisfies SelfSandboxPolicy);
    }
    return { cmd: [...prefix, ...bun, ...preload, ...target], env, sandbox: layers };
  }

  if (found.sandboxExec) {
    const profile = sandboxExecProfile({
      bun: realOrSelf(bunBinary),
      readOnly: readOnly.map(realOrSelf),
      readWrite: readWrite.map(realOrSelf),
    });
    return {
      cmd: [SANDBOX_EXEC, '-p', profile, ...bun, ...target],
      env,
      sandbox: ['sandbox-exec'],
    };
  }

  if (found.landlock) {
    env[SANDBOX_POLICY_ENV] = JSON.stringify({
      readOnly: [...systemPaths(), ...PROC_SELF_VIEW, '/sys/devices/system/cpu', ...readOnly],
      readWrite,
    } satisfies SelfSandboxPolicy);
    return {
      cmd: [...deathGuard(found), ...bun, '--preload', SANDBOX_PRELOAD, ...target],
      env,
      sandbox: ['landlock'],
    };
  }

  warnSandboxUnavailable(found.reason);
  const unavailable: SandboxStatus = 'unavailable';
  return { cmd: [...deathGuard(found), ...bun, ...target], env, sandbox: unavailable };
}

/**
 * Parent-death guard for children outside bwrap. The IPC channel closing when the host dies is
 * not enough: a child whose event loop is blocked (an extension stuck in a sync loop) never runs
 * the disconnect handler and would live on as an orphan. `setpriv --pdeathsig KILL` asks the
 * kernel to SIGKILL the child when its parent dies, whatever the child is doing; setpriv then
 * execs Bun, and the setting survives exec. (bwrap's `--die-with-parent` is the same mechanism.)
 */
export function deathGuard(caps: Pick<SandboxCapabilities, 'setpriv' | 'setprivPath'>): string[] {
  return caps.setpriv ? [caps.setprivPath ?? 'setpriv', '--pdeathsig', 'KILL'] : [];
}

/**
 * Landlock self-restriction for a child's bootstrap, to call before importing extension code
 * when the child was not started with `SANDBOX_PRELOAD`. `policy` defaults to the one
 * `planLaunch` put into `LUMIVERSE_SPINDLE_SANDBOX_POLICY`. Resolves `{ applied: false, reason }`
 * outside Bun, outside Linux, on kernels without Landlock, or without a policy; never throws.
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
