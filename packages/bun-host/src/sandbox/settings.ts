/**
 * The operator's launch settings (cache folder, runtime user, what may be weakened) and the
 * host's own protections: a non-dumpable host, and no child running as root unless allowed.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { SpindleError } from '@spindle/types';

/** A user children run as: from `/etc/passwd` by name, or `uid:gid`. */
export interface RuntimeUser {
  name: string;
  uid: number;
  gid: number;
}

/** Launch settings as an operator gives them (host options, CLI flags). */
export interface LaunchOptions {
  /**
   * Folder for run-time caches (the bundled child bootstraps). Must be readable by the
   * runtime user. @default env `LUMIVERSE_SPINDLE_CACHE_DIR`, else `<dataDir>/cache` for a host,
   * else `$XDG_CACHE_HOME/spindle-runtime` (`~/.cache/spindle-runtime`)
   */
  cacheDir?: string;
  /**
   * When the host runs as root, every runtime and backend process runs as this user (a name
   * from `/etc/passwd`, or `uid:gid`); ignored otherwise. @default env
   * `LUMIVERSE_SPINDLE_RUNTIME_USER`, else none (and then runtimes of a root host are refused)
   */
  runtimeUser?: string;
  /**
   * Lets a root host without `runtimeUser` run its children as root. @default env
   * `LUMIVERSE_SPINDLE_ALLOW_ROOT_RUNTIMES`, else false
   */
  allowRootRuntimes?: boolean;
  /**
   * Starts `sandbox` children with the layers there are when one is missing, with an error in
   * the log, instead of refusing them. @default env `LUMIVERSE_SPINDLE_ALLOW_WEAKER_SANDBOX`,
   * else false
   */
  allowWeakerSandbox?: boolean;
  /** Tasks each child may run (`pids.max`). @default env `LUMIVERSE_SPINDLE_PIDS_MAX`, else 256 */
  pidsMax?: number;
}

/** `LaunchOptions` resolved. */
export interface LaunchSettings {
  cacheDir: string;
  runtimeUser?: RuntimeUser;
  allowRootRuntimes: boolean;
  allowWeakerSandbox: boolean;
  pidsMax: number;
}

/** Tasks each child may run when nothing else is configured. */
export const DEFAULT_PIDS_MAX = 256;

type Env = Record<string, string | undefined>;

/**
 * Resolves `options`, then `LUMIVERSE_SPINDLE_*` of `env`, then the defaults.
 * @throws SpindleError `INVALID_OPTIONS` for a relative cache folder, an unknown user, a bad
 *   flag or limit.
 */
export function resolveLaunchSettings(
  options: LaunchOptions,
  env: Env,
  defaultCache: string = join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'spindle-runtime'),
): LaunchSettings {
  const cacheDir = options.cacheDir ?? (env.LUMIVERSE_SPINDLE_CACHE_DIR || defaultCache);
  if (!isAbsolute(cacheDir)) invalid(`the cache folder must be absolute, got "${cacheDir}"`);
  const user = options.runtimeUser ?? (env.LUMIVERSE_SPINDLE_RUNTIME_USER || undefined);
  const pidsMax = options.pidsMax ?? Number(env.LUMIVERSE_SPINDLE_PIDS_MAX || DEFAULT_PIDS_MAX);
  if (!Number.isInteger(pidsMax) || pidsMax < 16) {
    invalid(`the pids limit must be an integer of at least 16, got "${pidsMax}"`);
  }
  return {
    cacheDir,
    ...(user === undefined ? {} : { runtimeUser: lookupUser(user) }),
    allowRootRuntimes:
      options.allowRootRuntimes ?? flag(env, 'LUMIVERSE_SPINDLE_ALLOW_ROOT_RUNTIMES'),
    allowWeakerSandbox:
      options.allowWeakerSandbox ?? flag(env, 'LUMIVERSE_SPINDLE_ALLOW_WEAKER_SANDBOX'),
    pidsMax,
  };
}

