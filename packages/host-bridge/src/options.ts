/** Options of `connectHostBridge`, their defaults, and their validation. */
import { SpindleError } from '@spindle/types';
import type { BackoffOptions } from './backoff.ts';
import { DEFAULT_BACKOFF } from './backoff.ts';
import type { WebSocketConstructor } from './socket.ts';
import { resolveSocketUrl } from './socket.ts';

/** Timer functions the bridge uses; tests pass fake ones. */
export interface BridgeTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** Milliseconds on any monotonic or wall clock (only differences matter). */
  now(): number;
  /**
   * Runs `callback` when the current turn of the event loop ends; the uplinks sent in one turn
   * leave as one batch then. @default globalThis.queueMicrotask
   */
  queueMicrotask?(callback: () => void): void;
}

/** `BridgeTimers` with every member present. */
export type ResolvedTimers = Required<BridgeTimers>;

/** Why the bridge gave up for good. */
export interface BridgeFailure {
  code: 'UNAUTHORIZED' | 'PROTOCOL_VERSION_MISMATCH';
  /** A sentence a person can act on. */
  message: string;
  /** WebSocket close code, when the host closed the socket. */
  closeCode?: number;
  /** Close reason the host gave. */
  closeReason?: string;
}

/** Options of `connectHostBridge`. */
export interface HostBridgeOptions {
  /** WebSocket endpoint of the host; relative URLs resolve against the page, http(s) maps to ws(s). */
  url: string | URL;
  /** Auth token sent in `hello`; a function is called on every connection attempt. */
  token: string | (() => string);
  /** WebSocket constructor. @default globalThis.WebSocket */
  WebSocket?: WebSocketConstructor;
  /** Timers and clock. @default the global `setTimeout`/`clearTimeout` and `Date.now`, read when the bridge is created */
  timers?: BridgeTimers;
  /** Random source in [0, 1) for backoff jitter. @default Math.random */
  random?: () => number;
  /** Reconnect backoff. @default { initialMs: 250, maxMs: 10000, factor: 2, jitter: 'full' } */
  backoff?: Partial<BackoffOptions>;
  /** Most sent-but-unacknowledged uplinks kept for replay (also capped by the host's `limits.maxUnackedFrames`). @default 1000 */
  maxQueued?: number;
  /** Most bytes of sent-but-unacknowledged uplinks kept for replay. @default 16777216 */
  maxQueuedBytes?: number;
  /** Resume the session after a reconnect (otherwise every connection is a new session). @default true */
  resume?: boolean;
  /** Interval of `ping` frames while open; 0 disables. @default 15000 */
  pingIntervalMs?: number;
  /** A socket with no frame for this long after a ping is dropped and replaced. @default 10000 */
  pongTimeoutMs?: number;
  /** A connection attempt without `welcome` after this long is abandoned and retried. @default 10000 */
  handshakeTimeoutMs?: number;
  /** Acks for downlinks are sent this long after the first unacknowledged one. @default 50 */
  ackDelayMs?: number;
  /** …or at once after this many unacknowledged downlinks. @default 32 */
  ackEvery?: number;
  /**
   * When the session ends (lost, `close()`, or `failed`), deliver a `process_terminated` (state
   * and reason `failed`) for every frontend process the host spawned in it and that is still
   * running, so the SDK ends them as the host does.
   * @default true
   */
  endProcessesOnSessionLoss?: boolean;
  /**
   * Where to listen for the browser's `online` event, which cuts a reconnect delay short; `null`
   * does not listen.
   * @default globalThis (the window in a page)
   */
  onlineEvents?: Pick<EventTarget, 'addEventListener' | 'removeEventListener'> | null;
  /** Unacknowledged uplinks are sent again when no ack arrives for this long. @default 5000 */
  resendAfterMs?: number;
  /** Called once when the host refuses the token (the bridge is then `failed`). */
  onAuthFailed?: (failure: BridgeFailure) => void;
}

/** Options after defaults, as the bridge uses them. */
export interface ResolvedOptions {
  url: string;
  token: () => string;
  WebSocket: WebSocketConstructor;
  timers: ResolvedTimers;
  random: () => number;
  backoff: BackoffOptions;
  maxQueued: number;
  maxQueuedBytes: number;
  resume: boolean;
  pingIntervalMs: number;
  pongTimeoutMs: number;
  handshakeTimeoutMs: number;
  ackDelayMs: number;
  ackEvery: number;
  endProcessesOnSessionLoss: boolean;
  resendAfterMs: number;
  onlineEvents: Pick<EventTarget, 'addEventListener' | 'removeEventListener'> | null;
  onAuthFailed: ((failure: BridgeFailure) => void) | undefined;
}

