/**
 * 200 runtimes on this machine (issue 4; DESIGN §9: host event-loop lag p99 ≤ 10 ms), in
 * `worker` and in `process` mode; 20 with `--quick`. One-shot measurements: each sample starts a
 * real `createSpindleHost` over that many minimal extensions, enables them all (8 at a time),
 * lets them idle, measures, then closes the host and checks in /proc that no runtime survived.
 *
 * - lag: a 10 ms timer measuring its own lateness for `LAG_WINDOW_MS` while the runtimes idle;
 *   floor: the same probe in the same process with nothing running.
 * - RSS: host RSS plus the VmRSS of every runtime's process tree; floor: this process plus as
 *   many idle bare Bun children (what the same number of bare processes costs). DESIGN sets no
 *   memory target here, so it is shown unjudged.
 */
import type { Benchmark, MeasureContext } from '../harness/types.ts';

/** Runtimes per full run. */
export const RUNTIMES = 200;
/** Runtimes under `--quick`. */
export const QUICK_RUNTIMES = 20;
/** Lag probe window (3 s with `--quick`). */
export const LAG_WINDOW_MS = 10_000;
/** Idle time after the last runtime is ready, before measuring. */
export const IDLE_BEFORE_MS = 2_000;
/** Runtimes (and bare children) started at a time. */
const START_CONCURRENCY = 8;

const count = (ctx: MeasureContext) => (ctx.quick ? QUICK_RUNTIMES : RUNTIMES);
const window = (ctx: MeasureContext) => (ctx.quick ? 3_000 : LAG_WINDOW_MS);
const oneShot = { warmup: 0, measured: 1, quick: 1 };

/** Starts the host, enables every runtime, idles, runs `measure`, closes (always). */
async function withRuntimes<T>(
  ctx: MeasureContext,
  mode: 'worker' | 'process',
  measure: (rig: import('./lib/host-rig.ts').HostRig) => Promise<T>,
): Promise<T> {
  const { openHostRig } = await import('./lib/host-rig.ts');
  const n = count(ctx);
  const rig = await openHostRig(mode, n, ctx.log);
  try {
    const t0 = performance.now();
    await rig.enableAll(START_CONCURRENCY);
    ctx.log(
      `${n} ${mode} runtimes running after ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    await Bun.sleep(IDLE_BEFORE_MS);
    return await measure(rig);
  } finally {
    await rig.close();
  }
}

function lagBenchmark(mode: 'worker' | 'process'): Benchmark {
  return {
    name: `many-runtimes-lag-${mode}`,
    title: `host event-loop lag with ${RUNTIMES} idle ${mode} runtimes`,
    unit: 'ms',
    floor: {
      label: 'lateness of a 10 ms timer in this process, nothing running',
      open: async (ctx) => {
        const { measureLag } = await import('./lib/lag.ts');
        return { sample: () => measureLag(window(ctx)), close: async () => {} };
      },
    },
    figure: {
      label: `lateness of a 10 ms timer in the host with ${RUNTIMES} (--quick: ${QUICK_RUNTIMES}) idle ${mode} runtimes`,
      open: async (ctx) => {
        const { measureLag } = await import('./lib/lag.ts');
        return {
          sample: () => withRuntimes(ctx, mode, () => measureLag(window(ctx))),
          close: async () => {},
        };
      },
    },
    target: [{ stat: 'p99', relation: 'at-most', value: 10 }],
    rounds: oneShot,
    timeoutMs: 900_000,
  };
}

function rssBenchmark(mode: 'worker' | 'process'): Benchmark {
  return {
    name: `many-runtimes-rss-${mode}`,
    title: `total RSS with ${RUNTIMES} idle ${mode} runtimes (host + children)`,
    unit: 'MB',
    floor: {
      label: `this process + ${RUNTIMES} (--quick: ${QUICK_RUNTIMES}) idle bare Bun children`,
      open: async (ctx) => {
        const { startBareChild, READY_CHILD } = await import('./lib/bare-children.ts');
        const { selfRssMiB } = await import('./lib/procfs.ts');
        return {
          async sample() {
            const children: Awaited<ReturnType<typeof startBareChild>>[] = [];
            try {
              const n = count(ctx);
              let next = 0;
              const lane = async () => {
                while (next < n) {
                  next += 1;
                  children.push(await startBareChild([ctx.bunPath, READY_CHILD]));
                }
              };
              await Promise.all(Array.from({ length: START_CONCURRENCY }, lane));
              await Bun.sleep(IDLE_BEFORE_MS);
              return children.reduce((sum, c) => sum + c.rss(), selfRssMiB());
            } finally {
              await Promise.all(children.map((c) => c.close()));
            }
          },
          close: async () => {},
        };
      },
    },
    figure: {
      label: `host + ${RUNTIMES} (--quick: ${QUICK_RUNTIMES}) idle ${mode} runtimes (process trees)`,
      open: async (ctx) => {
        const { selfRssMiB, treeRssMiB } = await import('./lib/procfs.ts');
        return {
          sample: () =>
            withRuntimes(ctx, mode, async (rig) =>
              rig.identifiers.reduce((sum, id) => {
                const pid = rig.runtimePid(id);
                return sum + (pid === undefined ? 0 : treeRssMiB(pid));
              }, selfRssMiB()),
            ),
          close: async () => {},
        };
      },
    },
    rounds: oneShot,
    timeoutMs: 900_000,
  };
}

/** Lag, worker mode. */
export const manyRuntimesLagWorker = lagBenchmark('worker');
/** Lag, process mode. */
export const manyRuntimesLagProcess = lagBenchmark('process');
/** Total RSS, worker mode. */
export const manyRuntimesRssWorker = rssBenchmark('worker');
/** Total RSS, process mode. */
export const manyRuntimesRssProcess = rssBenchmark('process');
