/**
 * The "start → first message" floors the spawn and runtime-start figures stand next to.
 * Bun-only code is imported inside `open`, so importing this module does nothing.
 */
import { timeSpawnToFirstMessage } from '../../floors/ipc.ts';
import type { Measure } from '../../harness/types.ts';

/** Bare `Bun.spawn` with IPC → the child's first message. */
export const bareSpawnFloor: Measure = {
  label: 'bare Bun.spawn with IPC → first message',
  open: async (ctx) => ({
    sample: () => timeSpawnToFirstMessage(ctx.bunPath),
    close: async () => {},
  }),
};

/**
 * The floor of a `job` child in `mode`, loading its job's minimal entry before it reports
 * (`lib/bare-children.ts`). `process`: Bun in its own process group with its parent-death guard,
 * in a PID namespace of its own (bwrap with the process mode's flags) and under a pids cap
 * (`prlimit --nproc`), as `process` mode requires. `sandbox`: bwrap with the same flags and the
 * job's view, Landlock by the Perl launcher, then Bun.
 */
function floorOf(mode: 'process' | 'sandbox', job: 'runtime' | 'process'): Measure {
  const entry = job === 'runtime' ? 'its idle backend entry' : 'its ready-at-once entry';
  const launch =
    mode === 'process'
      ? 'Bun.spawn detached (own group) of bwrap --unshare-pid --die-with-parent prlimit --nproc bun --no-orphans'
      : `bwrap (sandbox flags; extension folder read-only${job === 'runtime' ? ', storage read-write' : ''}) + Landlock by the Perl launcher + Bun`;
  return {
    label: `${launch}, require of ${entry} → first message`,
    open: async (ctx) => {
      const { floorCommand, openFloorRoom, timeToFirstMessage } = await import(
        './bare-children.ts'
      );
      const room = openFloorRoom(job);
      try {
        const cmd = await floorCommand(ctx.bunPath, mode, room);
        return {
          sample: () => timeToFirstMessage(cmd, true, room.cwd),
          close: async () => room.remove(),
        };
      } catch (error) {
        room.remove();
        throw error;
      }
    },
  };
}

/** `process` floor of a backend runtime. */
export const processRuntimeFloor: Measure = floorOf('process', 'runtime');

/** `process` floor of a backend process. */
export const processBackendFloor: Measure = floorOf('process', 'process');

/** `sandbox` floor of a backend runtime: its extension folder and its storage are shown. */
export const sandboxRuntimeFloor: Measure = floorOf('sandbox', 'runtime');

/** `sandbox` floor of a backend process: its extension folder is shown. */
export const sandboxBackendFloor: Measure = floorOf('sandbox', 'process');
