/**
 * The browser half of the wire protocol: one WebSocket to the host, the handshake, reconnects
 * with backoff, session resume, and the seq/ack bookkeeping that delivers every frame exactly
 * once per session. The SDK sees it as a `Transport`; the app sees its state and events.
 */
import type {
  ClientFrame,
  ErrorFrame,
  ExtensionInfoDTO,
  FrontendDownlink,
  FrontendUplink,
  ServerFrame,
  ValidationResult,
  WelcomeFrame,
  WireLimits,
} from '@spindle/types';
import {
  DEFAULT_WIRE_LIMITS,
  PROTOCOL_VERSION,
  SpindleError,
  validateServerFrame,
  WIRE_CLOSE_CODES,
} from '@spindle/types';
import type { Emitter } from 'mitt';
import mitt from 'mitt';
import { backoffDelay } from './backoff.ts';
import { closeAction } from './close-codes.ts';
import type { BridgeErrorEvent, HostBridgeEvents, SessionLostEvent } from './events.ts';
import { Inbox } from './inbox.ts';
import type { BridgeFailure, HostBridgeOptions, ResolvedOptions } from './options.ts';
import { resolveOptions } from './options.ts';
import { Outbox, utf8Length } from './outbox.ts';
import type { WebSocketLike } from './socket.ts';
import { CLIENT_CLOSE_CODES, SOCKET_OPEN, socketText } from './socket.ts';
import type { ConnectionState } from './state.ts';
import { assertTransition, isTerminal, toTransportState } from './state.ts';
import type { Transport, TransportState } from './transport.ts';

/** A live connection to the host: the SDK's `Transport` plus state and events for the app. */
export interface HostBridge extends Transport {
  /**
   * Sends an uplink (only while `state === 'open'`, otherwise throws `NOT_CONNECTED`). Returns
   * false when the message was refused (reported through `dropped`): buffer full, too large for
   * the host, or not serialisable.
   */
  send(message: FrontendUplink): boolean;
  /** The detailed connection state. */
  readonly connectionState: ConnectionState;
  /** `frontendSessionId` of the current session (undefined before the first `welcome`). */
  readonly sessionId: string | undefined;
  /** User the host authenticated (undefined before the first `welcome`). */
  readonly userId: string | undefined;
  /** Whether the session may subscribe to runtime stats. */
  readonly isAdmin: boolean;
  /** Extensions as last reported by the host (`welcome`, then `extension_state` / `extension_removed`). */
  readonly extensions: readonly ExtensionInfoDTO[];
  /** The host's limits from the last `welcome` (the protocol defaults before it). */
  readonly limits: WireLimits;
  /** Uplinks sent and not yet acknowledged. */
  readonly unacked: number;
  /** Why the bridge is `failed`. */
  readonly failure: BridgeFailure | undefined;
  /** State changes, session loss, errors, drops, extension updates (mitt). */
  readonly events: Emitter<HostBridgeEvents>;
  /** While `reconnecting`, skips the rest of the backoff delay (e.g. on the browser's `online` event). */
  reconnect(): void;
  /** Closes for good: flushes the pending ack, closes the socket, clears every timer. Idempotent. */
  close(): void;
}

/**
 * Connects to the host at once and returns the bridge. Throws `INVALID_OPTIONS` for bad options;
 * every later problem is reported through `events` and `connectionState`, never thrown.
 */
export function connectHostBridge(options: HostBridgeOptions): HostBridge {
  const bridge = new Bridge(resolveOptions(options));
  bridge.start();
  return bridge;
}

/** The bridge's own timers; at most one of each is armed. */
type TimerName = 'retry' | 'handshake' | 'ping' | 'pong';

