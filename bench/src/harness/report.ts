/**
 * Turns a child outcome into a result row and formats values. Pure; shared by the stdout table
 * and the Markdown writer.
 */
import type { SerializedError } from '@spindle/types';
import { type Summary, summarize } from './stats.ts';
import type { ChildOutcome } from './supervisor.ts';
import { type ConditionResult, describeTarget, judge, ratio, type Verdict } from './target.ts';
import type { Benchmark, Unit } from './types.ts';

/** Everything the report says about one benchmark. */
export interface BenchmarkResult {
  /** Registry name. */
  name: string;
  /** Human title. */
  title: string;
  /** Unit of the figures. */
  unit: Unit;
  /** Floor label and summary (no summary after an error). */
  floor: { label: string; summary?: Summary };
  /** Figure label and summary; absent for a seed floor. */
  figure?: { label: string; summary?: Summary };
  /** Target as words, "—" when none. */
  target: string;
  /** Figure median / floor median, when both exist. */
  ratio?: number;
  /** Verdict. */
  verdict: Verdict;
  /** Per-condition outcomes. */
  conditions: ConditionResult[];
  /** "CODE: message" of the error, for `ERROR`. */
  error?: string;
  /** Wall-clock seconds the benchmark took, child start to exit. */
  seconds: number;
}

function errorText(e: SerializedError): string {
  return e.code ? `${e.code}: ${e.message}` : `${e.name}: ${e.message}`;
}

/** Builds the result of one benchmark from its child's outcome. */
export function buildResult(
  bench: Benchmark,
  outcome: ChildOutcome,
  seconds: number,
): BenchmarkResult {
  const base = {
    name: bench.name,
    title: bench.title,
    unit: bench.unit,
    target: describeTarget(bench.target, bench.unit),
    seconds,
  };
  const failed = (error: string): BenchmarkResult => ({
    ...base,
    floor: { label: bench.floor.label },
    ...(bench.figure ? { figure: { label: bench.figure.label } } : {}),
    verdict: 'ERROR',
    conditions: [],
    error,
  });
  if (!outcome.ok) return failed(errorText(outcome.error));
  let floor: Summary;
  let figure: Summary | undefined;
  try {
    floor = summarize(outcome.floor);
    figure = bench.figure ? summarize(outcome.figure) : undefined;
  } catch (error) {
    return failed(`INTERNAL: ${(error as Error).message}`);
  }
  const { verdict, results } = judge(bench.target, bench.unit, figure, floor);
  const r = figure ? ratio(figure, floor) : undefined;
  return {
    ...base,
    floor: { label: bench.floor.label, summary: floor },
    ...(bench.figure ? { figure: { label: bench.figure.label, summary: figure! } } : {}),
    ...(r !== undefined ? { ratio: r } : {}),
    verdict,
    conditions: results,
  };
}

/** A value in its unit: "0.142 ms", "12.3 ms", "48,210 msg/s", "41.2 MB", "37 fd". */
export function formatValue(v: number, unit: Unit): string {
  if (unit === 'msg/s') return `${Math.round(v).toLocaleString('en-US')} msg/s`;
  if (unit === 'fd') return `${Number(v.toFixed(1))} fd`;
  if (unit === 'MB') return `${v.toFixed(Math.abs(v) < 10 ? 2 : 1)} MB`;
  const digits = v < 1 ? 3 : v < 10 ? 2 : v < 100 ? 1 : 0;
  return `${v.toFixed(digits)} ms`;
}

/**
 * The slow tail: p99 for a lower-is-better unit; for msg/s the slow tail is the low end, so
 * the cell shows p1, labelled.
 */
export function formatTail(s: Summary, unit: Unit): string {
  return unit === 'msg/s' ? `p1 ${formatValue(s.p1, unit)}` : formatValue(s.p99, unit);
}

/** "1.12×", or "—". */
export function formatRatio(r: number | undefined): string {
  return r === undefined ? '—' : `${r.toFixed(2)}×`;
}

/** Column titles of the result table. */
export const TABLE_HEADER = [
  'benchmark',
  'side',
  'measure',
  'n',
  'median',
  'p99 (slow tail)',
  'figure/floor',
  'target',
  'result',
] as const;

/**
 * One row per measured side: the floor row, then the figure row, which carries ratio, target
 * and verdict. A seed floor's single row says `FLOOR`; a failed benchmark's rows say `ERROR`.
 */
export function tableRows(results: readonly BenchmarkResult[]): string[][] {
  const rows: string[][] = [];
  for (const r of results) {
    const cells = (s: Summary | undefined) =>
      s ? [String(s.n), formatValue(s.median, r.unit), formatTail(s, r.unit)] : ['—', '—', '—'];
    const floorOnly = !r.figure;
    rows.push([
      r.name,
      'floor',
      r.floor.label,
      ...cells(r.floor.summary),
      '—',
      floorOnly ? r.target : '',
      floorOnly || r.verdict === 'ERROR' ? r.verdict : '',
    ]);
    if (r.figure) {
      rows.push([
        r.name,
        'figure',
        r.figure.label,
        ...cells(r.figure.summary),
        formatRatio(r.ratio),
        r.target,
        r.verdict,
      ]);
    }
  }
  return rows;
}
