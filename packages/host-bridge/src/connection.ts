/**
 * One connection attempt: a socket, its `hello`, the handshake deadline, ping/pong liveness, and
 * validation of every incoming frame (a message may carry a batch of them). The bridge creates a new one per attempt and disposes of
 * the old one first, so at most one socket is ever live and a disposed one is never heard again.
 */
import type {
  ClientFrame,
  PongFrame,
  ServerFrame,
  ValidationIssue,
  WireLimits,
} from '@spindle/types';
import { validateServerMessage } from '@spindle/types';
import type { ResolvedOptions } from './options.ts';
import type { WebSocketLike } from './socket.ts';
import { CLIENT_CLOSE_CODES, SOCKET_OPEN, socketText } from './socket.ts';

/** Why a connection ended. */
export interface ConnectionLoss {
  /** `closed`: the socket closed; the others: this side gave up on it. */
  why: 'closed' | 'handshake_timeout' | 'pong_timeout' | 'create_failed';
  closeCode?: number;
  closeReason?: string;
  cause?: unknown;
}

/** What a connection reports to the bridge. */
export interface ConnectionHandlers {
  /** The socket opened: the bridge sends `hello` now. */
  onOpen(): void;
  /** A frame that passed validation (pongs go to `onPong`). */
  onFrame(frame: Exclude<ServerFrame, PongFrame>): void;
  /** A frame that failed validation (already ignored). */
  onInvalid(issue: ValidationIssue): void;
  /** A pong arrived. */
  onPong(rttMs: number): void;
  /** The connection is over; nothing more comes from it. */
  onLost(loss: ConnectionLoss): void;
}

type TimerName = 'handshake' | 'ping' | 'pong';

/** One socket and its timers. */
export class Connection {
  #socket: WebSocketLike | undefined;
  #disposed = false;
  #welcomed = false;
  readonly #timers = new Map<TimerName, unknown>();

  constructor(
    private readonly o: ResolvedOptions,
    private readonly limits: () => WireLimits,
    private readonly handlers: ConnectionHandlers,
  ) {}

  /** True once `welcome` arrived on this connection. */
  get welcomed(): boolean {
    return this.#welcomed;
  }

  /** Creates the socket and arms the handshake deadline. */
  open(): void {
    let socket: WebSocketLike;
    try {
      socket = new this.o.WebSocket(this.o.url);
    } catch (cause) {
      this.#lose({ why: 'create_failed', cause });
      return;
    }
    this.#socket = socket;
    this.#setTimer('handshake', this.o.handshakeTimeoutMs, () =>
      this.#giveUp('handshake_timeout', CLIENT_CLOSE_CODES.HANDSHAKE_TIMEOUT, 'no welcome in time'),
    );
    socket.addEventListener('open', () => {
      if (!this.#disposed) this.handlers.onOpen();
    });
    socket.addEventListener('message', (event) => {
      if (!this.#disposed) this.#onData(event.data);
    });
    socket.addEventListener('close', (event) => {
      if (!this.#disposed) {
        this.#lose({ why: 'closed', closeCode: event.code, closeReason: event.reason });
      }
    });
    // `error` is always followed by `close`, which carries the code the bridge acts on.
    socket.addEventListener('error', () => {});
  }

  /** `welcome` arrived: the handshake deadline is off and liveness pings start. */
  markWelcomed(): void {
    this.#welcomed = true;
    this.#clearTimer('handshake');
    this.#armPing();
  }

  /** Sends a control frame (hello, ack, ping). */
  sendControl(frame: ClientFrame): void {
    this.write(JSON.stringify(frame));
  }

  /** Writes a frame if the socket is open; otherwise the frame waits in the outbox for a resume. */
  write(text: string): void {
    const socket = this.#socket;
    if (this.#disposed || socket === undefined || socket.readyState !== SOCKET_OPEN) return;
    try {
      socket.send(text);
    } catch {
      // The close event follows and decides what happens next.
    }
  }

  /** Stops listening and clears the timers; with a code, also closes the socket. Idempotent. */
  dispose(code?: number, reason?: string): void {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const name of [...this.#timers.keys()]) this.#clearTimer(name);
    const socket = this.#socket;
    this.#socket = undefined;
    if (socket !== undefined && code !== undefined) {
      try {
        socket.close(code, reason);
      } catch {
        // Already closed or closing; nothing left to release.
      }
    }
  }

  #onData(data: unknown): void {
    if (this.#timers.has('pong')) {
      this.#clearTimer('pong');
      this.#armPing();
    }
    const text = socketText(data);
    if (text === undefined) {
      this.handlers.onInvalid({
        code: 'INVALID_FRAME',
        path: '',
        message: 'frame is neither text nor binary',
      });
      return;
    }
    const read = validateServerMessage(text, { maxFrameBytes: this.limits().maxFrameBytes });
    if (!read.ok) {
      this.handlers.onInvalid(read.error);
      return;
    }
    // Each frame of a batch on its own: a bad one is reported, the others are processed.
    for (const result of read.frames) {
      if (this.#disposed) return;
      if (!result.ok) {
        this.handlers.onInvalid(result.error);
        continue;
      }
      const frame = result.value;
      if (frame.type === 'pong') this.handlers.onPong(Math.max(0, this.o.timers.now() - frame.at));
      else this.handlers.onFrame(frame);
    }
  }

  #armPing(): void {
    if (this.o.pingIntervalMs === 0 || this.#timers.has('ping')) return;
    this.#setTimer('ping', this.o.pingIntervalMs, () => {
      this.sendControl({ type: 'ping', at: this.o.timers.now() });
      this.#setTimer('pong', this.o.pongTimeoutMs, () =>
        this.#giveUp('pong_timeout', CLIENT_CLOSE_CODES.PONG_TIMEOUT, 'no pong in time'),
      );
    });
  }

  /** Gives up on the socket without waiting for its `close` event, which may take long. */
  #giveUp(why: ConnectionLoss['why'], code: number, reason: string): void {
    this.dispose(code, reason);
    this.handlers.onLost({ why });
  }

  #lose(loss: ConnectionLoss): void {
    this.dispose();
    this.handlers.onLost(loss);
  }

  #setTimer(name: TimerName, ms: number, callback: () => void): void {
    this.#clearTimer(name);
    const handle = this.o.timers.setTimeout(() => {
      this.#timers.delete(name);
      callback();
    }, ms);
    this.#timers.set(name, handle);
  }

  #clearTimer(name: TimerName): void {
    if (!this.#timers.has(name)) return;
    this.o.timers.clearTimeout(this.#timers.get(name));
    this.#timers.delete(name);
  }
}
