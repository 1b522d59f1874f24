/**
 * The browser half of the wire protocol: the connection state machine, reconnects with backoff,
 * and the session ledger that delivers every frame exactly once per session. The SDK sees it as
 * a `Transport`; the app sees its state and events.
 */
import type {
  ExtensionInfoDTO,
  FrontendDownlink,
  FrontendUplink,
  HelloFrame,
  WelcomeFrame,
  WireLimits,
} from '@spindle/types';
import { PROTOCOL_VERSION, SpindleError, WIRE_CLOSE_CODES } from '@spindle/types';
import type { Emitter } from 'mitt';
import type { HostBridge } from './api.ts';
import { backoffDelay } from './backoff.ts';
import { closeAction, failureFor } from './close-codes.ts';
import type { ConnectionLoss } from './connection.ts';
import { Connection } from './connection.ts';
import { type DownlinkContext, onInvalidFrame, onServerFrame, protocolError } from './downlinks.ts';
import type { HostBridgeEvents, SessionLostEvent } from './events.ts';
import { Notifier } from './notifier.ts';
import type { BridgeFailure, HostBridgeOptions, ResolvedOptions } from './options.ts';
import { resolveOptions } from './options.ts';
import { Sender } from './sender.ts';
import type { EndedSession } from './session.ts';
import { Session } from './session.ts';
import { CLIENT_CLOSE_CODES } from './socket.ts';
import type { ConnectionState } from './state.ts';
import { assertTransition, isTerminal, toTransportState } from './state.ts';
import type { TransportState } from './transport.ts';

/**
 * Connects to the host at once and returns the bridge. Throws `INVALID_OPTIONS` for bad options;
 * after that only `send()` while not open throws; every other problem is reported through
 * `events` and `connectionState`.
 */
export function connectHostBridge(options: HostBridgeOptions): HostBridge {
  const bridge = new Bridge(resolveOptions(options));
  bridge.start();
  return bridge;
}

/**
 * Error text of the `process_terminated` the bridge delivers for the processes of a session that
 * ended without them (lost, closed, or failed).
 */
export const SESSION_LOST_ERROR = 'the frontend session ended, and the host ended its processes';

class Bridge implements HostBridge {
  readonly #out = new Notifier();
  readonly events: Emitter<HostBridgeEvents> = this.#out.events;
  readonly #o: ResolvedOptions;
  readonly #session: Session;
  readonly #sender: Sender;
  #state: ConnectionState = 'connecting';
  #conn: Connection | undefined;
  #attempt = 0;
  #retryTimer: unknown;
  #failure: BridgeFailure | undefined;