/** Default of `maxQueued`. */
export const DEFAULT_MAX_QUEUED = 1000;
/** Default of `maxQueuedBytes`. */
export const DEFAULT_MAX_QUEUED_BYTES = 16 * 1024 * 1024;
/** Default of `pingIntervalMs`. */
export const DEFAULT_PING_INTERVAL_MS = 15_000;
/** Default of `pongTimeoutMs`. */
export const DEFAULT_PONG_TIMEOUT_MS = 10_000;
/** Default of `handshakeTimeoutMs`. */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;
/** Default of `ackDelayMs`. */
export const DEFAULT_ACK_DELAY_MS = 50;
/** Default of `resendAfterMs`. */
export const DEFAULT_RESEND_AFTER_MS = 5000;
/** Default of `ackEvery`. */
export const DEFAULT_ACK_EVERY = 32;

/** Applies defaults and checks every option; throws `INVALID_OPTIONS` naming the bad one. */
export function resolveOptions(options: HostBridgeOptions): ResolvedOptions {
  if (options === null || typeof options !== 'object') {
    throw new SpindleError('INVALID_OPTIONS', 'host bridge: options must be an object');
  }
  const { token } = options;
  if (typeof token !== 'string' && typeof token !== 'function') {
    throw new SpindleError('INVALID_OPTIONS', 'host bridge: token must be a string or a function');
  }
  const WebSocketCtor =
    options.WebSocket ??
    (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket ??
    invalid('WebSocket', 'no WebSocket constructor given and none on globalThis');
  const backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
  positive('backoff.initialMs', backoff.initialMs);
  positive('backoff.maxMs', backoff.maxMs);
  if (backoff.maxMs < backoff.initialMs) invalid('backoff.maxMs', 'must be ≥ backoff.initialMs');
  if (!(backoff.factor >= 1)) invalid('backoff.factor', 'must be ≥ 1');
  if (!['full', 'equal', 'none'].includes(backoff.jitter)) {
    invalid('backoff.jitter', "must be 'full', 'equal' or 'none'");
  }
  const location = (globalThis as { location?: { href?: string } }).location;
  return {
    url: resolveSocketUrl(options.url, location?.href),
    token: typeof token === 'string' ? () => token : token,
    WebSocket: WebSocketCtor,
    timers: resolveTimers(options.timers),
    random: options.random ?? Math.random,
    backoff,
    maxQueued: integer('maxQueued', options.maxQueued ?? DEFAULT_MAX_QUEUED, 1),
    maxQueuedBytes: integer(
      'maxQueuedBytes',
      options.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES,
      1,
    ),
    resume: options.resume ?? true,
    pingIntervalMs: integer(
      'pingIntervalMs',
      options.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS,
      0,
    ),
    pongTimeoutMs: integer('pongTimeoutMs', options.pongTimeoutMs ?? DEFAULT_PONG_TIMEOUT_MS, 1),
    handshakeTimeoutMs: integer(
      'handshakeTimeoutMs',
      options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS,
      1,
    ),
    ackDelayMs: integer('ackDelayMs', options.ackDelayMs ?? DEFAULT_ACK_DELAY_MS, 0),
    ackEvery: integer('ackEvery', options.ackEvery ?? DEFAULT_ACK_EVERY, 1),
    endProcessesOnSessionLoss: options.endProcessesOnSessionLoss ?? true,
    onlineEvents: options.onlineEvents === undefined ? defaultOnlineEvents() : options.onlineEvents,
    resendAfterMs: integer('resendAfterMs', options.resendAfterMs ?? DEFAULT_RESEND_AFTER_MS, 1),
    onAuthFailed: options.onAuthFailed,
  };
}

function resolveTimers(timers: BridgeTimers | undefined): ResolvedTimers {
  // Read once, at creation, so fake timers installed later by app code do not change ours.
  const microtask = globalThis.queueMicrotask.bind(globalThis);
  if (timers !== undefined) {
    return {
      setTimeout: (callback, ms) => timers.setTimeout(callback, ms),
      clearTimeout: (handle) => timers.clearTimeout(handle),
      now: () => timers.now(),
      queueMicrotask: (callback) => (timers.queueMicrotask ?? microtask)(callback),
    };
  }
  const set = globalThis.setTimeout.bind(globalThis);
  const clear = globalThis.clearTimeout.bind(globalThis);
  return {
    setTimeout: (callback, ms) => set(callback, ms),
    clearTimeout: (handle) => clear(handle as ReturnType<typeof setTimeout>),
    now: () => Date.now(),
    queueMicrotask: microtask,
  };
}

function defaultOnlineEvents(): ResolvedOptions['onlineEvents'] {
  const target = globalThis as Partial<EventTarget>;
  return typeof target.addEventListener === 'function' &&
    typeof target.removeEventListener === 'function'
    ? (target as EventTarget)
    : null;
}

function invalid(name: string, why: string): never {
  throw new SpindleError('INVALID_OPTIONS', `host bridge: option ${name} ${why}`);
}

function positive(name: string, value: number): void {
  if (!(typeof value === 'number' && Number.isFinite(value) && value > 0)) {
    invalid(name, `must be a positive number, got ${String(value)}`);
  }
}

function integer(name: string, value: number, min: number): number {
  if (!(Number.isSafeInteger(value) && value >= min)) {
    invalid(name, `must be an integer ≥ ${min}, got ${String(value)}`);
  }
  return value;
}
