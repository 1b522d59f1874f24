/**
 * Where a latency benchmark's processes run. A round trip between the benchmark process and a
 * child it spawned costs very different amounts depending on whether the scheduler put the two
 * on one CPU (the hand-over is a context switch) or on two (the sleeping CPU must be woken, tens
 * of microseconds on a virtual machine). Left to itself the scheduler picks either, and may pick
 * differently for the floor and the figure of one run: measured on the 2-core reference VM, the
 * raw relay floor came out at 0.014 ms in one run and 0.074 ms in the next, with the figure at
 * 0.085–0.093 ms in both, so the ratio said 6× or 1.2× for the same code.
 *
 * `split` fixes the topology a deployed host has: the benchmark process's main thread (the host
 * and its tabs) on one CPU, every child process (runtimes, echo children) and every other thread
 * (JSC's compiler and collector helpers, a worker-mode runtime) on another, for the floor and
 * the figure alike. Linux only, through util-linux's `taskset`; where that cannot be
 * done (one CPU, no `taskset`, another OS) the run goes on unplaced and says so.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** How a benchmark's processes are placed on CPUs. */
export type Placement = 'split';

/** What `placeSplit` did. */
export interface PlacementResult {
  applied: boolean;
  /** One line for the log: which CPUs, or why nothing was placed. */
  detail: string;
}

/** How the labels of a `split` benchmark name the placement. */
export const SPLIT_PLACEMENT_NOTE = 'host thread and child processes on separate CPUs';

/** CPUs this process may run on, from `/proc/self/status` (`Cpus_allowed_list: 0-1,4`). */
export function allowedCpus(status: string): number[] {
  const line = /^Cpus_allowed_list:\s*(.+)$/m.exec(status)?.[1]?.trim();
  if (!line) return [];
  const cpus: number[] = [];
  for (const part of line.split(',')) {
    const [from, to] = part.split('-').map((n) => Number.parseInt(n, 10));
    if (from === undefined || Number.isNaN(from)) continue;
    const last = to === undefined || Number.isNaN(to) ? from : to;
    for (let cpu = from; cpu <= last; cpu += 1) cpus.push(cpu);
  }
  return cpus;
}

/** Every descendant of `pid` (children first), from `/proc/<pid>/task/<tid>/children`. */
export function descendants(pid: number): number[] {
  const out: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const current = queue.shift() as number;
    let tasks: string[];
    try {
      tasks = readdirSync(`/proc/${current}/task`);
    } catch {
      continue; // gone meanwhile
    }
    for (const tid of tasks) {
      let children = '';
      try {
        children = readFileSync(`/proc/${current}/task/${tid}/children`, 'utf8');
      } catch {
        continue;
      }
      for (const word of children.split(/\s+/)) {
        const child = Number.parseInt(word, 10);
        if (Number.isInteger(child) && child > 0 && !out.includes(child)) {
          out.push(child);
          queue.push(child);
        }
      }
    }
  }
  return out;
}

function taskset(args: string[]): string | undefined {
  const result = spawnSync('taskset', args, { encoding: 'utf8', timeout: 5_000 });
  if (result.error) return result.error.message;
  if (result.status !== 0) return (result.stderr || `exit ${result.status}`).trim();
  return undefined;
}

/**
 * Pins this process's main thread to its first allowed CPU, and its other threads and every
 * thread of every descendant process to the second. Call it once the measures are open (their children exist).
 * Never throws: a placement that cannot be made is reported, not fatal.
 */
export function placeSplit(): PlacementResult {
  if (process.platform !== 'linux') {
    return {
      applied: false,
      detail: `not placed: CPU placement needs Linux (${process.platform})`,
    };
  }
  let cpus: number[];
  try {
    cpus = allowedCpus(readFileSync('/proc/self/status', 'utf8'));
  } catch (error) {
    return { applied: false, detail: `not placed: /proc/self/status unreadable (${error})` };
  }
  const [host, children] = cpus;
  if (host === undefined || children === undefined) {
    return { applied: false, detail: `not placed: only CPU(s) ${cpus.join(',') || '?'} allowed` };
  }
  // Every thread of this process (JIT and GC helpers, a worker-mode runtime) goes with the
  // children, then the main thread alone comes back: nothing else preempts the host's thread.
  const helpers = taskset(['-a', '-p', '-c', String(children), String(process.pid)]);
  if (helpers !== undefined) return { applied: false, detail: `not placed: taskset: ${helpers}` };
  const failed = taskset(['-p', '-c', String(host), String(process.pid)]);
  if (failed !== undefined) return { applied: false, detail: `not placed: taskset: ${failed}` };
  const kids = descendants(process.pid);
  for (const pid of kids) {
    const why = taskset(['-a', '-p', '-c', String(children), String(pid)]);
    // A child that exited meanwhile is no longer there to place.
    if (why !== undefined && existsPid(pid)) {
      return { applied: false, detail: `partly placed: taskset for ${pid}: ${why}` };
    }
  }
  return {
    applied: true,
    detail: `placed: main thread on CPU ${host}; its other threads and ${kids.length} child process(es) on CPU ${children}`,
  };
}

function existsPid(pid: number): boolean {
  try {
    readFileSync(`/proc/${pid}/stat`);
    return true;
  } catch {
    return false;
  }
}
