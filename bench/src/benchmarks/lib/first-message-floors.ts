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
 * `process` floor: Bun in its own process group with its parent-death guard, in a PID namespace
 * of its own (bwrap with the process mode's flags) and under a pids cap (`prlimit --nproc`), as
 * `process` mode requires.
 */
export const guardedSpawnFloor: Measure = {
  label:
    'Bun.spawn detached (own group) of bwrap --unshare-pid --die-with-parent prlimit --nproc bun --no-orphans with IPC → first message',
  open: async (ctx) => {
    const { processFloorCommand, timeToFirstMessage } = await import('./bare-children.ts');
    const cmd = await processFloorCommand(ctx.bunPath);
    return { sample: () => timeToFirstMessage(cmd), close: async () => {} };
  },
};

/** `sandbox` floor: bwrap with the same flags, Landlock by the Perl launcher, then Bun. */
export const sandboxFloor: Measure = {
  label: 'bwrap (sandbox flags) + Landlock by the Perl launcher + Bun → first message',
  open: async (ctx) => {
    const { sandboxFloorCommand, timeToFirstMessage } = await import('./bare-children.ts');
    const cmd = await sandboxFloorCommand(ctx.bunPath);
    return { sample: () => timeToFirstMessage(cmd), close: async () => {} };
  },
};
