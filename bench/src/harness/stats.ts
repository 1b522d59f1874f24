/**
 * Order statistics of a set of observations. Pure; no clock.
 */
import { SpindleError } from '@spindle/types';

/** Summary of one side of a benchmark. */
export interface Summary {
  /** Number of observations. */
  n: number;
  /** Median; the mean of the two middle values when `n` is even. */
  median: number;
  /** 99th percentile by the nearest-rank method: with `n < 100` it is the maximum. */
  p99: number;
  /**
   * 1st percentile, nearest rank (the minimum with `n < 100`): the bad tail of a
   * higher-is-better unit such as msg/s.
   */
  p1: number;
  /** Smallest observation. */
  min: number;
  /** Largest observation. */
  max: number;
}

function sortedCopy(values: readonly number[], what: string): number[] {
  if (values.length === 0) {
    throw new SpindleError('INVALID_OPTIONS', `cannot compute ${what} of an empty sample set`);
  }
  for (const v of values) {
    if (!Number.isFinite(v)) {
      throw new SpindleError('INVALID_OPTIONS', `cannot compute ${what}: ${v} is not finite`, {
        details: { value: String(v) },
      });
    }
  }
  return [...values].sort((a, b) => a - b);
}

/** Median of `values`. Throws `INVALID_OPTIONS` on an empty set or a non-finite value. */
export function median(values: readonly number[]): number {
  const s = sortedCopy(values, 'median');
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * Nearest-rank percentile: the smallest value with at least `q` of the set at or below it.
 * `q` is in (0, 1]. Nearest rank never invents a value that was not observed, which matters
 * for the small `n` of spawn benchmarks.
 */
export function percentile(values: readonly number[], q: number): number {
  if (!(q > 0 && q <= 1)) {
    throw new SpindleError('INVALID_OPTIONS', `percentile must be in (0, 1], got ${q}`);
  }
  const s = sortedCopy(values, `p${Math.round(q * 100)}`);
  const rank = Math.ceil(q * s.length);
  return s[rank - 1]!;
}

/** Summary of `values`. Throws `INVALID_OPTIONS` on an empty set or a non-finite value. */
export function summarize(values: readonly number[]): Summary {
  const s = sortedCopy(values, 'a summary');
  return {
    n: s.length,
    median: median(s),
    p99: percentile(s, 0.99),
    p1: percentile(s, 0.01),
    min: s[0]!,
    max: s[s.length - 1]!,
  };
}
