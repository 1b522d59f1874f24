/**
 * Spawn/stop churn of backend processes for the leak benchmarks: `count` processes spawned and
 * stopped through the real `ProcessService`, at most `concurrency` alive at a time, after a
 * warm-up that brings module caches, JIT and allocator pools to their working size. Readings of
 * a metric (RSS, open descriptors) are taken after a full GC, before and after the churn.
 * Bun-only: import lazily.
 */
import { SpindleError } from '@spindle/types';
import type { MeasureContext } from '../../harness/types.ts';
import { type BackendRig, openBackendRig } from './backend-rig.ts';
import type { BeforeAfterSession } from './before-after.ts';
import { READY_ENTRY } from './temp-extensions.ts';

/** Shape of a churn run. */
export interface ChurnPlan {
  /** Processes spawned and stopped in the measured churn. */
  count: number;
  /** Processes alive at most at a time. */
  concurrency: number;
  /** Processes spawned and stopped before the "before" readings. */
  warmup: number;
  /** Readings taken before and after, `readingGapMs` apart. */
  readings: number;
  readingGapMs: number;
}

/** Full run: 10,000 processes, 8 at a time (DESIGN §9 / issue 5). */
export const FULL_CHURN: ChurnPlan = {
  count: 10_000,
  concurrency: 8,
  warmup: 200,
  readings: 5,
  readingGapMs: 200,
};
/** `--quick`: 500 processes. */
export const QUICK_CHURN: ChurnPlan = { ...FULL_CHURN, count: 500, warmup: 50 };

/** Runs `count` spawn → ready → stop cycles with at most `concurrency` in flight. */
export async function churn(
  rig: BackendRig,
  count: number,
  concurrency: number,
  onProgress: (done: number) => void = () => {},
): Promise<void> {
  let next = 0;
  let done = 0;
  const lane = async () => {
    while (next < count) {
      next += 1;
      const info = await rig.spawn('ready.js');
      await rig.stop(info.processId);
      done += 1;
      onProgress(done);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
}

/** Full garbage collection twice with a pause between, so finalizers (handles, pipes) run. */
export async function settle(): Promise<void> {
  Bun.gc(true);
  await Bun.sleep(100);
  Bun.gc(true);
}

/** `n` readings of `read`, each after `settle()`, `gapMs` apart. */
export async function readings(read: () => number, n: number, gapMs: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    if (i > 0) await Bun.sleep(gapMs);
    await settle();
    out.push(read());
  }
  return out;
}

/** Readings of one measurement: before and after one churn. */
export interface ChurnMeasurement {
  before: number[];
  after: number[];
}

/**
 * A churn session shared by the floor (readings before) and the figure (readings after) of one
 * benchmark. The harness alternates which side it samples first, so the k-th call of either side
 * runs the k-th whole measurement (warm-up, before, churn, after) if it has not run yet, and each
 * side takes its half.
 */
export type ChurnSession = BeforeAfterSession;

/** Opens the rig; measurements run on demand, see `ChurnSession`. */
export function openChurnSession(
  ctx: MeasureContext,
  read: () => number,
  what: string,
  describe: () => string = () => '',
): ChurnSession {
  const plan = ctx.quick ? QUICK_CHURN : FULL_CHURN;
  const rig = openBackendRig({
    mode: 'process',
    entries: { 'ready.js': READY_ENTRY },
    log: ctx.log,
  });
  const runs: Promise<ChurnMeasurement>[] = [];
  const calls = { before: 0, after: 0 };
  const measure = async (): Promise<ChurnMeasurement> => {
    // Logging first: the first stderr write opens a descriptor, which must not count as growth.
    ctx.log(
      `${what}: warm-up of ${plan.warmup}, then ${plan.count} spawn/stop, ${plan.concurrency} at a time`,
    );
    await churn(rig, plan.warmup, plan.concurrency);
    const before = await readings(read, plan.readings, plan.readingGapMs);
    const detail = describe();
    ctx.log(`${what}: before (after ${plan.warmup} warm-up): ${before.join(', ')} ${detail}`);
    const t0 = performance.now();
    const step = Math.max(1, Math.floor(plan.count / 10));
    await churn(rig, plan.count, plan.concurrency, (done) => {
      if (done % step !== 0) return;
      const rate = done / ((performance.now() - t0) / 1000);
      ctx.log(`${what}: ${done}/${plan.count} (${rate.toFixed(0)}/s), now ${read().toFixed(1)}`);
    });
    const seconds = ((performance.now() - t0) / 1000).toFixed(1);
    const after = await readings(read, plan.readings, plan.readingGapMs);
    ctx.log(`${what}: after ${plan.count} in ${seconds} s: ${after.join(', ')} ${describe()}`);
    return { before, after };
  };
  const take = async (side: 'before' | 'after'): Promise<number[]> => {
    const k = calls[side]++;
    if (k > runs.length) throw new SpindleError('INTERNAL', `${what}: measurement ${k} skipped`);
    if (k === runs.length) runs.push(measure());
    return (await runs[k]!)[side];
  };
  return {
    before: () => take('before'),
    after: () => take('after'),
    close: () => rig.close(),
  };
}
