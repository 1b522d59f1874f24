import { isSpindleError } from '@spindle/types';
import { describe, expect, it } from 'vitest';
import { median, percentile, summarize } from '../src/harness/stats.ts';

describe('median', () => {
  it('is the middle value of an odd set, whatever the input order', () => {
    expect(median([5, 1, 3])).toBe(3);
  });
  it('is the mean of the two middle values of an even set', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
  it('is the value itself for one observation', () => {
    expect(median([7])).toBe(7);
  });
  it('does not reorder the caller’s array', () => {
    const input = [3, 1, 2];
    median(input);
    expect(input).toEqual([3, 1, 2]);
  });
});

describe('percentile (nearest rank)', () => {
  it('p99 of fewer than 100 observations is the maximum', () => {
    expect(percentile([1, 2, 3], 0.99)).toBe(3);
    expect(percentile([10, 2, 9, 4, 8], 0.99)).toBe(10);
    expect(percentile([42], 0.99)).toBe(42);
  });
  it('p99 of 200 observations is the 198th smallest', () => {
    const values = Array.from({ length: 200 }, (_, i) => 200 - i);
    expect(percentile(values, 0.99)).toBe(198);
  });
  it('p99 of exactly 100 observations is the 99th smallest', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 0.99)).toBe(99);
  });
  it('p1 is the low tail: the minimum below 100 observations, the 2nd smallest of 200', () => {
    expect(percentile([5, 3, 9], 0.01)).toBe(3);
    expect(
      percentile(
        Array.from({ length: 200 }, (_, i) => i + 1),
        0.01,
      ),
    ).toBe(2);
  });
  it('p50 by nearest rank is an observed value', () => {
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2);
  });
  it('rejects a quantile outside (0, 1]', () => {
    for (const q of [0, -0.5, 1.5, Number.NaN]) {
      expect(() => percentile([1], q)).toThrow(/percentile must be in/);
    }
  });
});

describe('empty and invalid input', () => {
  const codeOf = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      return isSpindleError(error) ? error.code : 'not a SpindleError';
    }
    return 'did not throw';
  };
  it('throws INVALID_OPTIONS for an empty set instead of returning NaN', () => {
    expect(codeOf(() => median([]))).toBe('INVALID_OPTIONS');
    expect(codeOf(() => percentile([], 0.99))).toBe('INVALID_OPTIONS');
    expect(codeOf(() => summarize([]))).toBe('INVALID_OPTIONS');
  });
  it('throws INVALID_OPTIONS for a non-finite observation', () => {
    expect(codeOf(() => summarize([1, Number.NaN]))).toBe('INVALID_OPTIONS');
    expect(codeOf(() => summarize([1, Number.POSITIVE_INFINITY]))).toBe('INVALID_OPTIONS');
  });
});

describe('summarize', () => {
  it('reports n, median, p99, p1, min and max together', () => {
    expect(summarize([3, 1, 2, 10])).toEqual({
      n: 4,
      median: 2.5,
      p99: 10,
      p1: 1,
      min: 1,
      max: 10,
    });
  });
});
