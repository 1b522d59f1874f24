/**
 * The two "start → first message" floors the spawn and runtime-start figures stand next to.
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

/** The launch module's bwrap flags (no Landlock launcher) + Bun → the child's first message. */
export const bareBwrapFloor: Measure = {
  label: 'bare bwrap (launch module flags, no Landlock launcher) + Bun → first message',
  open: async () => {
    const { bareBwrapPlan, timePlanToFirstMessage } = await import('./bare-children.ts');
    const plan = await bareBwrapPlan();
    return { sample: () => timePlanToFirstMessage(plan), close: async () => {} };
  },
};
