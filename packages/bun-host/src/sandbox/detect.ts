/**
 * Feature detection of the isolation layers, done once per host and cached. Each layer is
 * proven by running it, not by finding a binary: `bwrap` may exist yet fail (no user
 * namespaces in a container), `setpriv` may lack `--pdeathsig` (old util-linux).
 */
import { execFile, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { errorMessage } from '@spindle/types';
import { bunCommand, bunPath } from './bun-command.ts';
import { bwrapArgs } from './bwrap.ts';
import { installGroupLauncher } from './group-native.ts';
import { installNativeLauncher } from './landlock-native.ts';
import { LANDLOCK_EXEC_PERL, PRCTL_SYSCALL } from './landlock-perl.ts';
import type { GuardCapabilities, SandboxCapabilities } from './types.ts';
import { bunDirs, runtimeSourceDefaults } from './view.ts';

/** How long one probe may run before it counts as failed. */
export const PROBE_TIMEOUT_MS = 10_000;

const LANDLOCK_MODULE = fileURLToPath(new URL('./landlock.ts', import.meta.url));

let cached: SandboxCapabilities | undefined;
let pending: Promise<SandboxCapabilities> | undefined;
let guardOnly: GuardCapabilities | undefined;
const warnedOnce = new Set<string>();

interface Probe {
  layer:
    | 'bwrap'
    | 'setpriv'
    | 'landlock'
    | 'bunNoOrphans'
    | 'perlLandlock'
    | 'nativeLandlock'
    | 'groupLauncher';
  cmd: string[];
}

interface ProbeResult {
  ok: boolean;
  /** Exit status; null when killed or never started. */
  code: number | null;
  stdout: string;
  detail: string;
}

/** Finds an executable on `PATH` (plus the usual system folders). */
export function findExecutable(name: string, envPath = process.env.PATH ?? ''): string | undefined {
  const dirs = [...envPath.split(delimiter), '/usr/bin', '/bin', '/usr/sbin', '/sbin'];
  for (const dir of dirs) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** `setpriv --pdeathsig KILL true`: proves the flag is supported, in a few milliseconds. */
function setprivProbe(setpriv: string): string[] {
  return [setpriv, '--pdeathsig', 'KILL', findExecutable('true') ?? '/bin/true'];
}

/**
 * `bun --help`: Bun accepts unknown flags silently, so running `bun --no-orphans` proves
 * nothing; a Bun that implements the flag lists it in its help.
 */
function bunHelpProbe(bun: string[]): string[] {
  return [...bun, '--help'];
}

/** Whether a `bun --help` probe shows the `--no-orphans` flag. */
function listsNoOrphans(result: ProbeResult): boolean {
  return result.ok && /(^|\s)--no-orphans(\s|$)/m.test(result.stdout);
}

/** The process-group launcher written into the cache and proven by its `--check`. */
function groupLauncherSync(): Pick<GuardCapabilities, 'groupLauncher' | 'groupLauncherPath'> {
  const path = installGroupLauncher();
  return path && runSync([path, '--check']).ok
    ? { groupLauncher: true, groupLauncherPath: path }
    : { groupLauncher: false };
}

/**
 * What `process` mode needs of the capabilities: the full detection when it already ran, else
 * only its own probes (`bun --help` for `--no-orphans`, setpriv, the process-group launcher;
 * run once, synchronously, cached), so starting a `process` runtime never waits for the bwrap
 * and Landlock probes.
 */
export function guardCapabilitiesSync(): GuardCapabilities {
  if (cached) return pickGuard(cached);
  if (!guardOnly) {
    let bunNoOrphans = false;
    try {
      bunNoOrphans = listsNoOrphans(runSync(bunHelpProbe(bunCommand(process.env))));
    } catch {
      // A bad LUMIVERSE_BUN_* setting: planLaunch reports it.
    }
    const setpriv = process.platform === 'linux' ? findExecutable('setpriv') : undefined;
    guardOnly = {
      bunNoOrphans,
      ...(setpriv && runSync(setprivProbe(setpriv)).ok
        ? { setpriv: true, setprivPath: setpriv }
        : { setpriv: false }),
      ...groupLauncherSync(),
    };
  }
  return guardOnly;
}

function pickGuard(caps: SandboxCapabilities): GuardCapabilities {
  return {
    bunNoOrphans: caps.bunNoOrphans ?? false,
    setpriv: caps.setpriv,
    ...(caps.setprivPath === undefined ? {} : { setprivPath: caps.setprivPath }),
    groupLauncher: caps.groupLauncher ?? false,
    ...(caps.groupLauncherPath === undefined ? {} : { groupLauncherPath: caps.groupLauncherPath }),
  };
}

function probes(platform: NodeJS.Platform): {
  list: Probe[];
  paths: Partial<SandboxCapabilities>;
  reasons: string[];
} {
  const reasons: string[] = [];
  const list: Probe[] = [];
  const paths: Partial<SandboxCapabilities> = {};
  let bun: string[];
  try {
    bun = bunCommand(process.env);
  } catch (error) {
    return { list, paths, reasons: [`cannot build the Bun command: ${errorMessage(error)}`] };
  }
  list.push({ layer: 'bunNoOrphans', cmd: bunHelpProbe(bun) });
  if (platform !== 'linux') {
    reasons.push(`bwrap, setpriv and Landlock are Linux-only (platform ${platform})`);
    return { list, paths, reasons };
  }
  const bwrap = findExecutable('bwrap');
  if (bwrap) {
    paths.bwrapPath = bwrap;
    // The real flag set, the real read-only view and Bun itself: what a sandboxed runtime gets.
    const view = {
      readOnly: [...runtimeSourceDefaults(), ...bunDirs(bunPath(process.env))],
      readWrite: [],
      cwd: '/tmp',
    };
    try {
      list.push({ layer: 'bwrap', cmd: [bwrap, ...bwrapArgs(view), ...bun, '--version'] });
    } catch (error) {
      reasons.push(`bwrap cannot be set up: ${errorMessage(error)}`);
    }
  } else reasons.push('bwrap is not installed (Debian package "bubblewrap")');
  // Not a layer either: without it, children get their group from a new session.
  const group = installGroupLauncher();
  if (group) {
    paths.groupLauncherPath = group;
    list.push({ layer: 'groupLauncher', cmd: [group, '--check'] });
  }
  const setpriv = findExecutable('setpriv');
  if (setpriv) {
    paths.setprivPath = setpriv;
    list.push({ layer: 'setpriv', cmd: setprivProbe(setpriv) });
  } else reasons.push('setpriv is not installed (util-linux)');
  const code = `const m = await import(${JSON.stringify(LANDLOCK_MODULE)}); console.log(m.landlockAbi());`;
  list.push({ layer: 'landlock', cmd: [...bun, '-e', code] });
  // The cheap launcher: not a layer of its own, so its absence gives no reason.
  const perl = findExecutable('perl');
  if (perl && PRCTL_SYSCALL[process.arch] !== undefined) {
    paths.perlPath = perl;
    list.push({ layer: 'perlLandlock', cmd: [perl, LANDLOCK_EXEC_PERL, '--abi'] });
  }
  // The cheapest launcher (x86-64 only), written into the workspace's cache on first use.
  const native = installNativeLauncher();
  if (native) {
    paths.nativeLandlockPath = native;
    list.push({ layer: 'nativeLandlock', cmd: [native, '--abi'] });
  }
  return { list, paths, reasons };
}

function combine(
  platform: NodeJS.Platform,
  prepared: ReturnType<typeof probes>,
  results: ProbeResult[],
): SandboxCapabilities {
  const caps: SandboxCapabilities = {
    bwrap: false,
    landlock: false,
    sandboxExec: platform === 'darwin' && existsSync('/usr/bin/sandbox-exec'),
    setpriv: false,
    bunNoOrphans: false,
    ...prepared.paths,
  };
  const reasons = [...prepared.reasons];
  if (platform === 'darwin' && !caps.sandboxExec) reasons.push('/usr/bin/sandbox-exec is missing');
  let nativeAbi = 0;
  prepared.list.forEach((probe, i) => {
    const result = results[i]!;
    if (probe.layer === 'bunNoOrphans') {
      // Not an isolation layer: setpriv stands in when it is missing, so no reason is given.
      caps.bunNoOrphans = listsNoOrphans(result);
    } else if (probe.layer === 'groupLauncher') {
      caps.groupLauncher = result.ok;
    } else if (probe.layer === 'nativeLandlock') {
      // Its exit status is the ABI; it must agree with what Bun's probe read.
      nativeAbi = result.code ?? 0;
    } else if (probe.layer === 'perlLandlock') {
      caps.perlLandlock = result.ok && Number.parseInt(result.stdout.trim(), 10) > 0;
    } else if (probe.layer === 'landlock') {
      const abi = Number.parseInt(result.stdout.trim(), 10);
      if (result.ok && abi > 0) {
        caps.landlock = true;
        caps.landlockAbi = abi;
      } else if (result.ok) reasons.push('the kernel has no Landlock (or it is disabled)');
      else reasons.push(`the Landlock probe failed: ${result.detail}`);
    } else if (result.ok) caps[probe.layer] = true;
    else reasons.push(`${probe.layer} probe failed: ${result.detail}`);
  });
  caps.nativeLandlock = caps.landlock && nativeAbi === caps.landlockAbi;
  if (!caps.nativeLandlock) delete caps.nativeLandlockPath;
  if (!caps.groupLauncher) {
    caps.groupLauncher = false;
    delete caps.groupLauncherPath;
  }
  if (reasons.length > 0) caps.reason = reasons.join('; ');
  return caps;
}

function summarize(
  code: number | null,
  signal: string | null,
  stderr: string,
  error?: unknown,
): string {
  if (error) return errorMessage(error);
  const tail = stderr.trim().split('\n').slice(-2).join(' | ');
  return `${signal ? `signal ${signal}` : `exit ${code}`}${tail ? `: ${tail}` : ''}`;
}

function runAsync(cmd: string[]): Promise<ProbeResult> {
  return new Promise((resolve) => {
    execFile(
      cmd[0]!,
      cmd.slice(1),
      { timeout: PROBE_TIMEOUT_MS, encoding: 'utf8' },
      (error, stdout, stderr) => {
        const code = error && typeof error.code === 'number' ? error.code : error ? null : 0;
        resolve({
          ok: !error,
          code,
          stdout,
          detail: summarize(
            code,
            error?.signal ?? null,
            stderr,
            error && code === null && !error.signal ? error : undefined,
          ),
        });
      },
    );
  });
}

function runSync(cmd: string[]): ProbeResult {
  const r = spawnSync(cmd[0]!, cmd.slice(1), { timeout: PROBE_TIMEOUT_MS, encoding: 'utf8' });
  return {
    ok: !r.error && r.status === 0,
    code: r.error ? null : r.status,
    stdout: r.stdout ?? '',
    detail: summarize(r.status, r.signal, r.stderr ?? '', r.error),
  };
}

/**
 * Probes the isolation layers once (bwrap with the sandbox's own flags around `bun --version`,
 * `setpriv --pdeathsig KILL`, Landlock's ABI from a Bun child, `sandbox-exec` on macOS) and
 * caches the answer for the life of the process.
 */
export function detectSandbox(): Promise<SandboxCapabilities> {
  if (cached) return Promise.resolve(cached);
  pending ??= (async () => {
    const platform = process.platform;
    const prepared = probes(platform);
    const results = await Promise.all(prepared.list.map((p) => runAsync(p.cmd)));
    cached = combine(platform, prepared, results);
    pending = undefined;
    return cached;
  })();
  return pending;
}

/** Synchronous `detectSandbox`, for `planLaunch` called before any detection (same cache). */
export function detectSandboxSync(): SandboxCapabilities {
  if (cached) return cached;
  const platform = process.platform;
  const prepared = probes(platform);
  cached = combine(
    platform,
    prepared,
    prepared.list.map((p) => runSync(p.cmd)),
  );
  return cached;
}

/** Forgets the cached detection and the warning flag (tests; after installing a layer). */
export function resetSandboxDetection(): void {
  cached = undefined;
  pending = undefined;
  guardOnly = undefined;
  warnedOnce.clear();
}

/** Prints `message` with `console.warn` the first time it is seen in this process. */
export function warnOnce(message: string): void {
  if (warnedOnce.has(message)) return;
  warnedOnce.add(message);
  console.warn(message);
}

/**
 * Warns once per process that `sandbox` mode runs without isolation. Loud on purpose: running
 * extensions unconfined must never go unnoticed.
 */
export function warnSandboxUnavailable(reason: string | undefined): void {
  if (warnedOnce.has('unavailable')) return;
  warnedOnce.add('unavailable');
  console.warn(
    `[spindle] WARNING: runtime mode "sandbox" has NO isolation layer on this machine; ` +
      `extensions run unconfined (sandbox: "unavailable"). Reason: ${reason ?? 'unknown'}`,
  );
}
