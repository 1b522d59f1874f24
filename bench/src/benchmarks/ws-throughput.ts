/**
 * Seed floor for "one-way message throughput, frontend → backend" (DESIGN §9, target ≥ 0.5×
 * floor): raw WebSocket messages/s, client → `Bun.serve` over loopback.
 */
import { openWsThroughput } from '../floors/ws.ts';
import type { Benchmark } from '../harness/types.ts';

/** Messages per burst (one sample). */
const BURST = 5_000;

/** Raw loopback WebSocket one-way throughput. */
export const wsThroughput: Benchmark = {
  name: 'ws-throughput',
  title: 'one-way WebSocket throughput',
  unit: 'msg/s',
  floor: {
    label: 'raw loopback WebSocket messages/s, client → Bun.serve (JSON)',
    open: (ctx) => openWsThroughput(ctx.quick ? 1_000 : BURST),
  },
  rounds: { warmup: 3, measured: 20, quick: 5 },
};
