import { describe, expect, it } from 'vitest';
import type { Summary } from '../src/harness/stats.ts';
import {
  describeCondition,
  describeTarget,
  evaluateCondition,
  judge,
  ratio,
} from '../src/harness/target.ts';
import type { Condition } from '../src/harness/types.ts';

const s = (median: number, p99: number): Summary => ({
  n: 10,
  median,
  p99,
  p1: 0,
  min: 0,
  max: p99,
});

describe('describeCondition', () => {
  it('words ratio, offset and absolute conditions', () => {
    expect(describeCondition({ stat: 'median', relation: 'at-most', times: 1.3 }, 'ms')).toBe(
      '≤ 1.3× floor',
    );
    expect(describeCondition({ stat: 'median', relation: 'at-least', times: 0.5 }, 'msg/s')).toBe(
      '≥ 0.5× floor',
    );
    expect(describeCondition({ stat: 'p99', relation: 'at-most', times: 3 }, 'ms')).toBe(
      'p99 ≤ 3× floor',
    );
    expect(describeCondition({ stat: 'median', relation: 'at-most', plus: 50 }, 'ms')).toBe(
      '≤ floor + 50 ms',
    );
    expect(describeCondition({ stat: 'p99', relation: 'at-most', value: 10 }, 'ms')).toBe(
      'p99 ≤ 10 ms',
    );
  });
  it('joins a target, and says "—" for none', () => {
    const target: Condition[] = [
      { stat: 'median', relation: 'at-most', times: 1.5 },
      { stat: 'p99', relation: 'at-most', times: 3 },
    ];
    expect(describeTarget(target, 'ms')).toBe('≤ 1.5× floor, p99 ≤ 3× floor');
    expect(describeTarget(undefined, 'ms')).toBe('—');
    expect(describeTarget([], 'ms')).toBe('—');
  });
});

describe('evaluateCondition', () => {
  it('compares like with like: figure p99 against floor p99', () => {
    const r = evaluateCondition(
      { stat: 'p99', relation: 'at-most', times: 3 },
      'ms',
      s(1, 2.9),
      s(100, 1),
    );
    expect(r).toMatchObject({ held: true, actual: 2.9, bound: 3 });
  });
  it('holds at the bound exactly and misses just past it', () => {
    const c: Condition = { stat: 'median', relation: 'at-most', times: 1.3 };
    expect(evaluateCondition(c, 'ms', s(13, 0), s(10, 0)).held).toBe(true);
    expect(evaluateCondition(c, 'ms', s(13.01, 0), s(10, 0)).held).toBe(false);
  });
  it('at-least for a higher-is-better unit', () => {
    const c: Condition = { stat: 'median', relation: 'at-least', times: 0.5 };
    expect(evaluateCondition(c, 'msg/s', s(400, 0), s(1000, 0)).held).toBe(false);
    expect(evaluateCondition(c, 'msg/s', s(500, 0), s(1000, 0)).held).toBe(true);
  });
  it('offset: figure within floor + plus', () => {
    const c: Condition = { stat: 'median', relation: 'at-most', plus: 50 };
    expect(evaluateCondition(c, 'ms', s(1040, 0), s(1000, 0))).toMatchObject({
      held: true,
      bound: 1050,
    });
    expect(evaluateCondition(c, 'ms', s(1051, 0), s(1000, 0)).held).toBe(false);
  });
  it('absolute: the floor does not matter', () => {
    const c: Condition = { stat: 'p99', relation: 'at-most', value: 10 };
    expect(evaluateCondition(c, 'ms', s(1, 9), s(1000, 1000)).held).toBe(true);
    expect(evaluateCondition(c, 'ms', s(1, 11), s(0, 0)).held).toBe(false);
  });
});

describe('judge and ratio', () => {
  const target: Condition[] = [
    { stat: 'median', relation: 'at-most', times: 1.5 },
    { stat: 'p99', relation: 'at-most', times: 3 },
  ];
  it('FLOOR without a figure', () => {
    expect(judge(target, 'ms', undefined, s(1, 1)).verdict).toBe('FLOOR');
  });
  it('UNJUDGED for a figure without a target', () => {
    expect(judge(undefined, 'ms', s(1, 1), s(1, 1)).verdict).toBe('UNJUDGED');
  });
  it('PASS only when every condition holds', () => {
    expect(judge(target, 'ms', s(1.4, 2.9), s(1, 1)).verdict).toBe('PASS');
    const miss = judge(target, 'ms', s(1.4, 3.1), s(1, 1));
    expect(miss.verdict).toBe('MISS');
    expect(miss.results.map((r) => r.held)).toEqual([true, false]);
  });
  it('ratio is median over median, undefined on a zero floor', () => {
    expect(ratio(s(3, 0), s(2, 0))).toBe(1.5);
    expect(ratio(s(3, 0), s(0, 0))).toBeUndefined();
  });
});
