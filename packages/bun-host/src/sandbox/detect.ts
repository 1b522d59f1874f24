/**
 * Layer detection, once per host and child user. Each layer is proven by running it as the
 * user the children will run as, not by finding a binary: `bwrap` may exist yet fail (no user
 * namespaces in a container), the kernel may lack Landlock, libseccomp may be missing. Bun-only.
 */
import { existsSync, readlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { errorMessage } from '@spindle/types';
import { bunCommand, bunPath } from './bun-command.ts';
import { bwrapArgs, PID_NAMESPACE_ARGS } from './bwrap.ts';
import { LANDLOCK_PERL } from './landlock.ts';
import { realOrSelf } from './paths.ts';
import { setUpPidsCgroup } from './pids.ts';
import type { RuntimeUser } from './settings.ts';
import type { SandboxCapabilities } from './types.ts';

/** How long one probe may run before it counts as failed. */
export const PROBE_TIMEOUT_MS = 10_000;

const cache = new Map<string, Promise<SandboxCapabilities>>();
const warned = new Set<string>();

/** Finds an executable on `PATH` or in the usual system folders (a minimal `PATH`). */
export function findExecutable(name: string, envPath = process.env.PATH ?? ''): string | undefined {
  return Bun.which(name, { PATH: `${envPath}:/usr/bin:/bin:/usr/sbin:/sbin` }) ?? undefined;
}

/** Runs `cmd` as `user` (the host's own when absent), bounded by `PROBE_TIMEOUT_MS`. */
async function probe(cmd: string[], user: RuntimeUser | undefined) {
  try {
    const child = Bun.spawn({
      cmd,
      stdout: 'pipe',
      stderr: 'pipe',
      timeout: PROBE_TIMEOUT_MS,
      killSignal: 'SIGKILL',
      ...(user ? { uid: user.uid, gid: user.gid } : {}),
    });
    const [code, stdout, stderr] = await Promise.all([
      child.exited,
      new Response(child.stdout).text(),
      new Response(child.stderr).text(),
    ]);
    const how = child.signalCode ? `signal ${child.signalCode}` : `exit ${code}`;
    const tail = stderr.trim().split('\n').slice(-2).join(' | ');
    return { ok: code === 0, stdout, detail: tail ? `${how}: ${tail}` : how };
  } catch (error) {
    return { ok: false, stdout: '', detail: errorMessage(error) };
  }
}

/**
 * Probes the layers for children running as `user` (Bun under bwrap with the sandbox's flags,
 * and with the PID namespace alone; Landlock's ABI through the Perl launcher; the seccomp
 * filter; the pids cgroup) and caches the answer for this process.
 */
export function detectSandbox(user?: RuntimeUser): Promise<SandboxCapabilities> {
  const key = user ? `${user.uid}:${user.gid}` : 'host';
  if (!cache.has(key)) cache.set(key, detect(user));
  return cache.get(key)!;
}

async function detect(user: RuntimeUser | undefined): Promise<SandboxCapabilities> {
  const platform = process.platform;
  const caps: SandboxCapabilities = {
    platform,
    bunNoOrphans: false,
    pidNamespace: false,
    landlockAbi: 0,
    sandboxExec: platform === 'darwin' && existsSync('/usr/bin/sandbox-exec'),
    missing: {},
  };
  let bun: string[];
  try {
    bun = bunCommand(process.env);
  } catch (error) {
    caps.missing.bwrap = `cannot build the Bun command: ${errorMessage(error)}`;
    return caps;
  }
  const help = await probe([...bun, '--help'], user);
  // Bun accepts unknown flags silently; one that implements it lists it.
  caps.bunNoOrphans = help.ok && /(^|\s)--no-orphans(\s|$)/m.test(help.stdout);
  if (platform === 'darwin') {
    if (!caps.sandboxExec) caps.missing['sandbox-exec'] = '/usr/bin/sandbox-exec is missing';
    return caps;
  }
  if (platform !== 'linux') {
    caps.missing.bwrap = `no sandbox for platform ${platform}`;
    return caps;
  }
  const bwrap = findExecutable('bwrap');
  const perl = findExecutable('perl');
  const bunDirs = [...new Set([dirname(bunPath()), dirname(realOrSelf(bunPath()))])];
  const view = { readOnly: bunDirs, readWrite: [], cwd: bunDirs[0]! };
  // The sandboxed Bun prints its user namespace: another than the host's means one of its own.
  const userns = "console.log(require('fs').readlinkSync('/proc/self/ns/user'))";
  const [sandbox, pidns, abi] = await Promise.all([
    bwrap ? probe([bwrap, ...bwrapArgs(view), ...bun, '-e', userns], user) : undefined,
    bwrap ? probe([bwrap, ...PID_NAMESPACE_ARGS, ...bun, '--version'], user) : undefined,
    perl ? probe([perl, '-e', LANDLOCK_PERL, '--', '--abi'], user) : undefined,
  ]);
  const noBwrap = 'bwrap is not installed (Debian package "bubblewrap")';
  if (sandbox?.ok) caps.bwrapPath = bwrap;
  else caps.missing.bwrap = sandbox ? `bwrap cannot start a sandbox: ${sandbox.detail}` : noBwrap;
  const ownNs = sandbox?.ok && sandbox.stdout.trim() !== readlinkSync('/proc/self/ns/user');
  caps.ownUserNamespace = ownNs === true;
  caps.pidNamespace = pidns?.ok === true;
  if (!caps.pidNamespace)
    caps.missing['pid namespace'] = pidns ? `bwrap: ${pidns.detail}` : noBwrap;
  caps.landlockAbi = abi?.ok ? Number.parseInt(abi.stdout.trim(), 10) || 0 : 0;
  if (perl) caps.perlPath = perl;
  const prlimit = findExecutable('prlimit');
  if (prlimit) caps.prlimitPath = prlimit;
  if (!perl) caps.missing.landlock = 'perl is not installed (the Landlock launcher)';
  else if (!abi?.ok) caps.missing.landlock = `the Landlock probe failed: ${abi?.detail}`;
  else if (caps.landlockAbi === 0)
    caps.missing.landlock = 'the kernel has no Landlock (or it is disabled)';
  const { buildSeccompGuard } = await import('./seccomp.ts');
  const seccomp = buildSeccompGuard();
  if (typeof seccomp === 'string') caps.missing.seccomp = seccomp;
  else [caps.seccompFilter, caps.syscalls] = [seccomp.filter, seccomp.syscalls];
  const pids = setUpPidsCgroup();
  if (typeof pids === 'string') caps.missing.pids = pids;
  else caps.pidsCgroup = pids;
  return caps;
}

/** Forgets the cached detection and warnings (tests; after installing a layer). */
export function resetSandboxDetection(): void {
  cache.clear();
  warned.clear();
}

/** Prints `message` with `console.warn` the first time it is seen in this process. */
export function warnOnce(message: string): void {
  if (warned.has(message)) return;
  warned.add(message);
  console.warn(message);
}
