/**
 * A scripted WebSocket for unit tests of the bridge's state machine: it records what the bridge
 * sends and lets the test play the host (accept, push frames, close with a code).
 */
import type { ClientFrame } from '@spindle/types';
import type { SocketCloseEvent, SocketMessageEvent, WebSocketLike } from '../src/socket.ts';

type Listener = (event: never) => void;

/** One fake connection. */
export class FakeWebSocket implements WebSocketLike {
  readyState = 0;
  /** Raw frames the bridge sent, in order. */
  readonly sent: string[] = [];
  /** Every `close(code, reason)` call the bridge made. */
  readonly closeCalls: { code: number | undefined; reason: string | undefined }[] = [];
  readonly #listeners = new Map<string, Listener[]>();
  /** Ends the bridge's current turn (see `fakeSockets().turns`); a no-op outside `fakeSockets`. */
  endTurn: () => void = () => {};

  constructor(readonly url: string) {}

  addEventListener(type: 'open' | 'error', listener: (event: unknown) => void): void;
  addEventListener(type: 'message', listener: (event: SocketMessageEvent) => void): void;
  addEventListener(type: 'close', listener: (event: SocketCloseEvent) => void): void;
  addEventListener(type: string, listener: Listener): void {
    const list = this.#listeners.get(type) ?? [];
    list.push(listener);
    this.#listeners.set(type, list);
  }

  send(data: string): void {
    if (this.readyState !== 1)
      throw new Error(`fake socket: send while readyState ${this.readyState}`);
    this.sent.push(data);
  }

  close(code?: number, reason?: string): void {
    this.closeCalls.push({ code, reason });
    if (this.readyState < 2) this.readyState = 2;
  }

  /**
   * Parsed frames the bridge sent, batches unpacked, in order. Like `take`, it first ends the
   * bridge's turn: what the bridge writes at the end of a turn is on the wire after it.
   */
  get frames(): ClientFrame[] {
    this.endTurn();
    return this.sent.flatMap(parseMessage);
  }

  /** Ends the turn, then removes and returns the parsed frames sent so far, batches unpacked. */
  take(): ClientFrame[] {
    this.endTurn();
    return this.sent.splice(0, this.sent.length).flatMap(parseMessage);
  }

  /** As `take`, but each message as its frames (one for a lone frame, several for a batch). */
  takeMessages(): ClientFrame[][] {
    this.endTurn();
    return this.sent.splice(0, this.sent.length).map(parseMessage);
  }

  /** The connection opens (the bridge then sends `hello`). */
  accept(): void {
    this.readyState = 1;
    this.#fire('open', {});
  }

  /** The host sends a frame: an object is JSON-encoded, a string or buffer goes as is. */
  push(frame: object | string | ArrayBuffer): void {
    const data =
      typeof frame === 'string' || frame instanceof ArrayBuffer ? frame : JSON.stringify(frame);
    this.#fire('message', { data });
  }

  /** The connection closes with `code` (from either side). */
  drop(code = 1006, reason = ''): void {
    this.readyState = 3;
    this.#fire('close', { code, reason, wasClean: code !== 1006 });
  }

  #fire(type: string, event: object): void {
    for (const listener of [...(this.#listeners.get(type) ?? [])]) {
      (listener as (event: object) => void)(event);
    }
  }
}

/** The frames of one message: a batch (JSON array) or a lone frame. */
function parseMessage(text: string): ClientFrame[] {
  const parsed = JSON.parse(text) as ClientFrame | ClientFrame[];
  return Array.isArray(parsed) ? parsed : [parsed];
}

/**
 * A constructor to pass as `WebSocket`, every socket it created, and the bridge's end-of-turn
 * queue: pass `queueMicrotask` in the bridge's `timers`, and the test decides when a turn ends
 * (`endTurn`, or any look at a socket's frames), so batching is deterministic.
 */
export function fakeSockets() {
  const sockets: FakeWebSocket[] = [];
  const pending: (() => void)[] = [];
  const endTurn = () => {
    // A callback may queue another (the next turn's); run until none is left.
    for (let i = 0; i < 1000 && pending.length > 0; i += 1) (pending.shift() as () => void)();
  };
  class Ctor extends FakeWebSocket {
    constructor(url: string) {
      super(url);
      this.endTurn = endTurn;
      sockets.push(this);
    }
  }
  return {
    WebSocket: Ctor,
    sockets,
    /** Queues `callback` until the test ends the turn. */
    queueMicrotask: (callback: () => void) => {
      pending.push(callback);
    },
    /** Ends the bridge's turn: runs what it queued for then. */
    endTurn,
    /** The newest socket; throws when none was created. */
    get last(): FakeWebSocket {
      const socket = sockets.at(-1);
      if (socket === undefined) throw new Error('no socket was created');
      return socket;
    },
  };
}
