/**
 * Seed floor, half of the round-trip floor (DESIGN §9: frontend → backend runtime → frontend,
 * target ≤ 1.5× (raw WebSocket echo + raw IPC echo), p99 ≤ 3×): parent ↔ Bun child IPC echo.
 */
import { openIpcEcho } from '../floors/ipc.ts';
import { SPLIT_PLACEMENT_NOTE } from '../harness/placement.ts';
import type { Benchmark } from '../harness/types.ts';

/** Round trips per sample; many cheap observations per round keep p99 meaningful. */
const BATCH = 100;

/** Raw IPC echo round trip, parent ↔ Bun child. */
export const ipcEchoRoundTrip: Benchmark = {
  name: 'ipc-echo-round-trip',
  title: 'IPC echo round trip',
  unit: 'ms',
  floor: {
    label: `raw IPC echo round trip (Bun parent ↔ Bun child, JSON; ${SPLIT_PLACEMENT_NOTE})`,
    open: (ctx) => openIpcEcho(ctx.bunPath, ctx.quick ? 20 : BATCH),
  },
  placement: 'split',
};