class Bridge implements HostBridge {
  readonly events: Emitter<HostBridgeEvents> = mitt<HostBridgeEvents>();
  readonly #o: ResolvedOptions;
  #state: ConnectionState = 'connecting';
  #socket: WebSocketLike | undefined;
  #welcomed = false;
  #attempt = 0;
  #session: { id: string; userId: string; isAdmin: boolean } | undefined;
  #extensions = new Map<string, ExtensionInfoDTO>();
  #limits: WireLimits = DEFAULT_WIRE_LIMITS;
  #failure: BridgeFailure | undefined;
  readonly #outbox: Outbox;
  readonly #inbox: Inbox;
  readonly #messageHandlers = new Set<(message: FrontendDownlink) => void>();
  readonly #stateHandlers = new Set<(state: TransportState) => void>();
  readonly #timers = new Map<TimerName, unknown>();

  constructor(options: ResolvedOptions) {
    this.#o = options;
    this.#outbox = new Outbox(options.maxQueued, options.maxQueuedBytes);
    this.#inbox = new Inbox(options.timers, options.ackDelayMs, options.ackEvery, (seq) =>
      this.#sendControl({ type: 'ack', seq }),
    );
  }

  get state(): TransportState {
    return toTransportState(this.#state);
  }
  get connectionState(): ConnectionState {
    return this.#state;
  }
  get sessionId(): string | undefined {
    return this.#session?.id;
  }
  get userId(): string | undefined {
    return this.#session?.userId;
  }
  get isAdmin(): boolean {
    return this.#session?.isAdmin ?? false;
  }
  get extensions(): readonly ExtensionInfoDTO[] {
    return [...this.#extensions.values()];
  }
  get limits(): WireLimits {
    return this.#limits;
  }
  get unacked(): number {
    return this.#outbox.entries.length;
  }
  get failure(): BridgeFailure | undefined {
    return this.#failure;
  }

  start(): void {
    this.#openSocket();
  }

  onMessage(handler: (message: FrontendDownlink) => void): () => void {
    this.#messageHandlers.add(handler);
    return () => {
      this.#messageHandlers.delete(handler);
    };
  }

  onStateChange(handler: (state: TransportState) => void): () => void {
    this.#stateHandlers.add(handler);
    return () => {
      this.#stateHandlers.delete(handler);
    };
  }

  send(message: FrontendUplink): boolean {
    if (this.#state !== 'open') {
      throw new SpindleError(
        'NOT_CONNECTED',
        `cannot send ${message?.type}: the host bridge is ${this.#state}`,
        { details: { state: this.#state } },
      );
    }
    const seq = this.#outbox.nextSeq;
    let text: string;
    try {
      text = JSON.stringify({ ...message, seq } satisfies ClientFrame);
    } catch {
      this.#drop('unserializable', 'INVALID_FRAME', [message], false);
      return false;
    }
    const bytes = utf8Length(text);
    if (bytes > this.#limits.maxFrameBytes) {
      this.#drop('too_large', 'FRAME_TOO_LARGE', [message], false);
      return false;
    }
    if (this.#outbox.wouldRefuse(bytes) !== undefined) {
      this.#drop('queue_full', 'QUEUE_FULL', [message], false);
      return false;
    }
    this.#outbox.push({ seq, message, text, bytes });
    // A socket that is closing keeps the entry; the resume replays it.
    this.#write(text);
    return true;
  }

  reconnect(): void {
    if (this.#state !== 'reconnecting' || !this.#timers.has('retry')) return;
    this.#clearTimer('retry');
    this.#openSocket();
  }

  close(): void {
    if (isTerminal(this.#state)) return;
    if (this.#welcomed) this.#inbox.flush();
    this.#detachSocket(CLIENT_CLOSE_CODES.CLOSED_BY_CLIENT, 'closed by client');
    this.#clearTimer('retry');
    this.#inbox.reset();
    const unacked = this.#outbox.reset();
    if (unacked.length > 0) {
      this.#drop(
        'closed',
        'HOST_CLOSING',
        unacked.map((entry) => entry.message),
        true,
      );
    }
    this.#setState('closed');
  }

  // ── connection lifecycle ──────────────────────────────────────────────────────────────────

  #openSocket(): void {
    let socket: WebSocketLike;
    try {
      socket = new this.#o.WebSocket(this.#o.url);
    } catch (cause) {
      this.#reportError({
        source: 'protocol',
        code: 'NOT_CONNECTED',
        message: `could not create a WebSocket for ${this.#o.url}: ${String(cause)}`,
        cause,
      });
      this.#scheduleReconnect({});
      return;
    }
    this.#socket = socket;
    this.#welcomed = false;
    this.#setTimer('handshake', this.#o.handshakeTimeoutMs, () =>
      this.#abandonSocket(CLIENT_CLOSE_CODES.HANDSHAKE_TIMEOUT, 'no welcome in time'),
    );
    socket.addEventListener('open', () => {
      if (socket === this.#socket) this.#sendHello();
    });
    socket.addEventListener('message', (event) => {
      if (socket === this.#socket) this.#onData(event.data);
    });
    socket.addEventListener('close', (event) => {
      if (socket === this.#socket) this.#onClose(event.code, event.reason);
    });
    // `error` is always followed by `close`, which carries the code we act on.
    socket.addEventListener('error', () => {});
  }

  #sendHello(): void {
    let token: string;
    try {
      token = this.#o.token();
    } catch (cause) {
      this.#reportError({
        source: 'handler',
        code: 'UNAUTHORIZED',
        message: 'the token function threw',
        cause,
      });
      this.#abandonSocket(CLIENT_CLOSE_CODES.HANDSHAKE_TIMEOUT, 'no token');
      return;
    }
    const hello: ClientFrame = { type: 'hello', protocolVersion: PROTOCOL_VERSION, token };
    if (this.#o.resume && this.#session !== undefined) {
      hello.resumeSessionId = this.#session.id;
      hello.lastServerSeq = this.#inbox.lastProcessed;
    }
    this.#sendControl(hello);
  }

  #onWelcome(frame: WelcomeFrame): void {
    if (this.#welcomed) {
      this.#reportError({
        source: 'protocol',
        code: 'INVALID_FRAME',
        message: 'a second welcome on one connection was ignored',
        frameType: 'welcome',
      });
      return;
    }
    if (frame.protocolVersion !== PROTOCOL_VERSION) {
      this.#fail({
        code: 'PROTOCOL_VERSION_MISMATCH',
        message: `the host speaks protocol version ${frame.protocolVersion}, this page speaks ${PROTOCOL_VERSION}: reload the page to get a matching version`,
      });
      return;
    }
    const socket = this.#socket;
    this.#clearTimer('handshake');
    this.#welcomed = true;
    this.#attempt = 0;
    this.#limits = frame.limits;
    this.#outbox.capCount(frame.limits.maxUnackedFrames);
    const previous = this.#session;
    const resumed =
      previous !== undefined && frame.resumed && frame.frontendSessionId === previous.id;
    if (previous !== undefined && !resumed) {
      this.#loseSession(this.#o.resume ? 'not_resumed' : 'resume_disabled');
    }
    this.#session = { id: frame.frontendSessionId, userId: frame.userId, isAdmin: frame.isAdmin };
    this.#extensions = new Map(frame.extensions.map((info) => [info.identifier, info]));
    if (resumed) this.#replayAfter(frame.lastClientSeq);
    if (socket !== this.#socket) return;
    this.#armPing();
    this.#setState('open');
    if (socket !== this.#socket) return;
    this.#emit('welcome', frame);
  }

  #replayAfter(lastClientSeq: number): void {
    if (!this.#outbox.ack(lastClientSeq)) {
      this.#reportError({
        source: 'protocol',
        code: 'INVALID_FRAME',
        message: `welcome.lastClientSeq ${lastClientSeq} is beyond the last frame sent (${this.#outbox.lastSeq})`,
        frameType: 'welcome',
      });
      this.#outbox.ack(this.#outbox.lastSeq);
    }
    for (const entry of this.#outbox.entries) this.#write(entry.text);
  }

  #loseSession(reason: SessionLostEvent['reason']): void {
    const previous = this.#session;
    if (previous === undefined) return;
    this.#session = undefined;
    this.#inbox.reset();
    const unacked = this.#outbox.reset();
    if (unacked.length > 0) {
      this.#drop(
        'session_lost',
        'NO_FRONTEND_SESSION',
        unacked.map((entry) => entry.message),
        true,
      );
    }
    this.#emit('session_lost', { previousSessionId: previous.id, reason });
  }

  #onClose(code: number, reason: string): void {
    this.#detachSocket();
    const action = closeAction(code);
    if (action === 'fail') {
      const mismatch = code === WIRE_CLOSE_CODES.PROTOCOL_VERSION_MISMATCH;
      this.#fail({
        code: mismatch ? 'PROTOCOL_VERSION_MISMATCH' : 'UNAUTHORIZED',
        message: mismatch
          ? `the host refused protocol version ${PROTOCOL_VERSION}${reason ? ` (${reason})` : ''}: reload the page to get a matching version`
          : `the host refused the token${reason ? ` (${reason})` : ''}: sign in again`,
        closeCode: code,
        closeReason: reason,
      });
      return;
    }
    if (action === 'new_session') {
      this.#loseSession(
        code === WIRE_CLOSE_CODES.SESSION_UNKNOWN ? 'session_unknown' : 'taken_over',
      );
    }
    this.#scheduleReconnect({ closeCode: code, closeReason: reason });
  }

  /** Gives up on the current socket without waiting for its `close` event. */
  #abandonSocket(code: number, reason: string): void {
    this.#detachSocket(code, reason);
    this.#scheduleReconnect({});
  }

  #detachSocket(code?: number, reason?: string): void {
    const socket = this.#socket;
    this.#socket = undefined;
    this.#welcomed = false;
    this.#clearTimer('handshake');
    this.#clearTimer('ping');
    this.#clearTimer('pong');
    this.#inbox.detach();
    if (socket !== undefined && code !== undefined) {
      try {
        socket.close(code, reason);
      } catch {
        // Already closed or closing; nothing left to release.
      }
    }
  }

  #scheduleReconnect(info: { closeCode?: number; closeReason?: string }): void {
    if (isTerminal(this.#state)) return;
    if (this.#state !== 'reconnecting') this.#setState('reconnecting');
    if (this.#state !== 'reconnecting' || this.#timers.has('retry')) return;
    const delayMs = backoffDelay(this.#attempt, this.#o.backoff, this.#o.random);
    this.#attempt += 1;
    this.#setTimer('retry', delayMs, () => this.#openSocket());
    this.#emit('reconnect_scheduled', { attempt: this.#attempt, delayMs, ...info });
  }

  #fail(failure: BridgeFailure): void {
    if (isTerminal(this.#state)) return;
    this.#detachSocket(CLIENT_CLOSE_CODES.PROTOCOL_ERROR, failure.code);
    this.#clearTimer('retry');
    this.#inbox.reset();
    const unacked = this.#outbox.reset();
    this.#failure = failure;
    if (unacked.length > 0) {
      this.#drop(
        'failed',
        failure.code,
        unacked.map((entry) => entry.message),
        true,
      );
    }
    this.#setState('failed', failure);
    if (failure.code === 'UNAUTHORIZED' && this.#o.onAuthFailed !== undefined) {
      try {
        this.#o.onAuthFailed(failure);
      } catch (cause) {
        this.#reportError({
          source: 'handler',
          code: 'INTERNAL',
          message: 'onAuthFailed threw',
          cause,
        });
      }
    }
  }

  // ── inbound frames ────────────────────────────────────────────────────────────────────────

  #onData(data: unknown): void {
    if (this.#timers.has('pong')) {
      this.#clearTimer('pong');
      this.#armPing();
    }
    const text = socketText(data);
    const result: ValidationResult<ServerFrame> =
      text === undefined
        ? {
            ok: false,
            error: { code: 'INVALID_FRAME', path: '', message: 'frame is neither text nor binary' },
          }
        : validateServerFrame(text, { maxFrameBytes: this.#limits.maxFrameBytes });
    if (!result.ok) {
      const { code, message, seq, frameType } = result.error;
      this.#reportError({ source: 'frame', code, message, seq, frameType });
      if (code === 'PROTOCOL_VERSION_MISMATCH' && frameType === 'welcome') {
        this.#fail({ code, message });
        return;
      }
      // A refused frame that is exactly the next in sequence counts as processed (the protocol
      // acks rejected frames too); any other claimed seq is not trusted to move the counter.
      if (seq !== undefined && this.#welcomed && this.#inbox.check(seq) === 'deliver') {
        this.#inbox.processed(seq);
      }
      return;
    }
    this.#onFrame(result.value);
  }

  #onFrame(frame: ServerFrame): void {
    switch (frame.type) {
      case 'welcome':
        this.#onWelcome(frame);
        return;
      case 'pong':
        this.#emit('pong', { rttMs: Math.max(0, this.#o.timers.now() - frame.at) });
        return;
      case 'error':
        this.#onErrorFrame(frame);
        return;
      case 'ack':
        if (!this.#welcomed) {
          this.#beforeWelcome(frame.type);
          return;
        }
        if (!this.#outbox.ack(frame.seq)) {
          this.#reportError({
            source: 'protocol',
            code: 'INVALID_FRAME',
            message: `ack ${frame.seq} is beyond the last frame sent (${this.#outbox.lastSeq})`,
            seq: frame.seq,
            frameType: 'ack',
          });
        }
        return;
      default:
        if (this.#welcomed) this.#onDownlink(frame);
        else this.#beforeWelcome(frame.type);
    }
  }

  #onDownlink(frame: FrontendDownlink & { seq: number }): void {
    const verdict = this.#inbox.check(frame.seq);
    if (verdict === 'duplicate') {
      this.#inbox.reack();
      return;
    }
    if (verdict === 'gap') {
      this.#reportError({
        source: 'protocol',
        code: 'INVALID_FRAME',
        message: `downlink seq ${frame.seq} skips past ${this.#inbox.lastProcessed + 1}; delivered anyway`,
        seq: frame.seq,
        frameType: frame.type,
      });
    }
    this.#inbox.processed(frame.seq);
    const { seq: _seq, ...rest } = frame;
    const message = rest as FrontendDownlink;
    if (message.type === 'extension_state') {
      this.#extensions.set(message.extension.identifier, message.extension);
      this.#emit('extension_state', message.extension);
    } else if (message.type === 'extension_removed') {
      this.#extensions.delete(message.extensionId);
      this.#emit('extension_removed', { extensionId: message.extensionId });
    } else if (message.type === 'runtime_stats') {
      this.#emit('runtime_stats', message.event);
    }
    for (const handler of [...this.#messageHandlers]) {
      try {
        handler(message);
      } catch (cause) {
        this.#reportError({
          source: 'handler',
          code: 'INTERNAL',
          message: `a message handler threw on ${message.type}`,
          seq: frame.seq,
          frameType: message.type,
          cause,
        });
      }
    }
  }

  #onErrorFrame(frame: ErrorFrame): void {
    const uplink = frame.seq === undefined ? undefined : this.#outbox.find(frame.seq)?.message;
    this.#reportError({
      source: 'host',
      code: frame.code,
      message: frame.message,
      seq: frame.seq,
      frameType: frame.frameType,
      uplink,
    });
    // Before `welcome`, these codes answer our `hello`: no retry can succeed.
    if (!this.#welcomed && frame.code === 'UNAUTHORIZED') {
      this.#fail({
        code: 'UNAUTHORIZED',
        message: `the host refused the token (${frame.message}): sign in again`,
      });
    } else if (!this.#welcomed && frame.code === 'PROTOCOL_VERSION_MISMATCH') {
      this.#fail({
        code: 'PROTOCOL_VERSION_MISMATCH',
        message: `${frame.message}: reload the page to get a matching version`,
      });
    }
  }

  #beforeWelcome(frameType: string): void {
    this.#reportError({
      source: 'protocol',
      code: 'HANDSHAKE_REQUIRED',
      message: `${frameType} before welcome was ignored`,
      frameType,
    });
  }

  // ── plumbing ──────────────────────────────────────────────────────────────────────────────

  #armPing(): void {
    if (this.#o.pingIntervalMs === 0 || this.#timers.has('ping')) return;
    this.#setTimer('ping', this.#o.pingIntervalMs, () => {
      this.#sendControl({ type: 'ping', at: this.#o.timers.now() });
      this.#setTimer('pong', this.#o.pongTimeoutMs, () =>
        this.#abandonSocket(CLIENT_CLOSE_CODES.PONG_TIMEOUT, 'no pong in time'),
      );
    });
  }

  #sendControl(frame: ClientFrame): void {
    this.#write(JSON.stringify(frame));
  }

  #write(text: string): void {
    const socket = this.#socket;
    if (socket === undefined || socket.readyState !== SOCKET_OPEN) return;
    try {
      socket.send(text);
    } catch {
      // The close event follows and decides what happens next; the outbox keeps the frame.
    }
  }

  #setTimer(name: TimerName, ms: number, callback: () => void): void {
    this.#clearTimer(name);
    const handle = this.#o.timers.setTimeout(() => {
      this.#timers.delete(name);
      callback();
    }, ms);
    this.#timers.set(name, handle);
  }

  #clearTimer(name: TimerName): void {
    if (!this.#timers.has(name)) return;
    this.#o.timers.clearTimeout(this.#timers.get(name));
    this.#timers.delete(name);
  }

  #setState(next: ConnectionState, failure?: BridgeFailure): void {
    const previous = this.#state;
    if (previous === next) return;
    assertTransition(previous, next);
    this.#state = next;
    this.#emit(
      'state',
      failure === undefined ? { state: next, previous } : { state: next, previous, failure },
    );
    const transportState = toTransportState(next);
    if (transportState === toTransportState(previous)) return;
    for (const handler of [...this.#stateHandlers]) {
      try {
        handler(transportState);
      } catch (cause) {
        this.#reportError({
          source: 'handler',
          code: 'INTERNAL',
          message: 'a state handler threw',
          cause,
        });
      }
    }
  }

  #drop(
    reason: HostBridgeEvents['dropped']['reason'],
    code: HostBridgeEvents['dropped']['code'],
    messages: FrontendUplink[],
    maybeDelivered: boolean,
  ): void {
    this.#emit('dropped', { reason, code, messages, maybeDelivered });
  }

  #reportError(event: BridgeErrorEvent): void {
    const clean = Object.fromEntries(
      Object.entries(event).filter(([, value]) => value !== undefined),
    ) as unknown as BridgeErrorEvent;
    this.#emit('error', clean);
  }

  /** mitt's `emit` stops at the first throwing handler; ours isolates them. */
  #emit<K extends keyof HostBridgeEvents>(type: K, event: HostBridgeEvents[K]): void {
    const own = (this.events.all.get(type) ?? []) as ((payload: unknown) => void)[];
    const wildcards = (this.events.all.get('*') ?? []) as ((t: string, payload: unknown) => void)[];
    const handlers = [
      ...own,
      ...wildcards.map((wildcard) => (payload: unknown) => wildcard(type, payload)),
    ];
    for (const handler of handlers) {
      try {
        handler(event);
      } catch (cause) {
        if (type === 'error') {
          // An error handler that throws has nowhere to report to: surface it to the page.
          queueMicrotask(() => {
            throw cause;
          });
        } else {
          this.#reportError({
            source: 'handler',
            code: 'INTERNAL',
            message: `a ${String(type)} event handler threw`,
            cause,
          });
        }
      }
    }
  }
}
