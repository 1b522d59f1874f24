/**
 * Reading `/proc` (Linux) for the memory and leak benchmarks: resident memory of a process, the
 * open descriptors of this process, and the live descendants of a pid. The parsers are pure and
 * unit-tested; the readers return `undefined` for a process that is gone.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { SpindleError } from '@spindle/types';

/** Bytes in a MiB: the `MB` unit of the harness. */
export const MIB = 1024 * 1024;

/** `VmRSS` of a `/proc/<pid>/status` text, in KiB; `undefined` when absent (a zombie). */
export function parseVmRssKiB(status: string): number | undefined {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  return match ? Number(match[1]) : undefined;
}

/** State letter and parent pid of a `/proc/<pid>/stat` text. */
export function parseStat(stat: string): { state: string; ppid: number } {
  // The command name may hold spaces and parentheses: the fields start after the last ')'.
  const close = stat.lastIndexOf(')');
  const fields = stat.slice(close + 2).split(' ');
  const ppid = Number(fields[1]);
  if (close < 0 || !fields[0] || !Number.isInteger(ppid)) {
    throw new SpindleError('INTERNAL', `unreadable /proc stat line: ${stat.slice(0, 80)}`);
  }
  return { state: fields[0], ppid };
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Resident memory of `pid` in MiB; `undefined` once it is gone or a zombie. */
export function rssMiB(pid: number): number | undefined {
  const text = readText(`/proc/${pid}/status`);
  const kib = text === undefined ? undefined : parseVmRssKiB(text);
  return kib === undefined ? undefined : kib / 1024;
}

/** Resident memory of this process in MiB, from `/proc/self/status`. */
export function selfRssMiB(): number {
  const rss = rssMiB(process.pid);
  if (rss === undefined) throw new SpindleError('INTERNAL', 'cannot read /proc/self/status');
  return rss;
}

/** Number of open file descriptors of this process (`/proc/self/fd`, minus the listing's own). */
export function openFdCount(): number {
  // readdirSync opens the directory itself; that descriptor is listed too.
  return readdirSync('/proc/self/fd').length - 1;
}

/** Live (non-zombie) descendants of `pid`, children before grandchildren. */
export function liveDescendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const text = readText(`/proc/${name}/stat`);
    if (text === undefined) continue;
    const stat = parseStat(text);
    if (stat.state === 'Z') continue;
    const list = children.get(stat.ppid) ?? [];
    list.push(Number(name));
    children.set(stat.ppid, list);
  }
  const out: number[] = [];
  const queue = [pid];
  for (let i = 0; i < queue.length; i++) {
    for (const child of children.get(queue[i]!) ?? []) {
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}

/** Sum of the resident memory of `pid` and its live descendants, in MiB (gone ones count 0). */
export function treeRssMiB(pid: number): number {
  return [pid, ...liveDescendants(pid)].reduce((sum, p) => sum + (rssMiB(p) ?? 0), 0);
}

/** `Pss` of a `/proc/<pid>/smaps_rollup` text, in KiB; `undefined` when absent. */
export function parsePssKiB(rollup: string): number | undefined {
  const match = /^Pss:\s+(\d+) kB$/m.exec(rollup);
  return match ? Number(match[1]) : undefined;
}

/**
 * Proportional set size of `pid` and its live descendants, in MiB (gone ones count 0): shared
 * pages divided among the processes that map them, so it adds up to what the tree really uses.
 */
export function treePssMiB(pid: number): number {
  return [pid, ...liveDescendants(pid)].reduce((sum, p) => {
    const text = readText(`/proc/${p}/smaps_rollup`);
    const kib = text === undefined ? undefined : parsePssKiB(text);
    return sum + (kib ?? 0) / 1024;
  }, 0);
}

/** True while `pid` exists and is not a zombie. */
export function isLive(pid: number): boolean {
  const text = readText(`/proc/${pid}/stat`);
  return text !== undefined && parseStat(text).state !== 'Z';
}

/** What each open descriptor of this process points at (`socket:[…]`, paths), for diagnostics. */
export function fdTargets(): string[] {
  const out: string[] = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      out.push(`${fd}→${readlinkSync(`/proc/self/fd/${fd}`)}`);
    } catch {
      // The listing's own descriptor is closed by now.
    }
  }
  return out;
}
