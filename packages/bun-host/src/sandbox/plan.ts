/**
 * `planLaunch`: turns "run this Bun script for an extension" into the exact command line,
 * environment, user and pids cap of the child, from the policy (`policy.ts`) and the layers
 * this machine proved it has (`detect.ts`). The only place the layers are put together.
 */
import { chownSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { type SandboxLayer, SpindleError } from '@spindle/types';
import { bunCommand, bunPath } from './bun-command.ts';
import { bwrapArgs, PID_NAMESPACE_ARGS, systemPaths } from './bwrap.ts';
import { CHILD_GUARD_ENV } from './child-guard.ts';
import { warnOnce } from './detect.ts';
import { scrubEnv } from './env.ts';
import { landlockPrefix } from './landlock.ts';
import { bootstrapSourceDirs, HOST_PACKAGE_DIR, isWithin, realOrSelf } from './paths.ts';
import { childPolicy, list } from './policy.ts';
import { sandboxExecProfile } from './seatbelt.ts';
import { checkReachable, childUser, type RuntimeUser, resolveLaunchSettings } from './settings.ts';
import type { LaunchPlan, LaunchSpec, PidsPlan, SandboxCapabilities } from './types.ts';

/** `sandbox-exec` on macOS. */
export const SANDBOX_EXEC = '/usr/bin/sandbox-exec';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Bun options every runtime and backend process starts with, in every mode: no auto-install (an
 * extension's bare import of a package it did not ship must fail, not download it from the
 * registry into a cache at run time) and no `.env` files read from its folder (its environment is
 * the scrubbed one the host gives it). A worker runtime has the host's own Bun, whose command
 * (`spindle-host`) passes `--no-install` too.
 */
export const BUN_RUNTIME_FLAGS: readonly string[] = Object.freeze(
  list('--no-install --no-env-file'),
);

/**
 * Plans the launch of one Bun child (`caps`: `await detectSandbox(user)` for its user). Both
 * modes: the scrubbed environment, a parent-death guard, the pids cap, on a root host the
 * runtime user (who gets the read-write folders) or a refusal. `process`: a PID namespace
 * through bwrap (else a warning). `sandbox`: bwrap, the Landlock launcher, Bun, whose bootstrap
 * installs the seccomp filter; `sandbox-exec` on macOS. A missing layer refuses the child with
 * its reason (`sandbox: unavailable (layer: why)`) unless a weaker sandbox is allowed.
 * @throws SpindleError `INVALID_OPTIONS` for bad paths, variables, settings or a cwd the sandbox
 *   cannot see; `LAUNCH_REFUSED` for a root child, a path the runtime user cannot reach, or a
 *   missing layer.
 */
export function planLaunch(spec: LaunchSpec, caps: SandboxCapabilities): LaunchPlan {
  checkSpec(spec);
  const baseEnv = spec.baseEnv ?? process.env;
  const settings = spec.settings ?? resolveLaunchSettings({}, baseEnv);
  const user = childUser(settings);
  const bun = bunCommand(baseEnv);
  const bunBinary = bunPath(baseEnv);
  const env: Record<string, string> = { ...scrubEnv(baseEnv), ...spec.env };
  const target = [...BUN_RUNTIME_FLAGS, spec.script, ...(spec.args ?? [])];
  const readOnly = spec.sandbox?.readOnly ?? [];
  const readWrite = spec.sandbox?.readWrite ?? [];
  if (user) handOver(user, [spec.script, spec.cwd, bunBinary, ...readOnly], readWrite);
  // The bwrap in front of the child (the sandbox's, or process mode's PID namespace).
  const bwrapped = spec.mode === 'sandbox' ? caps.bwrapPath : caps.pidNamespace && caps.bwrapPath;
  const nonRoot = user !== undefined || process.geteuid?.() !== 0;
  const ownNamespace = Boolean(bwrapped && caps.ownUserNamespace && nonRoot);
  const pids = pidsPlan(caps, settings.pidsMax, ownNamespace, user);
  const nproc = pids && 'rlimit' in pids ? { nproc: pids.rlimit } : {};
  const guard = (bpf: { bpf?: string }) => {
    if (caps.syscalls && ('bpf' in bpf || 'nproc' in nproc)) {
      env[CHILD_GUARD_ENV] = JSON.stringify({ ...caps.syscalls, ...bpf, ...nproc });
    }
  };
  const base = { env, ...(user ? { user } : {}), ...(pids ? { pids } : {}) };

  if (spec.mode === 'process') {
    // Without a filter to install, `prlimit` sets the limit for less than the guard's FFI costs.
    const limiter =
      'nproc' in nproc && caps.prlimitPath
        ? [caps.prlimitPath, `--nproc=${nproc.nproc}:${nproc.nproc}`, '--']
        : [];
    if (limiter.length === 0) guard({});
    const protections = user ? [`user ${user.name}`] : [];
    if (pids) protections.push('pids');
    else warnOnce(`[spindle] WARNING: process mode: no pids cap (${caps.missing.pids})`);
    if (caps.pidNamespace && caps.bwrapPath) {
      protections.push('pid namespace');
      const cmd = [caps.bwrapPath, ...PID_NAMESPACE_ARGS, ...limiter, ...bun, ...target];
      return { ...base, cmd, protections };
    }
    warnOnce(
      `[spindle] WARNING: process mode: no PID namespace (${caps.missing['pid namespace']}); a runtime's detached descendants can outlive the host`,
    );
    return { ...base, cmd: [...limiter, ...guarded(bun, caps), ...target], protections };
  }

  // A bootstrap that could not be bundled runs from this package's sources.
  const sources = isWithin(spec.script, HOST_PACKAGE_DIR) ? bootstrapSourceDirs() : [];
  const policy = childPolicy({
    script: spec.script,
    bun: bunBinary,
    readOnly: [...readOnly, ...sources],
    readWrite,
  });
  const layers: SandboxLayer[] = [];
  const missing: Partial<Record<SandboxLayer, string>> = {};
  /** Records whether `name` is in force, with the detection's reason (or `why`) when not. */
  const layer = (name: SandboxLayer, on: unknown, why = 'not found on this machine') => {
    if (on) layers.push(name);
    else missing[name] = caps.missing[name] ?? why;
    return Boolean(on);
  };
  // Under bwrap its --die-with-parent guards the child; without, Bun's own flag.
  let cmd = caps.platform === 'linux' && caps.bwrapPath ? bun : guarded(bun, caps);
  if (caps.platform === 'darwin') {
    if (layer('sandbox-exec', caps.sandboxExec)) {
      const profile = sandboxExecProfile({
        bun: [bunBinary, realOrSelf(bunBinary)],
        readOnly: policy.readOnly.map(realOrSelf),
        readWrite: policy.readWrite.map(realOrSelf),
      });
      cmd = [SANDBOX_EXEC, '-p', profile, ...cmd];
    }
  } else if (caps.platform !== 'linux') {
    missing.bwrap = `no sandbox for platform ${caps.platform}`;
  } else {
    const bwrap = layer('bwrap', caps.bwrapPath);
    // The launcher execs one binary (not a grun/proot wrapper); outside bwrap it sets
    // no-new-privs itself, with the number libseccomp gave.
    const prctl = caps.syscalls?.prctl ?? 0;
    const landlock = caps.landlockAbi && caps.perlPath && bun.length === 1 && (prctl || bwrap);
    if (
      layer('landlock', landlock, bun.length > 1 ? 'needs direct Bun' : 'needs bwrap or libseccomp')
    ) {
      const target = { abi: caps.landlockAbi, prctl, perl: caps.perlPath!, insideBwrap: bwrap };
      cmd = [...landlockPrefix(policy, { ...target, systemPaths: systemPaths() }), ...cmd];
    }
    if (bwrap) {
      const view = { readOnly: policy.readOnly, readWrite: policy.readWrite, cwd: spec.cwd };
      cmd = [caps.bwrapPath!, ...bwrapArgs(view), ...cmd];
      // The host's home is not in the sandbox; the private /tmp is the only writable scratch.
      env.TMPDIR = '/tmp';
      env.HOME = '/tmp';
    }
    if (layer('seccomp', caps.seccompFilter && caps.syscalls)) guard({ bpf: caps.seccompFilter });
    layer('pids', pids);
  }
  refuseUnlessAllowed(missing, settings.allowWeakerSandbox);
  return { ...base, cmd: [...cmd, ...target], sandbox: layers.length > 0 ? layers : 'unavailable' };
}

/** Refuses the child when a layer is missing, unless a weaker sandbox is allowed (logged). */
function refuseUnlessAllowed(missing: Partial<Record<string, string>>, allowed: boolean): void {
  const absent = Object.entries(missing);
  if (absent.length === 0) return;
  const why = `sandbox: unavailable (${absent.map((entry) => entry.join(': ')).join('; ')})`;
  const allow = 'allowWeakerSandbox / --allow-weaker-sandbox runs it with the layers there are';
  if (!allowed) {
    throw new SpindleError('LAUNCH_REFUSED', `[spindle] ${why}; not started (${allow})`, {
      details: { missing },
    });
  }
  warnOnce(`[spindle] ERROR: ${why}; running with a weaker sandbox, as explicitly allowed`);
}

/**
 * The pids cap. `RLIMIT_NPROC` counts a user's tasks per user namespace: in a namespace of its
 * own (bwrap as a user other than root) it caps just this child, at no cost. Else a cgroup of
 * its own (cheap to join on cgroup v2; a migration on v1, about one RCU grace period); else
 * `RLIMIT_NPROC` for a dedicated runtime user as a whole; root ignores `RLIMIT_NPROC`.
 */
function pidsPlan(
  caps: SandboxCapabilities,
  max: number,
  ownNamespace: boolean,
  user: RuntimeUser | undefined,
): PidsPlan | undefined {
  if (ownNamespace && caps.syscalls) return { rlimit: max };
  if (caps.pidsCgroup) return { cgroup: caps.pidsCgroup, max };
  return user && caps.syscalls ? { rlimit: max } : undefined;
}

/**
 * The Bun command with its parent-death guard: `--no-orphans` has the kernel SIGKILL it when the
 * host dies, set before any JavaScript runs (a blocked event loop cannot dodge it).
 */
function guarded(bun: string[], caps: SandboxCapabilities): string[] {
  if (caps.bunNoOrphans) return [...bun, '--no-orphans'];
  warnOnce('[spindle] WARNING: this Bun has no --no-orphans: a child can outlive a killed host');
  return bun;
}

/** Checks the runtime user can reach what it reads, and gives it its read-write folders. */
function handOver(user: RuntimeUser, reads: string[], writes: string[]): void {
  checkReachable(reads, user);
  for (const path of writes) chownSync(path, user.uid, user.gid);
  checkReachable(writes, user);
}

function checkSpec(spec: LaunchSpec): void {
  const bad = (message: string, details: Record<string, unknown>): never => {
    throw new SpindleError('INVALID_OPTIONS', `[spindle] ${message}`, { details });
  };
  if (spec.mode !== 'process' && spec.mode !== 'sandbox') {
    bad(`launch mode must be "process" or "sandbox", got "${String(spec.mode)}"`, {});
  }
  for (const [name, path] of Object.entries({ script: spec.script, cwd: spec.cwd })) {
    if (typeof path !== 'string' || !isAbsolute(path)) {
      bad(`launch ${name} must be an absolute path, got "${String(path)}"`, { [name]: path });
    }
  }
  for (const [name, value] of Object.entries(spec.env ?? {})) {
    if (!ENV_NAME.test(name) || typeof value !== 'string' || value.includes('\0')) {
      bad(`launch env "${name}" has an invalid name or value`, { name });
    }
  }
}
