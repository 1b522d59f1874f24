/**
 * Runtime start → ready per runtime mode (issue 4). Figure: `createSpindleHost` over a temp
 * folder with one minimal extension; time from `enable()` to the extension being `running`; it
 * is disabled, outside the timing, after each sample. Floors: what the design requires of a
 * child, by the standard tools alone (`lib/bare-children.ts`): for `process`, Bun in its own
 * process group with its parent-death guard; for `sandbox`, bwrap with the same flags and view
 * (an extension folder read-only, a storage folder read-write) plus Landlock by the Perl launcher. `process` and `sandbox` are judged by the subprocess spawn →
 * ready target (≤ 1.3× floor); no start target is set for `worker` (shown unjudged, next to the
 * bare `Bun.spawn` seed floor).
 */

import type { Benchmark, MeasureContext, Sampler } from '../harness/types.ts';
import {
  bareSpawnFloor,
  processRuntimeFloor,
  sandboxRuntimeFloor,
} from './lib/first-message-floors.ts';

async function openStartFigure(
  ctx: MeasureContext,
  mode: 'process' | 'sandbox' | 'worker',
): Promise<Sampler> {
  const { openHostRig } = await import('./lib/host-rig.ts');
  const rig = await openHostRig(mode, 1, ctx.log);
  const id = rig.identifiers[0]!;
  return {
    async sample() {
      const ms = await rig.enable(id);
      await rig.disable(id);
      return ms;
    },
    close: () => rig.close(),
  };
}

const rounds = { warmup: 3, measured: 30, quick: 5 };

/** `process` mode. */
export const runtimeStartProcess: Benchmark = {
  name: 'runtime-start-ready-process',
  title: 'runtime start → ready (process mode)',
  unit: 'ms',
  floor: processRuntimeFloor,
  figure: {
    label: 'createSpindleHost enable() → running, process mode',
    open: (ctx) => openStartFigure(ctx, 'process'),
  },
  target: [{ stat: 'median', relation: 'at-most', times: 1.3 }],
  rounds,
};

/** `sandbox` mode. */
export const runtimeStartSandbox: Benchmark = {
  name: 'runtime-start-ready-sandbox',
  title: 'runtime start → ready (sandbox mode)',
  unit: 'ms',
  floor: sandboxRuntimeFloor,
  figure: {
    label: 'createSpindleHost enable() → running, sandbox mode',
    open: (ctx) => openStartFigure(ctx, 'sandbox'),
  },
  target: [{ stat: 'median', relation: 'at-most', times: 1.3 }],
  rounds,
};

/** `worker` mode. */
export const runtimeStartWorker: Benchmark = {
  name: 'runtime-start-ready-worker',
  title: 'runtime start → ready (worker mode)',
  unit: 'ms',
  floor: bareSpawnFloor,
  figure: {
    label: 'createSpindleHost enable() → running, worker mode',
    open: (ctx) => openStartFigure(ctx, 'worker'),
  },
  rounds,
};
