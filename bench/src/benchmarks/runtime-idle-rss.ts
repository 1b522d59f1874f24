/**
 * Idle memory per runtime (issue 4; DESIGN §9: worker ≤ 2 MB each, process ≤ 1.15× floor).
 * Floor: an idle bare Bun child under the runtime floor's command (`floorCommand`: for
 * `process` a PID namespace and pids cap, for `sandbox` bwrap with the sandbox's flags and a
 * runtime's view plus Landlock by the Perl launcher; bwrap's processes included) that loaded a
 * minimal backend entry, `IDLE_SETTLE_MS` after its first message, VmRSS from /proc. Figure,
 * `process` / `sandbox`: the runtime of
 * one minimal extension of a real `createSpindleHost`, the same time after `running`, VmRSS of
 * the runtime's process tree. Figure, `worker`: the host's own RSS growth (after a full GC) with
 * `WORKERS` workers running, divided by their number. DESIGN sets no memory target for
 * `sandbox`, so it is shown unjudged.
 */
import type { Benchmark, Measure, MeasureContext, Sampler } from '../harness/types.ts';

/** How long a child idles after it is ready before its RSS is read. */
export const IDLE_SETTLE_MS = 1_000;
/** Workers started per worker-mode sample. */
export const WORKERS = 20;

function idleBareFloor(sandbox: boolean): Measure {
  return {
    label: sandbox
      ? `idle bwrap (sandbox flags) + Landlock launcher + Bun with its entry loaded, ${IDLE_SETTLE_MS} ms after its first message, tree VmRSS`
      : `idle bwrap PID namespace (process-mode flags) + Bun with its entry loaded, ${IDLE_SETTLE_MS} ms after its first message, tree VmRSS`,
    async open(ctx) {
      const { floorCommand, openFloorRoom, startBareChild } = await import(
        './lib/bare-children.ts'
      );
      const room = openFloorRoom('runtime');
      let cmd: string[];
      try {
        cmd = await floorCommand(ctx.bunPath, sandbox ? 'sandbox' : 'process', room);
      } catch (error) {
        room.remove();
        throw error;
      }
      return {
        async sample() {
          const child = await startBareChild(cmd, false, room.cwd);
          try {
            await Bun.sleep(IDLE_SETTLE_MS);
            return child.rss();
          } finally {
            await child.close();
          }
        },
        close: async () => room.remove(),
      };
    },
  };
}

async function openSubprocessFigure(
  ctx: MeasureContext,
  mode: 'process' | 'sandbox',
): Promise<Sampler> {
  const { openHostRig } = await import('./lib/host-rig.ts');
  const { treeRssMiB } = await import('./lib/procfs.ts');
  const rig = await openHostRig(mode, 1, ctx.log);
  const id = rig.identifiers[0]!;
  return {
    async sample() {
      await rig.enable(id);
      try {
        await Bun.sleep(IDLE_SETTLE_MS);
        const pid = rig.runtimePid(id);
        if (pid === undefined) throw new Error(`no runtime pid for ${id} in ${mode} mode`);
        return treeRssMiB(pid);
      } finally {
        await rig.disable(id);
      }
    },
    close: () => rig.close(),
  };
}

const rounds = { warmup: 2, measured: 10, quick: 3 };

/** `process` mode. */
export const runtimeIdleRssProcess: Benchmark = {
  name: 'runtime-idle-rss-process',
  title: 'idle runtime memory (process mode)',
  unit: 'MB',
  floor: idleBareFloor(false),
  figure: {
    label: `process-mode runtime of a minimal extension, ${IDLE_SETTLE_MS} ms after running, tree VmRSS`,
    open: (ctx) => openSubprocessFigure(ctx, 'process'),
  },
  target: [{ stat: 'median', relation: 'at-most', times: 1.15 }],
  rounds,
};

/** `sandbox` mode. */
export const runtimeIdleRssSandbox: Benchmark = {
  name: 'runtime-idle-rss-sandbox',
  title: 'idle runtime memory (sandbox mode)',
  unit: 'MB',
  floor: idleBareFloor(true),
  figure: {
    label: `sandbox-mode runtime of a minimal extension, ${IDLE_SETTLE_MS} ms after running, tree VmRSS`,
    open: (ctx) => openSubprocessFigure(ctx, 'sandbox'),
  },
  rounds,
};

/** `worker` mode. */
export const runtimeIdleRssWorker: Benchmark = {
  name: 'runtime-idle-rss-worker',
  title: 'idle runtime memory (worker mode, per worker)',
  unit: 'MB',
  floor: idleBareFloor(false),
  figure: {
    label: `host RSS growth with ${WORKERS} idle worker runtimes (after GC) ÷ ${WORKERS}`,
    async open(ctx) {
      const { openHostRig } = await import('./lib/host-rig.ts');
      const { selfRssMiB } = await import('./lib/procfs.ts');
      const { settle } = await import('./lib/churn.ts');
      const rig = await openHostRig('worker', WORKERS, ctx.log);
      return {
        async sample() {
          await settle();
          const before = selfRssMiB();
          try {
            await rig.enableAll(4);
            await Bun.sleep(IDLE_SETTLE_MS);
            await settle();
            return (selfRssMiB() - before) / WORKERS;
          } finally {
            for (const id of rig.identifiers) await rig.disable(id);
          }
        },
        close: () => rig.close(),
      };
    },
  },
  target: [{ stat: 'median', relation: 'at-most', value: 2 }],
  rounds: { warmup: 1, measured: 5, quick: 2 },
};
