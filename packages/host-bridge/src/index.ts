/**
 * `@spindle/host-bridge`: the WebSocket `Transport` between the frontend SDK in a browser tab and
 * the Bun host. `connectHostBridge` returns a bridge to pass to `createExtensionHost`.
 */

export type { HostBridge } from './api.ts';
export type { BackoffJitter, BackoffOptions } from './backoff.ts';
export { backoffCeiling, backoffDelay, DEFAULT_BACKOFF } from './backoff.ts';
export { connectHostBridge, SESSION_LOST_ERROR } from './bridge.ts';
export type { CloseAction } from './close-codes.ts';
export { closeAction } from './close-codes.ts';
export type {
  AckedEvent,
  BridgeErrorEvent,
  DroppedEvent,
  HostBridgeEvents,
  ReconnectEvent,
  SessionLostEvent,
  StateEvent,
} from './events.ts';
export type { BridgeFailure, BridgeTimers, HostBridgeOptions } from './options.ts';
export {
  DEFAULT_ACK_DELAY_MS,
  DEFAULT_ACK_EVERY,
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  DEFAULT_MAX_QUEUED,
  DEFAULT_MAX_QUEUED_BYTES,
  DEFAULT_PING_INTERVAL_MS,
  DEFAULT_PONG_TIMEOUT_MS,
  DEFAULT_RESEND_AFTER_MS,
} from './options.ts';
export { BATCHES_PER_WINDOW, batchFrameCap, PACING_SHARE } from './sender.ts';
export type {
  SocketCloseEvent,
  SocketMessageEvent,
  WebSocketConstructor,
  WebSocketLike,
} from './socket.ts';
export { CLIENT_CLOSE_CODES } from './socket.ts';
export type { ConnectionState } from './state.ts';
export type { Transport, TransportState } from './transport.ts';
