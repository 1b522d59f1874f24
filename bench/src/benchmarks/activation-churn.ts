/**
 * Activation churn (issue 22: no growth beyond noise): 1,000 wake → hibernate cycles (100 with
 * `--quick`) of one lazy extension through a real `createSpindleHost` in process mode, after a
 * warm-up of 50. A one-shot measurement like `backend-churn`: the floor is the host *before* the
 * churn, the figure the same host *after* it, each 5 readings after a full GC. Two rows (RSS and
 * open descriptors) because a row has one unit; each runs its own churn in its own process.
 *
 * Noise bands, fixed before measuring: RSS may grow by 5 MB over 1,000 cycles (about 5 KB per
 * cycle: a leaked runtime record, channel or timer per wake shows), descriptors by 0 (every
 * runtime's pipes and IPC socket are closed once it is gone).
 */
import type { MeasureContext } from '../harness/types.ts';
import {
  type BeforeAfterSession,
  beforeAfterBenchmark,
  LEAK_PROBES,
  type LeakProbe,
} from './lib/before-after.ts';

/** Allowed RSS growth over the churn, MB. */
export const ACTIVATION_CHURN_RSS_BAND_MB = 5;
/** Allowed growth of open descriptors over the churn. */
export const ACTIVATION_CHURN_FD_BAND = 0;

const PLAN = { count: 1000, warmup: 50, readings: 5, readingGapMs: 200 };
const QUICK_PLAN = { ...PLAN, count: 100, warmup: 10 };

/** One host, measured on demand: warm-up, readings, churn, readings (see `backend-churn.ts`). */
async function openSession(
  ctx: MeasureContext,
  what: string,
  read: () => number,
  describe: () => string,
): Promise<BeforeAfterSession> {
  const { openHostRig } = await import('./lib/host-rig.ts');
  const { readings } = await import('./lib/churn.ts');
  const plan = ctx.quick ? QUICK_PLAN : PLAN;
  const rig = await openHostRig('process', 1, ctx.log, {
    enable: 'all',
    activation: { defaultPolicy: 'lazy' },
  });
  const id = rig.identifiers[0] as string;
  const cycles = async (n: number, progress?: (done: number) => void) => {
    for (let i = 0; i < n; i++) {
      const woken = await rig.host.wake(id);
      const pid = woken.pid;
      if (woken.state !== 'running' || pid === undefined)
        throw new Error(`wake left ${woken.state}`);
      const slept = await rig.host.hibernate(id);
      if (slept.state !== 'hibernated') throw new Error(`hibernate left ${slept.state}`);
      progress?.(i + 1);
    }
  };
  let run: Promise<{ before: number[]; after: number[] }> | undefined;
  const measure = () => {
    run ??= (async () => {
      ctx.log(`${what}: warm-up of ${plan.warmup}, then ${plan.count} wake/hibernate cycles`);
      await cycles(plan.warmup);
      const before = await readings(read, plan.readings, plan.readingGapMs);
      ctx.log(`${what}: before: ${before.join(', ')} ${describe()}`);
      const t0 = performance.now();
      const step = Math.max(1, Math.floor(plan.count / 10));
      await cycles(plan.count, (done) => {
        if (done % step !== 0) return;
        const rate = done / ((performance.now() - t0) / 1000);
        ctx.log(`${what}: ${done}/${plan.count} (${rate.toFixed(0)}/s), now ${read().toFixed(1)}`);
      });
      const after = await readings(read, plan.readings, plan.readingGapMs);
      ctx.log(`${what}: after ${plan.count}: ${after.join(', ')} ${describe()}`);
      return { before, after };
    })();
    return run;
  };
  return {
    before: async () => (await measure()).before,
    after: async () => (await measure()).after,
    close: () => rig.close(),
  };
}

function churnBenchmark(
  name: string,
  unit: 'MB' | 'fd',
  what: string,
  band: number,
  probe: () => Promise<LeakProbe>,
) {
  return beforeAfterBenchmark({
    name,
    title: `wake/hibernate churn of one lazy extension: host ${what}`,
    unit,
    band,
    floorLabel: `host ${what} before the churn (after warm-up, GC)`,
    figureLabel: `host ${what} after 1,000 wake → hibernate cycles (100 with --quick), process mode, GC`,
    timeoutMs: 900_000,
    probe,
    open: (ctx, { read, describe }) => openSession(ctx, name, read, describe),
  });
}

/** Host RSS before/after the churn. */
export const activationChurnRss = churnBenchmark(
  'activation-churn-rss',
  'MB',
  'RSS',
  ACTIVATION_CHURN_RSS_BAND_MB,
  LEAK_PROBES.rss,
);

/** Host open descriptors before/after the churn. */
export const activationChurnFds = churnBenchmark(
  'activation-churn-fds',
  'fd',
  'open file descriptors',
  ACTIVATION_CHURN_FD_BAND,
  LEAK_PROBES.fds,
);