  readonly #onOnline = () => this.reconnect();
  readonly #downlinks: DownlinkContext = {
    session: () => this.#session,
    sender: () => this.#sender,
    out: this.#out,
    isCurrent: (conn) => conn === this.#conn,
    welcome: (conn, frame) => this.#onWelcome(conn, frame),
    fail: (failure) => this.#fail(failure),
  };

  constructor(options: ResolvedOptions) {
    this.#o = options;
    this.#session = new Session(options, (seq) => this.#sender.control({ type: 'ack', seq }));
    this.#sender = new Sender(options, this.#session);
  }

  get state(): TransportState {
    return toTransportState(this.#state);
  }
  get connectionState(): ConnectionState {
    return this.#state;
  }
  get sessionId(): string | undefined {
    return this.#session.info?.id;
  }
  get frontendSessionId(): string | undefined {
    return this.#session.info?.id;
  }
  get userId(): string | undefined {
    return this.#session.info?.userId;
  }
  get isAdmin(): boolean {
    return this.#session.info?.isAdmin ?? false;
  }
  get extensions(): readonly ExtensionInfoDTO[] {
    return [...this.#session.extensions.values()];
  }
  get limits(): WireLimits {
    return this.#session.limits;
  }
  get unacked(): number {
    return this.#session.outbox.entries.length;
  }
  get failure(): BridgeFailure | undefined {
    return this.#failure;
  }

  start(): void {
    this.#o.onlineEvents?.addEventListener('online', this.#onOnline);
    this.#connect();
  }

  onMessage(handler: (message: FrontendDownlink) => void): () => void {
    return this.#out.onMessage(handler);
  }

  onStateChange(handler: (state: TransportState) => void): () => void {
    return this.#out.onStateChange(handler);
  }

  send(message: FrontendUplink): boolean {
    if (this.#state !== 'open') {
      throw new SpindleError(
        'NOT_CONNECTED',
        `cannot send ${message?.type}: the host bridge is ${this.#state}`,
        { details: { state: this.#state } },
      );
    }
    const prepared = this.#session.prepare(message);
    if (!prepared.ok) {
      const { reason, code } = prepared;
      this.#out.emit('dropped', { reason, code, messages: [message], maybeDelivered: false });
      return false;
    }
    this.#session.commit(prepared.entry);
    // Written now or, when pacing holds it back, shortly; a resume replays whatever the host lacks.
    this.#sender.pump();
    return true;
  }

  reconnect(): void {
    if (this.#state !== 'reconnecting' || this.#retryTimer === undefined) return;
    this.#clearRetry();
    this.#connect();
  }

  close(): void {
    if (isTerminal(this.#state)) return;
    if (this.#conn?.welcomed) this.#session.inbox.flush();
    this.#sender.detach();
    this.#conn?.dispose(CLIENT_CLOSE_CODES.CLOSED_BY_CLIENT, 'closed by client');
    this.#conn = undefined;
    this.#clearRetry();
    const ended = this.#session.end();
    this.#reportUnacked(ended, 'closed', 'HOST_CLOSING');
    this.#endProcesses(ended);
    this.#setState('closed');
  }

  // ── connection lifecycle ──────────────────────────────────────────────────────────────────

  #connect(): void {
    const conn: Connection = new Connection(this.#o, () => this.#session.limits, {
      onOpen: () => this.#sendHello(conn),
      onFrame: (frame) => onServerFrame(this.#downlinks, conn, frame),
      onInvalid: (issue) => onInvalidFrame(this.#downlinks, conn, issue),
      onPong: (rttMs) => this.#out.emit('pong', { rttMs }),
      onLost: (loss) => {
        if (conn === this.#conn) this.#onLost(loss);
      },
    });
    this.#conn = conn;
    conn.open();
  }

  #sendHello(conn: Connection): void {
    let token: string;
    try {
      token = this.#o.token();
    } catch (cause) {
      this.#out.error({
        source: 'handler',
        code: 'UNAUTHORIZED',
        message: 'the token function threw',
        cause,
      });
      conn.dispose(CLIENT_CLOSE_CODES.HANDSHAKE_TIMEOUT, 'no token');
      this.#onLost({ why: 'handshake_timeout' });
      return;
    }
    const hello: HelloFrame = { type: 'hello', protocolVersion: PROTOCOL_VERSION, token };
    const info = this.#session.info;
    if (this.#o.resume && info !== undefined) {
      hello.resumeSessionId = info.id;
      hello.lastServerSeq = this.#session.inbox.lastProcessed;
    }
    conn.sendControl(hello);
  }

  #onWelcome(conn: Connection, frame: WelcomeFrame): void {
    if (conn.welcomed) {
      protocolError(this.#out, 'a second welcome on one connection was ignored', 'welcome');
      return;
    }
    conn.markWelcomed();
    this.#attempt = 0;
    const unackedBefore = this.#session.outbox.entries.length;
    const adopted = this.#session.adopt(frame, this.#o.resume);
    // Read before any handler below can send: what the resume confirmed, nothing else.
    const unackedAfter = this.#session.outbox.entries.length;
    const confirmed = Math.min(frame.lastClientSeq, this.#session.outbox.lastSeq);
    if (adopted.lost !== undefined) {
      this.#onSessionLost(adopted.lost, adopted.lost.reason);
      if (conn !== this.#conn) return;
    }
    if (adopted.overclaimed !== undefined) {
      protocolError(
        this.#out,
        `welcome.lastClientSeq ${adopted.overclaimed} is beyond the last frame sent`,
        'welcome',
      );
    }
    this.#sender.attach((text) => conn.write(text), frame.limits);
    if (conn !== this.#conn) return;
    this.#setState('open');
    if (conn === this.#conn) this.#out.emit('welcome', frame);
    // A resume confirmed what the host got before the drop: that is room to send, like an ack.
    if (conn === this.#conn && adopted.lost === undefined && unackedAfter < unackedBefore) {
      this.#out.emit('acked', { seq: confirmed, unacked: this.#session.outbox.entries.length });
    }
  }

  #onSessionLost(
    ended: EndedSession & { previousSessionId: string },
    reason: SessionLostEvent['reason'],
  ): void {
    this.#reportUnacked(ended, 'session_lost', 'NO_FRONTEND_SESSION');
    const terminated = this.#endProcesses(ended);
    this.#out.emit('session_lost', {
      previousSessionId: ended.previousSessionId,
      reason,
      terminatedProcesses: terminated,
    });
  }

  /** Tells the SDK that the processes of an ended session are gone; returns their ids. */
  #endProcesses(ended: EndedSession): string[] {
    const terminated = this.#o.endProcessesOnSessionLoss ? ended.liveProcesses : [];
    for (const processId of terminated) {
      this.#out.deliver({
        type: 'process_terminated',
        processId,
        state: 'failed',
        exitReason: 'failed',
        error: SESSION_LOST_ERROR,
      });
    }
    return terminated;
  }

  #onLost(loss: ConnectionLoss): void {
    this.#conn = undefined;
    this.#sender.detach();
    this.#session.inbox.detach();
    if (loss.why === 'create_failed') {
      this.#out.error({
        source: 'protocol',
        code: 'NOT_CONNECTED',
        message: `could not create a WebSocket for ${this.#o.url}`,
        cause: loss.cause,
      });
    }
    const code = loss.closeCode;
    const action = code === undefined ? 'resume' : closeAction(code);
    if (action === 'fail' && code !== undefined) {
      this.#fail(failureFor(code, loss.closeReason ?? ''));
      return;
    }
    const info: { closeCode?: number; closeReason?: string } = {};
    if (code !== undefined) {
      info.closeCode = code;
      info.closeReason = loss.closeReason ?? '';
    }
    if (action === 'new_session' && this.#session.info !== undefined) {
      const previousSessionId = this.#session.info.id;
      const reason =
        code === WIRE_CLOSE_CODES.SESSION_UNKNOWN
          ? 'session_unknown'
          : code === WIRE_CLOSE_CODES.SESSION_OVERFLOW
            ? 'overflow'
            : 'taken_over';
      this.#onSessionLost({ previousSessionId, ...this.#session.end() }, reason);
      // The host answered and only refused the resume: start the new session without delay.
      // The next hello carries no resume id, so this cannot repeat.
      this.#scheduleReconnect(info, 0);
      return;
    }
    this.#scheduleReconnect(info);
  }

  #scheduleReconnect(
    info: { closeCode?: number; closeReason?: string },
    immediateMs?: number,
  ): void {
    if (isTerminal(this.#state)) return;
    this.#setState('reconnecting');
    if (this.#state !== 'reconnecting' || this.#retryTimer !== undefined) return;
    const delayMs = immediateMs ?? backoffDelay(this.#attempt, this.#o.backoff, this.#o.random);
    if (immediateMs === undefined) this.#attempt += 1;
    else this.#attempt = 0;
    this.#retryTimer = this.#o.timers.setTimeout(() => {
      this.#retryTimer = undefined;
      this.#connect();
    }, delayMs);
    this.#out.emit('reconnect_scheduled', { attempt: this.#attempt, delayMs, ...info });
  }

  #fail(failure: BridgeFailure): void {
    if (isTerminal(this.#state)) return;
    this.#sender.detach();
    this.#conn?.dispose(CLIENT_CLOSE_CODES.PROTOCOL_ERROR, failure.code);
    this.#conn = undefined;
    this.#clearRetry();
    this.#failure = failure;
    const ended = this.#session.end();
    this.#reportUnacked(ended, 'failed', failure.code);
    this.#endProcesses(ended);
    this.#setState('failed', failure);
    if (failure.code === 'UNAUTHORIZED' && this.#o.onAuthFailed !== undefined) {
      try {
        this.#o.onAuthFailed(failure);
      } catch (cause) {
        this.#out.error({
          source: 'handler',
          code: 'INTERNAL',
          message: 'onAuthFailed threw',
          cause,
        });
      }
    }
  }

  // ── plumbing ──────────────────────────────────────────────────────────────────────────────

  #reportUnacked(
    ended: EndedSession,
    reason: 'session_lost' | 'closed' | 'failed',
    code: HostBridgeEvents['dropped']['code'],
  ): void {
    if (ended.unacked.length === 0) return;
    this.#out.emit('dropped', { reason, code, messages: ended.unacked, maybeDelivered: true });
  }

  #clearRetry(): void {
    if (this.#retryTimer === undefined) return;
    this.#o.timers.clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
  }

  #setState(next: ConnectionState, failure?: BridgeFailure): void {
    const previous = this.#state;
    if (previous === next) return;
    assertTransition(previous, next);
    this.#state = next;
    if (isTerminal(next)) this.#o.onlineEvents?.removeEventListener('online', this.#onOnline);
    this.#out.emit(
      'state',
      failure === undefined ? { state: next, previous } : { state: next, previous, failure },
    );
    const transportState = toTransportState(next);
    if (transportState !== toTransportState(previous)) this.#out.transportState(transportState);
  }
}