function flag(env: Env, name: string): boolean {
  const value = env[name]?.trim().toLowerCase() ?? '';
  if (['', '0', 'false', 'no'].includes(value)) return false;
  if (['1', 'true', 'yes'].includes(value)) return true;
  return invalid(`${name} must be true or false, got "${env[name]}"`);
}

function invalid(message: string): never {
  throw new SpindleError('INVALID_OPTIONS', `[spindle] ${message}`);
}

/** Resolves a user name through `passwd`, or parses `uid:gid`. */
export function lookupUser(spec: string, passwd = '/etc/passwd'): RuntimeUser {
  const ids = /^(\d+):(\d+)$/.exec(spec);
  if (ids) return { name: spec, uid: Number(ids[1]), gid: Number(ids[2]) };
  const lines = existsSync(passwd) ? readFileSync(passwd, 'utf8').split('\n') : [];
  const entry = lines.map((line) => line.split(':')).find((fields) => fields[0] === spec);
  if (!entry) invalid(`runtime user "${spec}" is not in ${passwd} (give a name or uid:gid)`);
  return { name: spec, uid: Number(entry[2]), gid: Number(entry[3]) };
}

/**
 * The user a child runs as: `undefined` for the host's own (a host that is not root, or a root
 * host allowed to run root children), else the runtime user.
 * @throws SpindleError `LAUNCH_REFUSED` for a root host with neither.
 */
export function childUser(
  settings: Pick<LaunchSettings, 'runtimeUser' | 'allowRootRuntimes'>,
  euid: number | undefined = process.geteuid?.(),
): RuntimeUser | undefined {
  if (euid !== 0) return undefined;
  if (settings.runtimeUser && settings.runtimeUser.uid !== 0) return settings.runtimeUser;
  if (settings.allowRootRuntimes) return undefined;
  throw new SpindleError(
    'LAUNCH_REFUSED',
    '[spindle] refusing to start an extension runtime as root: set a runtime user ' +
      '(runtimeUser, --runtime-user, LUMIVERSE_SPINDLE_RUNTIME_USER; e.g. "nobody") or allow ' +
      'root runtimes explicitly (allowRootRuntimes, --allow-root-runtimes)',
  );
}

/**
 * Checks that `user` can reach (search every folder above, read the path itself) each path,
 * by the mode bits: a child that could not would fail later with a less clear error.
 * @throws SpindleError `LAUNCH_REFUSED` naming the first folder in the way.
 */
export function checkReachable(paths: string[], user: RuntimeUser): void {
  for (const path of paths) {
    const parts = path.split('/').filter(Boolean);
    const chain = ['/', ...parts.map((_, i) => `/${parts.slice(0, i + 1).join('/')}`)];
    chain.forEach((p, i) => {
      const st = statSync(p);
      const bits =
        st.uid === user.uid ? st.mode >> 6 : st.gid === user.gid ? st.mode >> 3 : st.mode;
      const need = i < chain.length - 1 ? 1 : st.isDirectory() ? 5 : 4;
      if ((bits & need) !== need) {
        throw new SpindleError(
          'LAUNCH_REFUSED',
          `[spindle] runtime user ${user.name} (uid ${user.uid}) cannot reach ${path}: ${p} is mode ${(st.mode & 0o777).toString(8)}, owner ${st.uid}:${st.gid}`,
          { details: { path, blockedAt: p } },
        );
      }
    });
  }
}

/**
 * Makes the host non-dumpable: processes of the same user can no longer read its
 * `/proc/<pid>/environ` (every secret of its environment) or its memory, nor trace it. Linux
 * under Bun; elsewhere a no-op. Idempotent.
 */
export async function hardenHost(): Promise<void> {
  if (process.platform !== 'linux' || process.versions.bun === undefined) return;
  const { dlopen } = await import('bun:ffi');
  const prctl = { args: ['i32', 'u64', 'u64', 'u64', 'u64'], returns: 'i32' } as const;
  // PR_SET_DUMPABLE is 4.
  if (dlopen('libc.so.6', { prctl }).symbols.prctl(4, 0, 0, 0, 0) !== 0) {
    throw new SpindleError('INTERNAL', '[spindle] prctl(PR_SET_DUMPABLE, 0) failed');
  }
}
