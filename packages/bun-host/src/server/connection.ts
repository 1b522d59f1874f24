/**
 * One WebSocket connection, from upgrade to close: handshake (a valid `hello` within the
 * deadline, token checked before any extension data leaves), then every frame validated,
 * rate-limited and handed to the hub. Writes watch the socket's buffer and drop a client that
 * reads too slowly. The socket sits behind `WireSocket`, so this file never touches Bun.
 */
import {
  type ClientFrame,
  type ErrorFrame,
  type ExtensionInfoDTO,
  type HelloFrame,
  PROTOCOL_VERSION,
  type ServerFrame,
  type SpindleErrorCode,
  type ValidationResult,
  validateClientMessage,
  WIRE_CLOSE_CODES,
  type WireLimits,
} from '@spindle/types';
import type { HubClock, TimerHandle } from '../frontend/clock.ts';
import type { FrontendHub, SessionConnection } from '../frontend/hub.ts';
import type { AdmissionTicket } from './admission.ts';
import type { Authenticate } from './auth.ts';
import type { WireCounters } from './counters.ts';
import { FrameWriter } from './frame-writer.ts';
import { FrameRateLimiter } from './rate-limit.ts';
import { SocketCloser } from './socket-closer.ts';

/** Client frames whose `seq` field is not their own sequence number. */
const UNSEQUENCED_TYPES = new Set(['hello', 'ack', 'ping']);

/** The little a connection needs from a socket. */
export interface WireSocket {
  /** Bun's `ServerWebSocket.send`: bytes written, -1 when queued under backpressure, 0 when dropped. */
  send(text: string): number;
  close(code: number, reason: string): void;
  /** Ends the TCP connection at once, without a close handshake. */
  terminate(): void;
  /** Sends a WebSocket ping (the client's pong arrives as `WireConnection.onPong`). @default none */
  ping?(): void;
  /** Bytes queued and not yet written to the network. */
  bufferedAmount(): number;
}

/** Settings shared by every connection of a server. */
export interface ConnectionSettings {
  hub: FrontendHub;
  authenticate: Authenticate;
  listExtensions(): ExtensionInfoDTO[];
  limits: Pick<WireLimits, 'maxFrameBytes' | 'maxFramesPerSecond'>;
  handshakeTimeoutMs: number;
  maxBufferedBytes: number;
  /** A congested socket that does not drain for this long is closed with `BACKPRESSURE`. */
  stallTimeoutMs: number;
  rateLimitCloseAfterMs: number;
  clock: HubClock;
  counters: WireCounters;
  reportError(error: unknown): void;
}

/** States of a connection. */
export type ConnectionState = 'awaiting_hello' | 'authenticating' | 'open' | 'closing' | 'closed';

const TRANSITIONS: Record<ConnectionState, readonly ConnectionState[]> = {
  awaiting_hello: ['authenticating', 'closing', 'closed'],
  authenticating: ['awaiting_hello', 'open', 'closing', 'closed'],
  open: ['closing', 'closed'],
  closing: ['closed'],
  closed: [],
};

/** Close code for an unexpected failure on the host side. */
const INTERNAL_ERROR = 1011;

/** A frontend connection and its state machine. */
export class WireConnection {
  readonly #settings: ConnectionSettings;
  readonly #limiter: FrameRateLimiter;
  readonly #writer: FrameWriter;
  readonly #ticket: AdmissionTicket | undefined;
  #state: ConnectionState = 'awaiting_hello';
  #session: SessionConnection | undefined;
  #handshakeTimer: TimerHandle | undefined;
  readonly #closer: SocketCloser;

  readonly #request: Request | undefined;

