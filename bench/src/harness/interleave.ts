/**
 * The sampling loop: warm-up, then floor and figure samples interleaved in alternating order
 * (floor then figure, figure then floor, …) so that machine noise and slow drift (thermal, other
 * tenants of the 2 cores) fall on both sides alike, and neither side always runs "second".
 * No clock of its own: the samplers measure.
 */
import { placeSplit } from './placement.ts';
import type { Benchmark, MeasureContext, Rounds, Sampler, Side } from './types.ts';

/** Round counts after defaults and `--quick`. */
export interface ResolvedRounds {
  /** Discarded rounds. */
  warmup: number;
  /** Measured rounds. */
  measured: number;
}

/** Default warm-up rounds. */
export const DEFAULT_WARMUP = 3;
/** Default measured rounds. */
export const DEFAULT_MEASURED = 30;
/** Default measured rounds under `--quick`. */
export const DEFAULT_QUICK = 5;

/** Applies defaults; `--quick` keeps one warm-up round and the quick count. */
export function resolveRounds(rounds: Rounds | undefined, quick: boolean): ResolvedRounds {
  if (quick) return { warmup: 1, measured: rounds?.quick ?? DEFAULT_QUICK };
  return {
    warmup: rounds?.warmup ?? DEFAULT_WARMUP,
    measured: rounds?.measured ?? DEFAULT_MEASURED,
  };
}

/** Order of the sides in round `index`: floor first in even rounds, figure first in odd ones. */
export function roundOrder(index: number, hasFigure: boolean): Side[] {
  if (!hasFigure) return ['floor'];
  return index % 2 === 0 ? ['floor', 'figure'] : ['figure', 'floor'];
}

/** Observations of one run, per side. */
export interface Observations {
  /** Every measured floor observation, in order. */
  floor: number[];
  /** Every measured figure observation, in order; empty without a figure. */
  figure: number[];
}

/**
 * Runs warm-up and measured rounds over already-opened samplers. `onSample` sees each measured
 * sample as it lands (progress, streaming to the parent).
 */
export async function runRounds(
  samplers: { floor: Sampler; figure?: Sampler | undefined },
  rounds: ResolvedRounds,
  onSample: (side: Side, values: readonly number[], round: number) => void = () => {},
): Promise<Observations> {
  const out: Observations = { floor: [], figure: [] };
  const total = rounds.warmup + rounds.measured;
  for (let i = 0; i < total; i++) {
    for (const side of roundOrder(i, samplers.figure !== undefined)) {
      const sampler = side === 'floor' ? samplers.floor : samplers.figure!;
      const got = await sampler.sample();
      if (i < rounds.warmup) continue;
      const values = typeof got === 'number' ? [got] : [...got];
      out[side].push(...values);
      onSample(side, values, i - rounds.warmup);
    }
  }
  return out;
}

/** Closes every sampler, newest first; returns the first close error, if any. */
async function closeAll(opened: Sampler[], log: (m: string) => void): Promise<unknown> {
  let first: unknown;
  for (const s of [...opened].reverse()) {
    try {
      await s.close();
    } catch (error) {
      if (first === undefined) first = error;
      else log(`another close failed: ${String(error)}`);
    }
  }
  return first;
}

/**
 * Opens both measures, runs the rounds and closes whatever was opened, even when opening the
 * second measure or a sample throws. A close error surfaces only if nothing failed before it.
 */
export async function runBenchmark(
  bench: Benchmark,
  ctx: MeasureContext,
  onSample?: (side: Side, values: readonly number[], round: number) => void,
): Promise<Observations> {
  const opened: Sampler[] = [];
  let result: Observations;
  try {
    const floor = await bench.floor.open(ctx);
    opened.push(floor);
    const figure = bench.figure ? await bench.figure.open(ctx) : undefined;
    if (figure) opened.push(figure);
    if (bench.placement === 'split') ctx.log(placeSplit().detail);
    result = await runRounds({ floor, figure }, resolveRounds(bench.rounds, ctx.quick), onSample);
  } catch (error) {
    const closeError = await closeAll(opened, ctx.log);
    if (closeError !== undefined)
      ctx.log(`close failed after an earlier error: ${String(closeError)}`);
    throw error;
  }
  const closeError = await closeAll(opened, ctx.log);
  if (closeError !== undefined) throw closeError;
  return result;
}
