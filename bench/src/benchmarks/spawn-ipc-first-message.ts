/**
 * Seed floor for "backend subprocess spawn → ready" (DESIGN §9, target ≤ 1.3× floor): a bare
 * `Bun.spawn` with IPC until the child's first message. The figure lands with the process
 * supervisor.
 */
import { timeSpawnToFirstMessage } from '../floors/ipc.ts';
import type { Benchmark } from '../harness/types.ts';

/** Bare Bun.spawn with IPC → first message. */
export const spawnIpcFirstMessage: Benchmark = {
  name: 'spawn-ipc-first-message',
  title: 'subprocess spawn → first message',
  unit: 'ms',
  floor: {
    label: 'bare Bun.spawn with IPC → first message',
    open: async (ctx) => ({
      sample: () => timeSpawnToFirstMessage(ctx.bunPath),
      close: async () => {},
    }),
  },
  // Spawns are cheap enough for 100 rounds, so p99 is not simply the maximum.
  rounds: { warmup: 3, measured: 100, quick: 5 },
};
