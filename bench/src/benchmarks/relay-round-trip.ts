/**
 * Seed floor for "frontend → backend runtime → frontend round trip" (DESIGN §9: ≤ 1.5× floor,
 * p99 ≤ 3×): the raw path client → WebSocket → Bun.serve → IPC → Bun child and back. DESIGN
 * names the floor "raw WebSocket echo + raw IPC echo"; the two halves are measured on their
 * own by `ws-echo-round-trip` and `ipc-echo-round-trip`, and this relay chains them the way
 * the host does, so the figure can be compared against one measure.
 */
import { openWsIpcRelay } from '../floors/ws.ts';
import { SPLIT_PLACEMENT_NOTE } from '../harness/placement.ts';
import type { Benchmark } from '../harness/types.ts';

/** Round trips per sample. */
const BATCH = 100;

/** Raw WebSocket + IPC relay round trip. */
export const relayRoundTrip: Benchmark = {
  name: 'relay-round-trip',
  title: 'WebSocket + IPC relay round trip',
  unit: 'ms',
  floor: {
    label: `raw relay round trip: WS client → Bun.serve → IPC echo child → back (JSON; ${SPLIT_PLACEMENT_NOTE})`,
    open: (ctx) => openWsIpcRelay(ctx.bunPath, ctx.quick ? 20 : BATCH),
  },
  placement: 'split',
};
