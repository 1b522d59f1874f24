/**
 * Seed floor, the other half of the round-trip floor (DESIGN §9): a small JSON message echoed
 * by a `Bun.serve` WebSocket server over loopback.
 */
import { openWsEcho } from '../floors/ws.ts';
import type { Benchmark } from '../harness/types.ts';

/** Round trips per sample. */
const BATCH = 100;

/** Raw loopback WebSocket echo round trip. */
export const wsEchoRoundTrip: Benchmark = {
  name: 'ws-echo-round-trip',
  title: 'WebSocket echo round trip',
  unit: 'ms',
  floor: {
    label: 'raw loopback WebSocket echo round trip (Bun.serve ↔ Bun client, JSON)',
    open: (ctx) => openWsEcho(ctx.quick ? 20 : BATCH),
  },
};
