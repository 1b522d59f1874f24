/**
 * Parent side: runs one benchmark in a child process of its runtime, in its own process group,
 * reads the line protocol, bounds it with the benchmark's timeout, and kills the whole group
 * when it ends, so no grandchild outlives the run.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type SerializedError, SpindleError, serializeError } from '@spindle/types';
import { BUN_PATH_ENV, type ChildLine, LINE_PREFIX } from './protocol.ts';
import type { Benchmark, Side } from './types.ts';

/** Default wall-clock bound of one benchmark child. */
export const DEFAULT_TIMEOUT_MS = 120_000;
/** Lines of child stderr kept for an error report. */
const STDERR_TAIL_LINES = 30;

const CHILD_ENTRY = fileURLToPath(new URL('./child.ts', import.meta.url));
const BENCH_DIR = fileURLToPath(new URL('../..', import.meta.url));

/** What a child run produced. */
export type ChildOutcome =
  | { ok: true; floor: number[]; figure: number[] }
  | { ok: false; error: SerializedError };

/** Options of `runInChild`. */
export interface ChildRunOptions {
  /** Repo Bun binary; runs `bun` benchmarks and is passed to every child. */
  bunPath: string;
  /** `--quick`. */
  quick: boolean;
  /** Diagnostics: child output that is not protocol, leftovers, timeouts. */
  log: (line: string) => void;
  /** Progress: one measured sample. */
  onSample?: (side: Side, values: readonly number[]) => void;
  /** Aborting kills the child's group and ends the run with an error. */
  signal?: AbortSignal;
  /**
   * Absolute path of the module whose `BENCHMARKS` the child looks `bench.name` up in.
   * @default the real registry, `src/registry.ts`
   */
  registry?: string;
}

/** Result of classifying one stdout line of a child. */
export type ParsedLine =
  | { kind: 'protocol'; line: ChildLine }
  | { kind: 'log'; text: string }
  | { kind: 'bad'; text: string; reason: string };

function isNumbers(v: unknown): v is number[] {
  return Array.isArray(v) && v.every((n) => typeof n === 'number' && Number.isFinite(n));
}

/** Classifies a stdout line: protocol (branded, well-formed), bad (branded, malformed) or log. */
export function parseChildLine(text: string): ParsedLine {
  if (!text.startsWith(LINE_PREFIX)) return { kind: 'log', text };
  let v: unknown;
  try {
    v = JSON.parse(text.slice(LINE_PREFIX.length));
  } catch {
    return { kind: 'bad', text, reason: 'not JSON' };
  }
  const o = (typeof v === 'object' && v !== null ? v : {}) as Record<string, unknown>;
  if (o.type === 'sampled' && (o.side === 'floor' || o.side === 'figure') && isNumbers(o.values)) {
    return { kind: 'protocol', line: v as ChildLine };
  }
  if (o.type === 'completed' && isNumbers(o.floor) && isNumbers(o.figure)) {
    return { kind: 'protocol', line: v as ChildLine };
  }
  if (o.type === 'failed' && typeof o.error === 'object' && o.error !== null) {
    return { kind: 'protocol', line: v as ChildLine };
  }
  return { kind: 'bad', text, reason: 'unknown or malformed line' };
}

function childCommand(bench: Benchmark, opts: ChildRunOptions): string[] {
  const args = [CHILD_ENTRY, '--name', bench.name, ...(opts.quick ? ['--quick'] : [])];
  if (opts.registry) args.push('--registry', opts.registry);
  if ((bench.runtime ?? 'bun') === 'bun') return [opts.bunPath, ...args];
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return [process.execPath, '--import', tsx, ...args];
}

/** SIGKILLs the process group of `child`; false when the group no longer exists. */
function killGroup(child: ChildProcess): boolean {
  if (child.pid === undefined) return false;
  try {
    process.kill(-child.pid, 'SIGKILL');
    return true;
  } catch {
    return false;
  }
}

/** How long to wait for a SIGKILLed process group to disappear. */
const GROUP_GONE_DEADLINE_MS = 2_000;

