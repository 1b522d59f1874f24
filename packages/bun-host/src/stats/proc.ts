/**
 * Linux /proc readers for runtime stats. A runtime's footprint is its process plus its
 * descendants: in `sandbox` mode the pid the host holds is bwrap's, and the Bun runtime is two
 * levels below it (bwrap forks the namespace init, which forks Bun).
 */
import { spawnSync } from 'node:child_process';

/** Reads a /proc file as text; throws when it is absent (the process is gone). */
export type ReadProc = (path: string) => string;

/** Memory and CPU of a process tree. */
export interface ProcUsage {
  rssKb: number;
  cpuUserMs: number;
  cpuSystemMs: number;
  /** Every pid that was measured, the root first. */
  pids: number[];
}

/** Most descendants followed, so a fork bomb cannot make sampling expensive. */
export const MAX_TREE_SIZE = 64;

let clockTicks: number | undefined;

/** `sysconf(_SC_CLK_TCK)` through `getconf`, read once; 100 when that fails. */
export function clockTicksPerSecond(): number {
  if (clockTicks === undefined) {
    const out = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8', timeout: 2000 });
    const value = Number.parseInt(out.stdout?.trim() ?? '', 10);
    clockTicks = Number.isSafeInteger(value) && value > 0 ? value : 100;
  }
  return clockTicks;
}

/** `VmRSS` of /proc/<pid>/status, in KiB; undefined for a kernel thread or a zombie. */
export function parseStatusRss(status: string): number | undefined {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  return match ? Number(match[1]) : undefined;
}

/** `utime` and `stime` (fields 14 and 15) of /proc/<pid>/stat, in clock ticks. */
export function parseStatTicks(stat: string): { utime: number; stime: number } {
  // The command name (field 2) may hold spaces and ')'; the fields after the last ')' are fixed.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) {
    throw new Error(`unexpected /proc stat line: ${stat.slice(0, 80)}`);
  }
  return { utime, stime };
}

/** Direct children of a process (its main thread's), from /proc/<pid>/task/<pid>/children. */
export function childPids(pid: number, read: ReadProc): number[] {
  try {
    return read(`/proc/${pid}/task/${pid}/children`)
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number)
      .filter((n) => Number.isSafeInteger(n) && n > 0);
  } catch {
    return [];
  }
}

/**
 * RSS and CPU of `pid` and its descendants. Throws when `pid` itself cannot be read (gone);
 * descendants that vanish mid-walk are skipped.
 */
export function readProcUsage(
  pid: number,
  read: ReadProc,
  ticksPerSecond = clockTicksPerSecond(),
): ProcUsage {
  const usage: ProcUsage = { rssKb: 0, cpuUserMs: 0, cpuSystemMs: 0, pids: [] };
  const queue = [pid];
  while (queue.length > 0 && usage.pids.length < MAX_TREE_SIZE) {
    const current = queue.shift()!;
    let status: string;
    let stat: string;
    try {
      status = read(`/proc/${current}/status`);
      stat = read(`/proc/${current}/stat`);
    } catch (error) {
      if (current === pid) throw error;
      continue;
    }
    const ticks = parseStatTicks(stat);
    usage.rssKb += parseStatusRss(status) ?? 0;
    usage.cpuUserMs += Math.round((ticks.utime * 1000) / ticksPerSecond);
    usage.cpuSystemMs += Math.round((ticks.stime * 1000) / ticksPerSecond);
    usage.pids.push(current);
    queue.push(...childPids(current, read));
  }
  return usage;
}
