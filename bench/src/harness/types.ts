/**
 * The shapes a benchmark author writes against. A benchmark measures a *floor* (the cheapest
 * thing the platform can do, e.g. a bare `Bun.spawn`) and optionally a *figure* (our code doing
 * the same job) in the same run, interleaved, and states the target the figure must reach
 * relative to the floor. Types only; the harness lives in the sibling files.
 */

import type { Placement } from './placement.ts';

/**
 * Unit of every observation of a benchmark. `msg/s` is higher-is-better; the others are
 * lower-is-better: `ms`, `MB` (resident memory, MiB) and `fd` (open file descriptors).
 */
export type Unit = 'ms' | 'msg/s' | 'MB' | 'fd';

/** Which runtime runs the benchmark's child process. */
export type BenchRuntime = 'bun' | 'node';

/** Which of the two measures of a benchmark an observation belongs to. */
export type Side = 'floor' | 'figure';

/** Statistic a target condition compares (`p1` is the slow tail of msg/s). */
export type Stat = 'median' | 'p99' | 'p1';

/** What every `Measure.open` receives. */
export interface MeasureContext {
  /** Absolute path of the repo's Bun binary (never a global install). */
  bunPath: string;
  /** True under `--quick`: a measure may shrink its batch size. */
  quick: boolean;
  /** Writes a diagnostic line to stderr (stdout carries the harness protocol). */
  log(message: string): void;
}

/** An opened measure: the harness calls `sample` repeatedly, then `close` exactly once. */
export interface Sampler {
  /**
   * Takes one sample. Returns one observation, or a batch (e.g. 100 round trips timed one by
   * one); every number is in the benchmark's `unit`.
   */
  sample(): Promise<number | readonly number[]>;
  /** Releases everything `open` acquired (servers, child processes). Called even on error. */
  close(): Promise<void>;
}

/** One side of a benchmark: a label for the table and a way to open a sampler. */
export interface Measure {
  /** What is measured, as shown in the table, e.g. "bare Bun.spawn with IPC → first message". */
  label: string;
  /** Acquires resources and returns the sampler. Must clean up after itself if it throws. */
  open(ctx: MeasureContext): Promise<Sampler>;
}

/**
 * One condition of a target. `times`: figure stat vs `times ×` floor stat; `plus`: figure stat
 * vs floor stat `+ plus` (in the unit); `value`: figure stat vs an absolute number.
 */
export type Condition =
  | { stat: Stat; relation: 'at-most' | 'at-least'; times: number }
  | { stat: Stat; relation: 'at-most' | 'at-least'; plus: number }
  | { stat: Stat; relation: 'at-most' | 'at-least'; value: number };

/** How many interleaved rounds to run. One round = one floor sample and one figure sample. */
export interface Rounds {
  /**
   * Rounds run and discarded before measuring.
   * @default 3
   */
  warmup?: number;
  /**
   * Measured rounds.
   * @default 30
   */
  measured?: number;
  /**
   * Measured rounds under `--quick` (warm-up is 1 round there).
   * @default 5
   */
  quick?: number;
}

/** A benchmark as registered in `src/registry.ts`. */
export interface Benchmark {
  /** Stable kebab-case id; `--filter` matches a substring of it. */
  name: string;
  /** One-line human title for the table. */
  title: string;
  /**
   * Runtime of the child process that runs the measures.
   * @default 'bun'
   */
  runtime?: BenchRuntime;
  /** Unit of every observation of both sides. */
  unit: Unit;
  /** The floor, measured in every run. */
  floor: Measure;
  /** The figure; absent for a seed floor that later issues compare against. */
  figure?: Measure;
  /** Every condition must hold for PASS; empty or absent means nothing to judge. */
  target?: readonly Condition[];
  /** Round counts; see `Rounds`. */
  rounds?: Rounds;
  /**
   * Wall-clock bound for the whole benchmark child; it is killed (with its process group) after.
   * @default 120000
   */
  timeoutMs?: number;
  /**
   * CPU placement once both measures are open: `split` puts this process's main thread and its
   * child processes on separate CPUs (see `placement.ts`). Absent: the scheduler decides.
   */
  placement?: Placement;
}
