/**
 * What the benchmark clients and the echo extension's backend say to each other through the
 * whole stack (`ctx.sendToBackend` → `spindle.onFrontendMessage`, `spindle.sendToFrontend` →
 * `ctx.onBackendMessage`). Shared by the Bun clients, the Chromium page and `echo-extension.ts`.
 */

/**
 * Not a stack message: what a page's bare WebSocket sends after a raw burst; the sink server
 * answers with the number of messages it counted since the last one.
 */
export const RAW_END_OF_BURST = 'end';

/** Identifier of the echo extension. */
export const ECHO_EXTENSION_ID = 'bench_stack_echo';

/** A round-trip probe; the backend sends it back unchanged to the session it came from. */
export interface PingPayload {
  kind: 'ping';
  seq: number;
  text: string;
}

/** One message of a one-way burst; the backend only counts it, per session. */
export interface CountPayload {
  kind: 'count';
  seq: number;
  text: string;
}

/** End of a burst; the backend answers `CountedPayload` with its count and resets it. */
export interface CountEndPayload {
  kind: 'count_end';
  seq: number;
}

/** The backend's answer to `CountEndPayload`. */
export interface CountedPayload {
  kind: 'counted';
  seq: number;
  count: number;
}

/** A payload sent from a benchmark client. */
export type UpPayload = PingPayload | CountPayload | CountEndPayload;

/** A payload the backend sends back. */
export type DownPayload = PingPayload | CountedPayload;
