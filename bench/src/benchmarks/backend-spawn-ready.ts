/**
 * Backend subprocess spawn → ready (DESIGN §9, ≤ 1.3× floor), in `process` and `sandbox` mode.
 * Figure: `ProcessService.handle(backend_process_spawn)` of the real service until the spawn
 * resolves (the child called `ready()`), for an entry under a temp extension's `dist/` that is
 * ready at once; it is stopped, outside the timing, after each sample. Floors: Bun in its own
 * process group with its parent-death guard, and for `sandbox` bwrap with the same flags and
 * view (an extension folder read-only) plus Landlock by the Perl launcher
 * (`lib/bare-children.ts`).
 */

import type { Benchmark, MeasureContext, Sampler } from '../harness/types.ts';
import { processBackendFloor, sandboxBackendFloor } from './lib/first-message-floors.ts';
import { READY_ENTRY } from './lib/temp-extensions.ts';

async function openSpawnFigure(ctx: MeasureContext, mode: 'process' | 'sandbox'): Promise<Sampler> {
  const { openBackendRig } = await import('./lib/backend-rig.ts');
  const rig = openBackendRig({ mode, entries: { 'ready.js': READY_ENTRY }, log: ctx.log });
  return {
    async sample() {
      const t0 = performance.now();
      const info = await rig.spawn('ready.js');
      const ms = performance.now() - t0;
      await rig.stop(info.processId);
      return ms;
    },
    close: () => rig.close(),
  };
}

/** `process` mode. */
export const backendSpawnReadyProcess: Benchmark = {
  name: 'backend-spawn-ready-process',
  title: 'backend subprocess spawn → ready (process mode)',
  unit: 'ms',
  floor: processBackendFloor,
  figure: {
    label: 'ProcessService backend_process_spawn → ready() (guarded Bun + child runtime)',
    open: (ctx) => openSpawnFigure(ctx, 'process'),
  },
  target: [{ stat: 'median', relation: 'at-most', times: 1.3 }],
  rounds: { warmup: 3, measured: 40, quick: 5 },
};

/** `sandbox` mode. */
export const backendSpawnReadySandbox: Benchmark = {
  name: 'backend-spawn-ready-sandbox',
  title: 'backend subprocess spawn → ready (sandbox mode)',
  unit: 'ms',
  floor: sandboxBackendFloor,
  figure: {
    label: 'ProcessService backend_process_spawn → ready() (full sandbox plan + child runtime)',
    open: (ctx) => openSpawnFigure(ctx, 'sandbox'),
  },
  target: [{ stat: 'median', relation: 'at-most', times: 1.3 }],
  rounds: { warmup: 3, measured: 40, quick: 5 },
};
