/**
 * How the host ends one WebSocket. A graceful close sends a close frame, which Bun queues behind
 * whatever the client has not read yet; a client that stopped reading would never take it, and
 * Bun keeps a closing socket (its descriptor and buffers) until the close completes. So:
 * a socket with data waiting in Bun is ended at once (`terminate`); where the unread data may
 * sit in the kernel instead (a close caused by a client that may have stopped reading), a ping
 * goes first and only its pong earns the close frame; and any close that does not complete
 * within `CLOSE_HANDSHAKE_MS` ends in `terminate`.
 */
import type { HubClock, TimerHandle } from '../frontend/clock.ts';
import { cutUtf8 } from './close-reason.ts';

/** What ending a socket needs from it. */
export interface ClosableSocket {
  close(code: number, reason: string): void;
  terminate(): void;
  bufferedAmount(): number;
  ping?(): void;
}

/** After a close, we wait this long for it to complete, then drop the TCP connection. */
export const CLOSE_HANDSHAKE_MS = 1000;

/** Ends one socket (see the module comment). */
export class SocketCloser {
  readonly #socket: ClosableSocket;
  readonly #clock: HubClock;
  readonly #reportError: (error: unknown) => void;
  #timer: TimerHandle | undefined;
  #pending: { code: number; reason: string } | undefined;
  #done = false;

  constructor(socket: ClosableSocket, clock: HubClock, reportError: (error: unknown) => void) {
    this.#socket = socket;
    this.#clock = clock;
    this.#reportError = reportError;
  }

  /**
   * Ends the socket with `code`. `verify`: the client may have stopped reading, so its close
   * code goes out only after it answers a ping.
   */
  close(code: number, reason: string, verify: boolean): void {
    const ping = this.#socket.ping;
    try {
      if (this.#socket.bufferedAmount() > 0) this.#socket.terminate();
      else if (verify && ping !== undefined) {
        this.#pending = { code, reason };
        ping.call(this.#socket);
      } else this.#socket.close(code, cutUtf8(reason));
    } catch (error) {
      this.#reportError(error);
    }
    this.#arm();
  }

  /** The client answered a ping: a close waiting for that proof of reading goes out now. */
  pong(): void {
    const pending = this.#pending;
    if (pending === undefined || this.#done) return;
    this.#pending = undefined;
    try {
      this.#socket.close(pending.code, cutUtf8(pending.reason));
    } catch (error) {
      this.#reportError(error);
    }
    this.#arm();
  }

  /** The socket is closed: no timer left. Idempotent. */
  closed(): void {
    this.#done = true;
    this.#pending = undefined;
    this.#clear();
  }

  /** Terminates the socket unless it closes within the deadline (a fresh one each time). */
  #arm(): void {
    this.#clear();
    if (this.#done) return;
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      this.#pending = undefined;
      if (!this.#done) this.#socket.terminate();
    }, CLOSE_HANDSHAKE_MS);
  }

  #clear(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
