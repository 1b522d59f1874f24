/**
 * Frontend → backend runtime → frontend round trip through the whole stack, per runtime mode
 * (DESIGN §9: ≤ 1.5× floor, p99 ≤ 3×). Figure: a real host (token auth, host server, hub,
 * process service, `createSpindleHost`) running an echo extension, and one tab made of the host
 * bridge + frontend SDK with the echo's frontend half mounted; `ctx.sendToBackend` →
 * `spindle.onFrontendMessage` → `spindle.sendToFrontend` → `ctx.onBackendMessage`. Floor: the
 * raw WebSocket → IPC relay of `relay-round-trip` (the harness's single floor for this figure).
 * In `worker` mode the runtime is a Worker, not a child, and the row carries Bun's Worker
 * messaging cost instead of the IPC hop: posting to a parked worker costs its caller 10–20 µs,
 * which is why the medium carries JSON text (one string to copy) rather than structured clones.
 *
 * Back-to-back round trips (each an uplink and, riding along, an ack) can exceed the 9,000
 * frames/s the bridge allows itself under the server's shipped rate limit, so the per-mode rows
 * raise that limit (see `stack/limits.ts`) to measure latency; `stack-round-trip-default-limits`
 * keeps it and shows what a tab gets out of the box.
 */
import { openWsIpcRelay } from '../floors/ws.ts';
import { SPLIT_PLACEMENT_NOTE } from '../harness/placement.ts';
import type { Benchmark, Condition, Measure } from '../harness/types.ts';
import { RAISED_FRAMES_PER_SECOND, RAISED_LIMIT_NOTE } from './stack/limits.ts';

/** Round trips per sample. */
const BATCH = 100;
const QUICK_BATCH = 20;

const target: readonly Condition[] = [
  { stat: 'median', relation: 'at-most', times: 1.5 },
  { stat: 'p99', relation: 'at-most', times: 3 },
];
/**
 * Warm-up: 20,000 round trips. The figure's code is much larger than the floor's, and JSC
 * keeps compiling it at higher tiers for a long while: measured on the 2-core VM (process mode,
 * split placement), the host's JIT thread used 30–70 ms of CPU per 2,000 round trips up to
 * about 12,000, then next to nothing. That thread shares a CPU with the runtime, and while it
 * compiled, the p99 of each 2,000 round trips was 0.4–1.3 ms; after it, 0.13–0.16 ms. With the
 * earlier 2,000-round-trip warm-up, the figure's p99 was 0.5–0.6 ms and one full run missed
 * the p99 target (3.8× a quiet floor).
 */
const rounds = { warmup: 200, measured: 30, quick: 5 };

const relayFloor: Measure = {
  label: `raw relay round trip: WS client → Bun.serve → IPC echo child → back (JSON; ${SPLIT_PLACEMENT_NOTE})`,
  open: (ctx) => openWsIpcRelay(ctx.bunPath, ctx.quick ? QUICK_BATCH : BATCH),
};

function roundTrip(mode: 'process' | 'sandbox' | 'worker'): Benchmark {
  return {
    name: `stack-round-trip-${mode}`,
    title: `frontend → backend runtime → frontend round trip (${mode} mode)`,
    unit: 'ms',
    floor: relayFloor,
    figure: {
      label: `bridge + SDK tab → host server → ${mode} runtime echo → back (${RAISED_LIMIT_NOTE}; ${SPLIT_PLACEMENT_NOTE})`,
      open: async (ctx) => {
        const { openStackRoundTrip } = await import('./stack/measures.ts');
        return openStackRoundTrip(
          ctx,
          mode,
          ctx.quick ? QUICK_BATCH : BATCH,
          RAISED_FRAMES_PER_SECOND,
        );
      },
    },
    target,
    rounds,
    timeoutMs: 180_000,
    placement: 'split',
  };
}

/** `process` mode. */
export const stackRoundTripProcess = roundTrip('process');
/** `sandbox` mode. */
export const stackRoundTripSandbox = roundTrip('sandbox');
/** `worker` mode. */
export const stackRoundTripWorker = roundTrip('worker');

/** `process` mode with the server's shipped per-connection rate limit (the bridge paces). */
export const stackRoundTripDefaultLimits: Benchmark = {
  name: 'stack-round-trip-default-limits',
  title: 'frontend → backend runtime → frontend round trip (process mode, shipped rate limit)',
  unit: 'ms',
  floor: relayFloor,
  figure: {
    label: `bridge + SDK tab → host server → process runtime echo → back (shipped default limit, DEFAULT_WIRE_LIMITS; ${SPLIT_PLACEMENT_NOTE})`,
    open: async (ctx) => {
      const { openStackRoundTrip } = await import('./stack/measures.ts');
      return openStackRoundTrip(ctx, 'process', ctx.quick ? QUICK_BATCH : BATCH, undefined);
    },
  },
  target,
  rounds,
  timeoutMs: 180_000,
  placement: 'split',
};