/**
 * Whether any process of group `pgid` is still running. Zombies do not count: they are dead,
 * and on some machines init reaps them late. Reads /proc where it exists, else asks the kernel
 * with signal 0 (which also counts zombies).
 */
export function groupAlive(pgid: number): boolean {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    try {
      process.kill(-pgid, 0);
      return true;
    } catch {
      return false;
    }
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // Fields after the parenthesised command name: state, ppid, pgrp, …
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) === pgid && state !== 'Z' && state !== 'X') return true;
  }
  return false;
}

async function waitGroupGone(pgid: number): Promise<boolean> {
  for (let waited = 0; waited < GROUP_GONE_DEADLINE_MS; waited += 10) {
    if (!groupAlive(pgid)) return true;
    await new Promise((r) => setTimeout(r, 10));
  }
  return !groupAlive(pgid);
}

/** Runs `bench` in a fresh child and settles once, after the child and its group are gone. */
export function runInChild(bench: Benchmark, opts: ChildRunOptions): Promise<ChildOutcome> {
  const [cmd, ...args] = childCommand(bench, opts);
  const child = spawn(cmd!, args, {
    cwd: BENCH_DIR,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, [BUN_PATH_ENV]: opts.bunPath },
  });
  const tail: string[] = [];
  let reported: ChildOutcome | undefined;
  let forced: SpindleError | undefined;
  const prefix = `[${bench.name}] `;

  createInterface({ input: child.stdout! }).on('line', (text) => {
    const parsed = parseChildLine(text);
    if (parsed.kind === 'log') return opts.log(prefix + text);
    if (parsed.kind === 'bad') {
      forced ??= new SpindleError('INTERNAL', `benchmark child sent a bad line: ${parsed.reason}`, {
        details: { line: text.slice(0, 200) },
      });
      return killGroup(child);
    }
    const line = parsed.line;
    if (line.type === 'sampled') opts.onSample?.(line.side, line.values);
    else if (line.type === 'completed')
      reported = { ok: true, floor: line.floor, figure: line.figure };
    else reported = { ok: false, error: line.error };
  });
  createInterface({ input: child.stderr! }).on('line', (text) => {
    tail.push(text);
    if (tail.length > STDERR_TAIL_LINES) tail.shift();
    opts.log(prefix + text);
  });

  const timeoutMs = bench.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const timer = setTimeout(() => {
    forced ??= new SpindleError('TIMEOUT', `benchmark ${bench.name} ran over ${timeoutMs} ms`);
    killGroup(child);
  }, timeoutMs);
  const onAbort = () => {
    forced ??= new SpindleError('INTERNAL', `benchmark ${bench.name} was interrupted`);
    killGroup(child);
  };
  opts.signal?.addEventListener('abort', onAbort, { once: true });

  return new Promise((resolve) => {
    let settled = false;
    const settle = (outcome: ChildOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      resolve(outcome);
    };
    child.on('error', (error) => {
      forced ??= new SpindleError('INTERNAL', `cannot start benchmark child: ${error.message}`, {
        cause: error,
      });
      if (child.pid === undefined) settle({ ok: false, error: serializeError(forced) });
    });
    // On exit, not close: a leftover grandchild holding the child's stdout open would keep
    // 'close' from ever firing.
    let reaped: Promise<void> = Promise.resolve();
    child.on('exit', () => {
      if (child.pid === undefined || !groupAlive(child.pid)) return;
      if (!forced) opts.log(`${prefix}left processes behind; its process group was killed`);
      killGroup(child);
      reaped = waitGroupGone(child.pid).then((gone) => {
        if (!gone) opts.log(`${prefix}process group ${child.pid} still runs after SIGKILL`);
      });
    });
    child.on('close', async (code, signal) => {
      await reaped;
      if (forced) return settle({ ok: false, error: serializeError(forced) });
      if (reported) return settle(reported);
      const error = new SpindleError(
        'INTERNAL',
        `benchmark child exited (code ${code}, signal ${signal}) without a result`,
        { details: { stderrTail: tail.join('\n') } },
      );
      settle({ ok: false, error: serializeError(error) });
    });
  });
}
