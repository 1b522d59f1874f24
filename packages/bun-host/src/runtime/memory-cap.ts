/**
 * The memory cap of one running runtime. A `process` or `sandbox` runtime is measured from
 * outside: the resident set of its process tree, read from /proc every `sampleMs` (no cgroup:
 * see `docs/limits.md`), so it overshoots the cap by at most what it allocates in one interval.
 * A `worker` runtime shares the host's process, so its bootstrap reports its own JavaScript heap
 * with every answer to a ping (`report`); JSC updates that figure at its collections, so it may
 * trail the truth by one collection.
 */
import { readFileSync } from 'node:fs';
import { childPids, MAX_TREE_SIZE, parseStatusRss, type ReadProc } from '../stats/proc.ts';
import type { WatchdogTimers } from './ping-watchdog.ts';

/** Options of a `MemoryCap`. */
export interface MemoryCapOptions {
  /** The cap in bytes (> 0). */
  limitBytes: number;
  /** Period of the /proc reading of a subprocess runtime. */
  sampleMs: number;
  /** The runtime's process (bwrap's in `sandbox` mode); absent for a worker. */
  pid?: number | undefined;
  timers: WatchdogTimers;
  /** Over the cap: called once with the bytes measured, after which the cap is stopped. */
  onExceeded(usedBytes: number): void;
  /** Resident bytes of a process tree, `undefined` once it is gone. @default from /proc */
  readRssBytes?: ((pid: number) => number | undefined) | undefined;
}

/** Checks one runtime's memory against its cap (see the module comment). */
export class MemoryCap {
  readonly #o: MemoryCapOptions;
  #timer: unknown;
  #stopped = false;

  constructor(options: MemoryCapOptions) {
    this.#o = options;
  }

  /** Starts the periodic reading for a subprocess runtime (nothing to do for a worker). */
  start(): void {
    if (this.#o.pid === undefined || this.#stopped) return;
    this.#schedule();
  }

  /** A measurement made elsewhere (a worker's heap, from its answer to a ping). */
  report(usedBytes: number): void {
    if (this.#stopped) return;
    if (usedBytes > this.#o.limitBytes) this.#exceeded(usedBytes);
  }

  /** Stops for good. Idempotent. */
  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#o.timers.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(): void {
    this.#timer = this.#o.timers.setTimeout(() => {
      this.#timer = undefined;
      this.#sample();
    }, this.#o.sampleMs);
  }

  #sample(): void {
    if (this.#stopped || this.#o.pid === undefined) return;
    const read = this.#o.readRssBytes ?? readTreeRssBytes;
    const used = read(this.#o.pid);
    if (used === undefined) return; // gone: its exit is reported elsewhere
    if (used > this.#o.limitBytes) {
      this.#exceeded(used);
      return;
    }
    this.#schedule();
  }

  #exceeded(usedBytes: number): void {
    this.stop();
    this.#o.onExceeded(usedBytes);
  }
}

let procChecked: boolean | undefined;

/**
 * True where a process's resident set can be read from /proc (Linux, Android). With the default
 * reader, /proc is checked once per process (it does not come and go); a given `read` is
 * always asked.
 */
export function procAvailable(read?: ReadProc): boolean {
  if (read === undefined) {
    procChecked ??= checkProc(readText);
    return procChecked;
  }
  return checkProc(read);
}

function checkProc(read: ReadProc): boolean {
  try {
    return parseStatusRss(read('/proc/self/status')) !== undefined;
  } catch {
    return false;
  }
}

/**
 * Resident bytes of `pid` and its descendants (at most `MAX_TREE_SIZE` processes), from
 * /proc; `undefined` when `pid` itself is gone.
 */
export function readTreeRssBytes(pid: number, read: ReadProc = readText): number | undefined {
  let kb = 0;
  let seen = 0;
  const queue = [pid];
  while (queue.length > 0 && seen < MAX_TREE_SIZE) {
    const current = queue.shift() as number;
    let status: string;
    try {
      status = read(`/proc/${current}/status`);
    } catch {
      if (current === pid) return undefined;
      continue;
    }
    seen += 1;
    kb += parseStatusRss(status) ?? 0;
    queue.push(...childPids(current, read));
  }
  return kb * 1024;
}

function readText(path: string): string {
  return readFileSync(path, 'utf8');
}