  /**
   * @param socket the WebSocket, behind its adapter
   * @param settings what every connection of the server shares
   * @param origin where the connection came from: `request`, the HTTP request that opened the
   *   socket, handed to `authenticate` with the token (cookies and headers of an app that mounts
   *   the host on its own server); `ticket`, its place among unauthenticated connections
   *   (released on close), absent for a connection the server did not count
   */
  constructor(
    socket: WireSocket,
    settings: ConnectionSettings,
    origin: { request?: Request | undefined; ticket?: AdmissionTicket | undefined } = {},
  ) {
    const { request, ticket } = origin;
    this.#request = request;
    this.#settings = settings;
    this.#ticket = ticket;
    this.#closer = new SocketCloser(socket, settings.clock, (error) => settings.reportError(error));
    this.#limiter = new FrameRateLimiter({
      framesPerSecond: settings.limits.maxFramesPerSecond,
      closeAfterMs: settings.rateLimitCloseAfterMs,
      now: () => settings.clock.now(),
    });
    this.#writer = new FrameWriter(socket, {
      maxFrameBytes: settings.limits.maxFrameBytes,
      maxBufferedBytes: settings.maxBufferedBytes,
      stallTimeoutMs: settings.stallTimeoutMs,
      clock: settings.clock,
      onBackpressure: (reason) => this.#closeForBackpressure(reason),
      onSendFailed: (error) => {
        settings.reportError(error);
        this.#closeWith(INTERNAL_ERROR, 'the host failed to write to this connection');
      },
    });
    this.#handshakeTimer = settings.clock.setTimeout(() => {
      this.#handshakeTimer = undefined;
      if (this.#state === 'awaiting_hello' || this.#state === 'authenticating') {
        this.#closeWith(
          WIRE_CLOSE_CODES.HANDSHAKE_TIMEOUT,
          `no valid hello within ${settings.handshakeTimeoutMs} ms: send hello { protocolVersion, token } first`,
        );
      }
    }, settings.handshakeTimeoutMs);
  }

  get state(): ConnectionState {
    return this.#state;
  }

  /** Session id once the handshake completed. */
  get sessionId(): string | undefined {
    return this.#session?.sessionId;
  }

  /**
   * One message from the socket, exactly as received: a frame or a batch of frames. Each frame
   * counts against the rate limit and is validated on its own; the replies the message causes
   * (errors, pong, ack) leave together as one message.
   */
  onMessage(raw: string | Uint8Array | ArrayBuffer): void {
    if (this.#isClosing()) return;
    const now = this.#settings.clock.now();
    // The first frame's token is taken before the message is read: a flood of garbage is
    // dropped without being parsed.
    if (!this.#admit(now)) return;
    const read = validateClientMessage(raw, { maxFrameBytes: this.#settings.limits.maxFrameBytes });
    if (!read.ok) {
      this.#settings.counters.framesRejected += 1;
      this.#sendError(read.error.code, read.error.message, read.error);
      return;
    }
    const frames = read.frames;
    const run = () => {
      for (let i = 0; i < frames.length; i += 1) {
        if (this.#isClosing()) return;
        if (i > 0 && !this.#admit(now)) continue;
        this.#take(frames[i] as ValidationResult<ClientFrame>, raw);
      }
    };
    const session = this.#session;
    this.#writer.batch(() => (session ? session.message(run) : run()));
  }

  /** Counts one incoming frame against the rate limit; false when it is dropped. */
  #admit(now: number): boolean {
    const counters = this.#settings.counters;
    counters.framesReceived += 1;
    switch (this.#limiter.take(now)) {
      case 'drop':
        counters.framesDropped += 1;
        return false;
      case 'drop_and_notify':
        counters.framesDropped += 1;
        this.#sendError(
          'RATE_LIMITED',
          `more than ${this.#settings.limits.maxFramesPerSecond} frames per second: frames are being dropped; slow down`,
        );
        return false;
      case 'close':
        counters.framesDropped += 1;
        counters.rateLimitCloses += 1;
        this.#closeWith(
          WIRE_CLOSE_CODES.RATE_LIMITED,
          'the client kept flooding after being rate limited',
        );
        return false;
      case 'accept':
        return true;
    }
  }

  /** One frame of a message, validated or refused. */
  #take(result: ValidationResult<ClientFrame>, raw: string | Uint8Array | ArrayBuffer): void {
    if (result.ok) {
      this.#dispatch(result.value);
      return;
    }
    this.#settings.counters.framesRejected += 1;
    const issue = result.error;
    if (issue.code === 'PROTOCOL_VERSION_MISMATCH' && this.#state === 'awaiting_hello') {
      this.#refuseVersion(raw, issue.message);
      return;
    }
    this.#sendError(issue.code, issue.message, issue);
    if (
      this.#state === 'open' &&
      Number.isSafeInteger(issue.seq) &&
      (issue.seq ?? 0) > 0 &&
      !UNSEQUENCED_TYPES.has(issue.frameType ?? '')
    ) {
      this.#session?.rejected(issue.seq as number);
    }
  }

  #isClosing(): boolean {
    return this.#state === 'closing' || this.#state === 'closed';
  }

  /** The socket can take more data again (Bun's `drain`). */
  onDrain(): void {
    if (this.#state !== 'open' && this.#state !== 'authenticating') return;
    this.#writer.drained();
    this.#session?.drain();
  }

  /** The socket closed (either side). */
  onClose(): void {
    if (this.#state === 'closed') return;
    this.#ticket?.release();
    this.#transition('closed');
    this.#clearTimers();
    this.#session?.detach();
  }

  /**
   * Closes with `code`; the session, if any, stays resumable. A session ended for leaving too
   * much unacknowledged (`SESSION_OVERFLOW`) may belong to a client that stopped reading: its
   * close code goes out only once the client proves it reads (see `#closeWith`).
   */
  close(code: number, reason: string): void {
    this.#closeWith(code, reason, code === WIRE_CLOSE_CODES.SESSION_OVERFLOW);
  }

  #dispatch(frame: ClientFrame): void {
    switch (this.#state) {
      case 'awaiting_hello':
        if (frame.type === 'hello') {
          void this.#handshake(frame);
        } else {
          this.#settings.counters.framesRejected += 1;
          this.#sendError(
            'HANDSHAKE_REQUIRED',
            'send hello { protocolVersion, token } before any other frame',
            frame,
          );
        }
        return;
      case 'authenticating':
        this.#settings.counters.framesRejected += 1;
        this.#sendError(
          'HANDSHAKE_REQUIRED',
          'wait for welcome before sending other frames',
          frame,
        );
        return;
      case 'open':
        this.#session?.receive(frame);
        return;
      default:
        return;
    }
  }

  async #handshake(hello: HelloFrame): Promise<void> {
    this.#transition('authenticating');
    let identity: Awaited<ReturnType<Authenticate>>;
    try {
      identity = await this.#settings.authenticate(hello.token, this.#request);
    } catch (error) {
      this.#settings.reportError(error);
      if (this.#state === 'authenticating') {
        this.#closeWith(INTERNAL_ERROR, 'the host could not check the token: try again later');
      }
      return;
    }
    if (this.#state !== 'authenticating') return;
    if (!identity || typeof identity.userId !== 'string' || identity.userId === '') {
      this.#ticket?.failed();
      const reason = 'token refused: sign in again or ask the host operator for a valid token';
      this.#sendError('UNAUTHORIZED', reason, hello);
      this.#closeWith(WIRE_CLOSE_CODES.UNAUTHORIZED, reason);
      return;
    }
    const request = {
      userId: identity.userId,
      isAdmin: identity.isAdmin === true,
      extensions: this.#settings.listExtensions(),
      limits: this.#settings.limits,
      ...(hello.resumeSessionId === undefined ? {} : { resumeSessionId: hello.resumeSessionId }),
      ...(hello.lastServerSeq === undefined ? {} : { lastServerSeq: hello.lastServerSeq }),
    };
    const result = this.#settings.hub.open(request, (frame) => this.#write(frame), {
      close: (code, reason) => this.close(code, reason),
      batch: (run) => this.#writer.batch(run),
    });
    if (!result.ok) {
      this.#sendError(result.code, result.reason, hello);
      this.#closeWith(result.closeCode, result.reason);
      return;
    }
    this.#session = result.connection;
    // The hub may already have closed us (a replay that overflowed the socket buffer).
    if (this.#state !== 'authenticating') {
      result.connection.detach();
      return;
    }
    this.#transition('open');
    this.#clearHandshakeTimer();
    this.#ticket?.authenticated();
  }

  #refuseVersion(raw: string | Uint8Array | ArrayBuffer, message: string): void {
    let spoken: unknown = '?';
    try {
      const text = typeof raw === 'string' ? raw : new TextDecoder().decode(raw);
      const parsed: unknown = JSON.parse(text);
      const hello = Array.isArray(parsed) ? parsed[0] : parsed;
      spoken = (hello as { protocolVersion?: unknown }).protocolVersion;
    } catch {
      // The validator already read it once; a second failure only loses the number.
    }
    this.#sendError('PROTOCOL_VERSION_MISMATCH', message, { type: 'hello' });
    this.#closeWith(
      WIRE_CLOSE_CODES.PROTOCOL_VERSION_MISMATCH,
      `client speaks protocol ${String(spoken).slice(0, 16)}, host speaks ${PROTOCOL_VERSION}: reload the page or update the app`,
    );
  }

  /**
   * Sink of the hub and of this connection's own frames (see `FrameWriter.write`). Returns false
   * once the socket holds more than half of `maxBufferedBytes`: the hub then keeps further
   * downlinks in its bounded buffer until `drain`. Past the full limit, or congested for
   * `stallTimeoutMs`, the connection is closed with `BACKPRESSURE`; the session stays resumable.
   */
  #write(frame: ServerFrame): boolean {
    if (this.#isClosing()) return false;
    this.#settings.counters.framesSent += 1;
    return this.#writer.write(frame);
  }

  #closeForBackpressure(reason: string): void {
    if (this.#state === 'closing' || this.#state === 'closed') return;
    this.#settings.counters.backpressureCloses += 1;
    this.#closeWith(WIRE_CLOSE_CODES.BACKPRESSURE, reason);
  }

  #sendError(
    code: SpindleErrorCode,
    message: string,
    offending: { seq?: unknown; type?: unknown; frameType?: unknown } = {},
  ): void {
    const frame: ErrorFrame = {
      type: 'error',
      code,
      message: message.startsWith('[spindle] ') ? message : `[spindle] ${message}`,
    };
    if (typeof offending.seq === 'number') frame.seq = offending.seq;
    const type = offending.frameType ?? offending.type;
    if (typeof type === 'string') frame.frameType = type.slice(0, 128);
    this.#write(frame);
  }

  /**
   * Closes the connection (`SocketCloser` decides how). `verify`: first make sure the client
   * reads, for a close whose cause may be a client that stopped reading.
   */
  #closeWith(code: number, reason: string, verify = false): void {
    if (this.#state === 'closing' || this.#state === 'closed') return;
    this.#transition('closing');
    this.#clearHandshakeTimer();
    // Frames of the current batch (an error explaining this close) still go first.
    this.#writer.flush();
    this.#writer.stop();
    // Detach first so nothing more is written to a socket that is going away; the session keeps
    // its unacknowledged downlinks for a resume.
    this.#session?.detach();
    this.#closer.close(code, reason, verify);
    if ((this.#state as ConnectionState) === 'closed') this.#closer.closed();
  }

  /** The client answered a WebSocket ping (Bun's `pong`). */
  onPong(): void {
    if (this.#state === 'closing') this.#closer.pong();
  }

  #transition(next: ConnectionState): void {
    if (!TRANSITIONS[this.#state].includes(next)) {
      throw new Error(`[spindle] connection cannot go from ${this.#state} to ${next}`);
    }
    this.#state = next;
  }

  #clearHandshakeTimer(): void {
    if (this.#handshakeTimer !== undefined) this.#settings.clock.clearTimeout(this.#handshakeTimer);
    this.#handshakeTimer = undefined;
  }

  #clearTimers(): void {
    this.#clearHandshakeTimer();
    this.#writer.stop();
    this.#closer.closed();
  }
}
