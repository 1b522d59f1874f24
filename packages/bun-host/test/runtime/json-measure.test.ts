/** Measuring a message's JSON without writing it (the Bun IPC medium's batcher). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_MEASURED_DEPTH, measureJson } from '../../src/runtime/json-measure.ts';

describe('measureJson', () => {
  it('is near the JSON length of plain data', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const size = measureJson(value, Number.POSITIVE_INFINITY) as number;
        const length = JSON.stringify(value).length;
        // Numbers count 8 whatever their digits; everything else as written, or more.
        expect(size).toBeGreaterThanOrEqual(Math.min(length, 2));
        expect(size).toBeLessThanOrEqual(length * 4 + 16);
      }),
      { numRuns: 300 },
    );
    expect(measureJson({ type: 'log', message: 'x'.repeat(1000) }, 1e9)).toBeGreaterThan(1000);
  });

  it('refuses what JSON cannot write: BigInt, a cycle, nesting past MAX_MEASURED_DEPTH, a throwing getter', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    let deep: unknown = 0;
    for (let i = 0; i <= MAX_MEASURED_DEPTH; i++) deep = [deep];
    const hostile = {
      get boom() {
        throw new Error('no');
      },
    };
    expect(measureJson({ n: 1n }, 1e9)).toEqual({ reason: expect.stringMatching(/BigInt/) });
    expect(measureJson(cyclic, 1e9)).toEqual({ reason: expect.stringMatching(/refers to itself/) });
    expect(measureJson(deep, 1e9)).toEqual({ reason: expect.stringMatching(/deeper than 1000/) });
    expect(measureJson(hostile, 1e9)).toEqual({ reason: 'reading it threw (no)' });
  });

  it('stops walking once past the limit', () => {
    const huge = Array.from({ length: 100_000 }, (_, i) => ({ i }));
    const size = measureJson(huge, 1000) as number;
    expect(size).toBeGreaterThanOrEqual(1000);
    expect(size).toBeLessThan(2000);
  });
});
