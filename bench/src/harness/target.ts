/**
 * Judging a figure against its floor: the ratio, the wording of a target and the verdict.
 * Pure; unit-tested.
 */

import type { Summary } from './stats.ts';
import type { Condition, Unit } from './types.ts';

/**
 * `PASS`/`MISS`: every condition held / one did not. `FLOOR`: a seed floor with no figure.
 * `UNJUDGED`: a figure with no target. `ERROR`: the benchmark did not finish.
 */
export type Verdict = 'PASS' | 'MISS' | 'FLOOR' | 'UNJUDGED' | 'ERROR';

/** Outcome of one condition. */
export interface ConditionResult {
  /** The condition, worded for a person ("p99 ≤ 3× floor"). */
  text: string;
  /** Whether it held. */
  held: boolean;
  /** The figure statistic compared. */
  actual: number;
  /** The bound it was compared with, in the unit. */
  bound: number;
}

/** Figure median over floor median; `undefined` when the floor median is 0. */
export function ratio(figure: Summary, floor: Summary): number | undefined {
  return floor.median === 0 ? undefined : figure.median / floor.median;
}

function trimNumber(n: number): string {
  return String(Number(n.toPrecision(4)));
}

/** Words a condition: "≤ 1.3× floor", "p99 ≤ 3× floor", "≤ floor + 50 ms", "p99 ≤ 10 ms". */
export function describeCondition(c: Condition, unit: Unit): string {
  const stat = c.stat === 'median' ? '' : `${c.stat} `;
  const op = c.relation === 'at-most' ? '≤' : '≥';
  if ('times' in c) return `${stat}${op} ${trimNumber(c.times)}× floor`;
  if ('plus' in c) {
    const sign = c.plus < 0 ? '−' : '+';
    return `${stat}${op} floor ${sign} ${trimNumber(Math.abs(c.plus))} ${unit}`;
  }
  return `${stat}${op} ${trimNumber(c.value)} ${unit}`;
}

/** Words a whole target, conditions joined by ", "; "—" when there is none. */
export function describeTarget(conditions: readonly Condition[] | undefined, unit: Unit): string {
  if (!conditions || conditions.length === 0) return '—';
  return conditions.map((c) => describeCondition(c, unit)).join(', ');
}

/** Checks one condition; like-for-like statistics (figure p99 against floor p99). */
export function evaluateCondition(
  c: Condition,
  unit: Unit,
  figure: Summary,
  floor: Summary,
): ConditionResult {
  const actual = figure[c.stat];
  const base = floor[c.stat];
  const bound = 'times' in c ? c.times * base : 'plus' in c ? base + c.plus : c.value;
  const held = c.relation === 'at-most' ? actual <= bound : actual >= bound;
  return { text: describeCondition(c, unit), held, actual, bound };
}

/** Verdict of a finished benchmark: FLOOR without a figure, UNJUDGED without a target. */
export function judge(
  conditions: readonly Condition[] | undefined,
  unit: Unit,
  figure: Summary | undefined,
  floor: Summary,
): { verdict: Verdict; results: ConditionResult[] } {
  if (!figure) return { verdict: 'FLOOR', results: [] };
  if (!conditions || conditions.length === 0) return { verdict: 'UNJUDGED', results: [] };
  const results = conditions.map((c) => evaluateCondition(c, unit, figure, floor));
  return { verdict: results.every((r) => r.held) ? 'PASS' : 'MISS', results };
}
