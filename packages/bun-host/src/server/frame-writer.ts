/**
 * The write side of one connection: serializes server frames, puts the frames of one turn
 * (`batch`) into one WebSocket message (a JSON array, split by `maxFrameBytes` and
 * `MAX_BATCH_FRAMES`), and watches the socket's buffer so that a client that reads too slowly
 * is dropped, never the host's memory.
 */
import { MAX_BATCH_FRAMES, type ServerFrame } from '@spindle/types';
import type { HubClock, TimerHandle } from '../frontend/clock.ts';
import { frameToJson } from '../frontend/frame-json.ts';
import type { WireSocket } from './connection.ts';

/** What a writer needs besides its socket. */
export interface FrameWriterOptions {
  /** Largest WebSocket message in bytes; batches are split below it. */
  maxFrameBytes: number;
  /** Bytes queued in the socket before the client is dropped. */
  maxBufferedBytes: number;
  /** A congested socket that does not drain for this long is dropped. */
  stallTimeoutMs: number;
  clock: HubClock;
  /** The client read too slowly: close with `BACKPRESSURE` and this reason. */
  onBackpressure(reason: string): void;
  /** `send` threw: close the connection as a host failure. */
  onSendFailed(error: unknown): void;
}

/** Serializes, batches and writes the frames of one connection. */
export class FrameWriter {
  readonly #socket: WireSocket;
  readonly #o: FrameWriterOptions;
  #corked: string[] | undefined;
  #corkedBytes = 0;
  #stallTimer: TimerHandle | undefined;
  #stopped = false;

  constructor(socket: WireSocket, options: FrameWriterOptions) {
    this.#socket = socket;
    this.#o = options;
  }

  /**
   * Writes `frame` (or keeps it for the current batch). Returns false once the socket holds
   * more than half of `maxBufferedBytes`: the caller should then hold further frames back
   * until `drained`.
   */
  write(frame: ServerFrame): boolean {
    if (this.#stopped) return false;
    const text = frameToJson(frame);
    if (this.#corked === undefined) return this.#send(text);
    this.#corked.push(text);
    this.#corkedBytes += Buffer.byteLength(text);
    const half = this.#o.maxBufferedBytes / 2;
    if (this.#socket.bufferedAmount() + this.#corkedBytes <= half) return true;
    // Congestion is only ever reported from the socket's own count after a real send: that is
    // what makes Bun emit the `drain` which lets the hub go on.
    this.#sendCorked();
    // Still inside the batch: what follows is batched anew.
    if (!this.#stopped) this.#corked = [];
    return !this.#stopped && this.#socket.bufferedAmount() <= half;
  }

  /** Runs `run`; the frames it writes leave together when it returns (nested calls join in). */
  batch(run: () => void): void {
    if (this.#corked !== undefined) {
      run();
      return;
    }
    this.#corked = [];
    this.#corkedBytes = 0;
    try {
      run();
    } finally {
      this.flush();
    }
  }

  /** Sends what the current batch holds, as few messages as the limits allow; ends the batch. */
  flush(): void {
    this.#sendCorked();
    this.#corked = undefined;
  }

  #sendCorked(): void {
    const texts = this.#corked;
    this.#corked = undefined;
    this.#corkedBytes = 0;
    if (texts === undefined || texts.length === 0) return;
    if (texts.length === 1) {
      this.#send(texts[0] as string);
      return;
    }
    // 2 bytes of brackets, and a comma before every element but the first.
    const limit = this.#o.maxFrameBytes - 2;
    let group: string[] = [];
    let bytes = 0;
    for (const text of texts) {
      const size = Buffer.byteLength(text) + (group.length > 0 ? 1 : 0);
      if (group.length > 0 && (bytes + size > limit || group.length >= MAX_BATCH_FRAMES)) {
        if (!this.#sendGroup(group)) return;
        group = [];
        bytes = 0;
      }
      bytes += size;
      group.push(text);
    }
    this.#sendGroup(group);
  }

  /** The socket drained: the stall deadline is off. */
  drained(): void {
    this.#clearStall();
  }

  /** Nothing more is written (the connection is closing); pending frames are dropped. */
  stop(): void {
    this.#stopped = true;
    this.#corked = undefined;
    this.#clearStall();
  }

  /** Sends one group; false once the writer stopped (a congested socket still takes the rest). */
  #sendGroup(group: string[]): boolean {
    if (this.#stopped) return false;
    this.#send(group.length === 1 ? (group[0] as string) : `[${group.join(',')}]`);
    return !this.#stopped;
  }

  #send(text: string): boolean {
    if (this.#stopped) return false;
    let written: number;
    try {
      written = this.#socket.send(text);
    } catch (error) {
      this.#o.onSendFailed(error);
      return false;
    }
    const buffered = this.#socket.bufferedAmount();
    const limit = this.#o.maxBufferedBytes;
    if (written === 0 || buffered > limit) {
      this.#o.onBackpressure(
        `client read too slowly (${buffered} bytes waiting, limit ${limit}): reconnect to resume`,
      );
      return false;
    }
    if (buffered <= limit / 2) return true;
    if (this.#stallTimer === undefined) {
      const stallMs = this.#o.stallTimeoutMs;
      this.#stallTimer = this.#o.clock.setTimeout(() => {
        this.#stallTimer = undefined;
        this.#o.onBackpressure(
          `client stopped reading for ${stallMs} ms (${this.#socket.bufferedAmount()} bytes waiting): reconnect to resume`,
        );
      }, stallMs);
    }
    return false;
  }

  #clearStall(): void {
    if (this.#stallTimer !== undefined) this.#o.clock.clearTimeout(this.#stallTimer);
    this.#stallTimer = undefined;
  }
}
