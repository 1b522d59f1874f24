/**
 * Memory of many installed, few active extensions (issue 22): 200 installed extensions of which
 * 10 are active (lazy activation, the other 190 never woken), next to a host of the same 10
 * active runtimes alone. Both: host total PSS, the benchmark process plus every descendant
 * (runtimes), read from `/proc/<pid>/smaps_rollup` after a full GC, each in a host of its own
 * that is closed before the next. PSS, not VmRSS: shared pages (Bun's binary) counted once.
 * One-shot, process mode. Target ≤ 1.1×.
 */
import type { Benchmark, MeasureContext } from '../harness/types.ts';

/** Installed extensions of the figure. */
export const INSTALLED = 200;
/** Active runtimes of both sides. */
export const ACTIVE = 10;
/** Idle time after the runtimes are ready, before measuring. */
const IDLE_BEFORE_MS = 2_000;

/** A host over `installed` extensions with the first `ACTIVE` running; resolves with its PSS. */
async function measure(ctx: MeasureContext, installed: number): Promise<number> {
  const { openHostRig } = await import('./lib/host-rig.ts');
  const { treePssMiB } = await import('./lib/procfs.ts');
  const { settle } = await import('./lib/churn.ts');
  const rig = await openHostRig('process', installed, ctx.log, {
    enable: 'all',
    activation: { defaultPolicy: 'lazy' },
  });
  try {
    const active = rig.identifiers.slice(0, ACTIVE);
    await Promise.all(active.map((id) => rig.host.wake(id)));
    const running = rig.host.list().filter((e) => e.state === 'running').length;
    if (running !== ACTIVE) throw new Error(`${running} runtimes run, not ${ACTIVE}`);
    await Bun.sleep(IDLE_BEFORE_MS);
    await settle();
    const pss = treePssMiB(process.pid);
    ctx.log(`${installed} installed, ${running} running: ${pss.toFixed(1)} MiB PSS`);
    return pss;
  } finally {
    await rig.close();
  }
}

/** The row. */
export const lazyMemoryPss: Benchmark = {
  name: 'lazy-memory-pss',
  title: `host total PSS: ${INSTALLED} installed extensions, ${ACTIVE} active (process mode)`,
  unit: 'MB',
  floor: {
    label: `host + ${ACTIVE} active runtimes, nothing else installed`,
    open: async (ctx) => ({ sample: () => measure(ctx, ACTIVE), close: async () => {} }),
  },
  figure: {
    label: `host + ${INSTALLED} installed (lazy), ${ACTIVE} woken`,
    open: async (ctx) => ({ sample: () => measure(ctx, INSTALLED), close: async () => {} }),
  },
  target: [{ stat: 'median', relation: 'at-most', times: 1.1 }],
  rounds: { warmup: 1, measured: 3, quick: 1 },
  timeoutMs: 600_000,
};
