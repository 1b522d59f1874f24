/**
 * The pids layer: each child and everything it starts run in a cgroup of their own whose
 * `pids.max` caps their tasks (processes and threads), so a fork bomb stops at the cap. The
 * child joins it before its first instruction (`Bun.spawn`'s `cgroup`); once it exits, what is
 * left in it is killed and the cgroup removed. cgroup v1 or v2, wherever the host may create a
 * cgroup; elsewhere `RLIMIT_NPROC` under the dedicated runtime user (`child-guard.ts`).
 */
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { errorMessage } from '@spindle/types';

/** The host's own cgroup folder (`<host's pids cgroup>/spindle-<pid>`), parent of the children's. */
export interface PidsCgroup {
  dir: string;
  version: 1 | 2;
}

const HOST_PREFIX = 'spindle-';
let next = 0;
let hostCgroup: PidsCgroup | string | undefined;

/** Where this process's cgroup of the `pids` controller is, or why there is none. */
export function findPidsHierarchy(): { base: string; version: 1 | 2 } | string {
  if (process.platform !== 'linux') return 'cgroups are Linux-only';
  const own = readFileSync('/proc/self/cgroup', 'utf8').split('\n');
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n');
  // mountinfo: `id parent dev root point options… - fstype source super-options`.
  const mountOf = (type: string, option?: string) => {
    const line = mounts.find((l) => {
      const [fstype, , superOptions] = (l.split(' - ')[1] ?? '').split(' ');
      return fstype === type && (!option || superOptions?.split(',').includes(option));
    });
    const fields = line?.split(' ');
    return fields && { root: fields[3] ?? '/', point: fields[4] ?? '' };
  };
  const under = (mount: { root: string; point: string }, path: string) =>
    join(mount.point, mount.root === '/' ? path : path.slice(mount.root.length));
  const v1 = own.map((l) => /^\d+:(?:[^:]*,)?pids(?:,[^:]*)?:(.*)$/.exec(l)).find(Boolean);
  const v1Mount = mountOf('cgroup', 'pids');
  if (v1?.[1] && v1Mount) return { base: under(v1Mount, v1[1]), version: 1 };
  const v2 = own.map((l) => /^0::(.*)$/.exec(l)).find(Boolean);
  const v2Mount = mountOf('cgroup2');
  if (!v2?.[1] || !v2Mount) return 'no pids cgroup hierarchy is mounted';
  const base = under(v2Mount, v2[1]);
  try {
    if (!readFileSync(join(base, 'cgroup.subtree_control'), 'utf8').includes('pids')) {
      writeFileSync(join(base, 'cgroup.subtree_control'), '+pids');
    }
  } catch (error) {
    return `cannot enable pids below ${base} (${errorMessage(error)}); give the host a delegated cgroup of its own (systemd: Delegate=pids)`;
  }
  return { base, version: 2 };
}

/**
 * Creates the host's folder in the pids hierarchy (removing those of hosts that are gone), or
 * says why it cannot. The folder is removed when this process exits.
 */
export function setUpPidsCgroup(): PidsCgroup | string {
  hostCgroup ??= createHostCgroup();
  return hostCgroup;
}

function createHostCgroup(): PidsCgroup | string {
  let found: ReturnType<typeof findPidsHierarchy>;
  try {
    found = findPidsHierarchy();
  } catch (error) {
    return `cannot read this process's cgroups: ${errorMessage(error)}`;
  }
  if (typeof found === 'string') return found;
  const dir = join(found.base, `${HOST_PREFIX}${process.pid}`);
  try {
    for (const name of readdirSync(found.base)) {
      const pid = name.slice(HOST_PREFIX.length);
      if (name.startsWith(HOST_PREFIX) && /^\d+$/.test(pid) && !existsSync(`/proc/${pid}`)) {
        removeTree(join(found.base, name));
      }
    }
    mkdirSync(dir, { recursive: true });
    if (found.version === 2) writeFileSync(join(dir, 'cgroup.subtree_control'), '+pids');
  } catch (error) {
    return `cannot create a cgroup in ${found.base}: ${errorMessage(error)}`;
  }
  process.once('exit', () => removeTree(dir));
  return { dir, version: found.version };
}

/** Creates the cgroup of one child with `pids.max` = `max`; returns its folder. */
export function createChildCgroup(parent: PidsCgroup, max: number): string {
  next += 1;
  const dir = join(parent.dir, `child-${next}`);
  mkdirSync(dir);
  writeFileSync(join(dir, 'pids.max'), String(max));
  return dir;
}

/**
 * Kills what is left in a child's cgroup and removes it, retrying while its last tasks exit.
 * Resolves `false` when it could not be removed after `attempts` (the next host removes it).
 */
export async function releaseChildCgroup(dir: string, attempts = 100): Promise<boolean> {
  for (let i = 0; i < attempts; i++) {
    try {
      rmdirSync(dir);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true;
      killTasks(dir);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
  return false;
}

function killTasks(dir: string): void {
  try {
    const pids = readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean);
    for (const pid of pids) process.kill(Number(pid), 'SIGKILL');
  } catch {
    // Gone already, or not ours to kill.
  }
}

function removeTree(dir: string): void {
  try {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        killTasks(join(dir, entry.name));
        removeTree(join(dir, entry.name));
      }
    }
    rmdirSync(dir);
  } catch {
    // Busy or gone: the next host removes it.
  }
}
