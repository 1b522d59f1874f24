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

  /** Parsed frames the bridge sent. */
  get frames(): ClientFrame[] {
    return this.sent.map((text) => JSON.parse(text) as ClientFrame);
  }

  /** Removes and returns the parsed frames sent so far. */
  take(): ClientFrame[] {
    return this.sent.splice(0, this.sent.length).map((text) => JSON.parse(text) as ClientFrame);
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

/** A constructor to pass as `WebSocket`, and every socket it created. */
export function fakeSockets() {
  const sockets: FakeWebSocket[] = [];
  class Ctor extends FakeWebSocket {
    constructor(url: string) {
      super(url);
      sockets.push(this);
    }
  }
  return {
    WebSocket: Ctor,
    sockets,
    /** The newest socket; throws when none was created. */
    get last(): FakeWebSocket {
      const socket = sockets.at(-1);
      if (socket === undefined) throw new Error('no socket was created');
      return socket;
    },
  };
}
