/**
 * The slice of the WebSocket API the bridge uses, so that the browser's `WebSocket`, Bun's, or a
 * scripted fake in tests can be passed in.
 */
import { SpindleError } from '@spindle/types';

/** A `message` event. */
export interface SocketMessageEvent {
  data: unknown;
}

/** A `close` event. */
export interface SocketCloseEvent {
  code: number;
  reason: string;
}

/** Minimal WebSocket instance. */
export interface WebSocketLike {
  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'error', listener: (event: unknown) => void): void;
  addEventListener(type: 'message', listener: (event: SocketMessageEvent) => void): void;
  addEventListener(type: 'close', listener: (event: SocketCloseEvent) => void): void;
}

/** Minimal WebSocket constructor (`globalThis.WebSocket` satisfies it). */
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** `readyState` of an open socket. */
export const SOCKET_OPEN = 1;

/**
 * Client close codes (the 4000–4099 range of the host's codes is theirs; ours start at 4100).
 * They only label why this side gave up on a socket; the host treats them as a plain drop.
 */
export const CLIENT_CLOSE_CODES = {
  /** `close()` was called. */
  CLOSED_BY_CLIENT: 1000,
  /** No `welcome` arrived within `handshakeTimeoutMs`. */
  HANDSHAKE_TIMEOUT: 4100,
  /** No frame arrived within `pongTimeoutMs` of a ping. */
  PONG_TIMEOUT: 4101,
  /** The host broke the protocol (wrong version in `welcome`, acks for unsent frames). */
  PROTOCOL_ERROR: 4102,
} as const;

/**
 * Resolves `url` to an absolute `ws:`/`wss:` URL. Relative URLs resolve against the page, and
 * `http(s):` maps to `ws(s):`, so `'/spindle/ws'` works in an app served by the host.
 */
export function resolveSocketUrl(url: string | URL, base?: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url, base);
  } catch (cause) {
    throw new SpindleError('INVALID_OPTIONS', `host bridge: invalid url ${String(url)}`, {
      cause,
    });
  }
  if (parsed.protocol === 'http:') parsed.protocol = 'ws:';
  else if (parsed.protocol === 'https:') parsed.protocol = 'wss:';
  if (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:') {
    throw new SpindleError(
      'INVALID_OPTIONS',
      `host bridge: url must use ws:, wss:, http: or https:, got ${parsed.protocol}`,
    );
  }
  return parsed.toString();
}

/** Turns a `message` event's data into text; binary frames are UTF-8 JSON too. */
export function socketText(data: unknown): string | undefined {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer) return new TextDecoder().decode(data);
  if (ArrayBuffer.isView(data)) return new TextDecoder().decode(data);
  return undefined;
}
