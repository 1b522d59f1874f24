/**
 * Benchmark child → harness parent, one JSON object per stdout line behind `LINE_PREFIX`.
 * Lines without the prefix are diagnostics (a benchmark or its children printing) and are
 * passed through to stderr, never parsed. The parent passes its inputs on the command line
 * (`--name <benchmark> [--quick]`) and the Bun binary in `BUN_PATH_ENV`.
 */
import type { SerializedError } from '@spindle/types';
import type { Side } from './types.ts';

/** Brand at the start of every protocol line. */
export const LINE_PREFIX = '@@spindle-bench ';

/** Environment variable that carries the absolute path of the repo's Bun binary. */
export const BUN_PATH_ENV = 'SPINDLE_BENCH_BUN';

/** One measured sample landed (warm-up samples are not reported). */
export interface SampledLine {
  type: 'sampled';
  /** Floor or figure. */
  side: Side;
  /** Measured round index, from 0. */
  round: number;
  /** Observations of the sample, in the benchmark's unit. */
  values: number[];
}

/** The benchmark finished; every measured observation per side. */
export interface CompletedLine {
  type: 'completed';
  /** Floor observations in order. */
  floor: number[];
  /** Figure observations in order; empty without a figure. */
  figure: number[];
}

/** The benchmark threw; the child exits non-zero after this line. */
export interface FailedLine {
  type: 'failed';
  /** The error, serialized with its code and cause. */
  error: SerializedError;
}

/** Every line a benchmark child sends. */
export type ChildLine = SampledLine | CompletedLine | FailedLine;
