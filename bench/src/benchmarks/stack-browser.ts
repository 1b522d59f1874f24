/**
 * The round trip of `stack-round-trip-*` driven from headless Chromium (issue 6): the page,
 * bundled by `Bun.build` for the browser, holds the same tab as the Bun clients (host bridge +
 * frontend SDK, echo frontend mounted) and times its round trips with `performance.now()`.
 * Floor: the same page's bare WebSocket to a raw relay (Bun.serve → IPC echo child → back), so
 * the browser's own WebSocket and event-loop costs fall on both sides (bench/README "Limits").
 * Target as for the Bun-client figure: ≤ 1.5× median, p99 ≤ 3×. The server's rate limit is
 * raised as for that figure (`stack/limits.ts`).
 */
import type { Benchmark } from '../harness/types.ts';
import { RAISED_LIMIT_NOTE } from './stack/limits.ts';

/** Round trips per sample. */
const BATCH = 100;
const QUICK_BATCH = 20;

function browserRoundTrip(mode: 'process' | 'sandbox' | 'worker'): Benchmark {
  return {
    name: `stack-browser-round-trip-${mode}`,
    title: `Chromium → backend runtime → Chromium round trip (${mode} mode)`,
    unit: 'ms',
    floor: {
      label:
        'raw relay round trip from a Chromium page: bare WebSocket → Bun.serve → IPC echo child → back',
      open: async (ctx) => {
        const { openBrowserRelayFloor } = await import('./stack/browser.ts');
        return openBrowserRelayFloor(ctx, ctx.quick ? QUICK_BATCH : BATCH);
      },
    },
    figure: {
      label: `Chromium tab (bridge + SDK, Bun.build bundle) → host server → ${mode} runtime echo → back (${RAISED_LIMIT_NOTE})`,
      open: async (ctx) => {
        const { openBrowserStackRoundTrip } = await import('./stack/browser.ts');
        return openBrowserStackRoundTrip(ctx, mode, ctx.quick ? QUICK_BATCH : BATCH);
      },
    },
    target: [
      { stat: 'median', relation: 'at-most', times: 1.5 },
      { stat: 'p99', relation: 'at-most', times: 3 },
    ],
    rounds: { warmup: 3, measured: 30, quick: 5 },
    timeoutMs: 240_000,
  };
}

/** `process` mode. */
export const stackBrowserRoundTripProcess = browserRoundTrip('process');
/** `sandbox` mode. */
export const stackBrowserRoundTripSandbox = browserRoundTrip('sandbox');
/** `worker` mode. */
export const stackBrowserRoundTripWorker = browserRoundTrip('worker');

/** Messages per burst of the browser throughput row (one sample). */
const BROWSER_BURST = 5_000;
const QUICK_BROWSER_BURST = 1_000;

/**
 * One-way throughput frontend → backend from headless Chromium (`process` mode; the runtime
 * mode hardly moves throughput, see the Bun-client rows). Figure: the page's tab bursts through
 * `ctx.sendToBackend`, counted by the echo backend. Floor: the same page's bare WebSocket
 * bursting the same number of JSON messages to a counting `Bun.serve`, so Chromium's own
 * per-message WebSocket cost falls on both sides. Target as for the Bun-client rows: ≥ 0.5×.
 */
export const stackBrowserThroughputProcess: Benchmark = {
  name: 'stack-browser-throughput-process',
  title: 'Chromium → backend one-way throughput (process mode)',
  unit: 'msg/s',
  floor: {
    label: 'raw WebSocket messages/s from a Chromium page → Bun.serve sink (JSON, one per send)',
    open: async (ctx) => {
      const { openBrowserThroughputFloor } = await import('./stack/browser.ts');
      return openBrowserThroughputFloor(ctx.quick ? QUICK_BROWSER_BURST : BROWSER_BURST);
    },
  },
  figure: {
    label: `Chromium tab (bridge + SDK, Bun.build bundle) → process runtime, counted by the backend (${RAISED_LIMIT_NOTE})`,
    open: async (ctx) => {
      const { openBrowserStackThroughput } = await import('./stack/browser.ts');
      return openBrowserStackThroughput(
        ctx,
        'process',
        ctx.quick ? QUICK_BROWSER_BURST : BROWSER_BURST,
      );
    },
  },
  target: [{ stat: 'median', relation: 'at-least', times: 0.5 }],
  rounds: { warmup: 10, measured: 20, quick: 5 },
  timeoutMs: 240_000,
};
