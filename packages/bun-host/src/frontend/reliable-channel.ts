/**
 * The two halves of a session's reliable channel (see the header of `wire-protocol.ts`):
 * `OutboundWindow` numbers downlinks and keeps them until the client's cumulative ack;
 * `InboundCursor` tells a fresh uplink from a replayed duplicate or a frame that skips ahead.
 */
import type { Sequenced } from '@spindle/types';

/**
 * Numbers outgoing messages 1, 2, 3… and keeps each until it is acknowledged, bounded in frames
 * and in bytes.
 */
export class OutboundWindow<T extends object> {
  readonly capacity: number;
  /** Most bytes kept at once (the sizes given to `push`). */
  readonly maxBytes: number;
  #frames: Array<T & Sequenced> = [];
  #sizes: number[] = [];
  #bytes = 0;
  #lastSeq = 0;
  #ackedSeq = 0;

  /**
   * @param capacity Most unacknowledged frames kept at once (`WireLimits.maxUnackedFrames`).
   * @param maxBytes Most bytes kept at once. @default unbounded
   */
  constructor(capacity: number, maxBytes = Number.POSITIVE_INFINITY) {
    this.capacity = capacity;
    this.maxBytes = maxBytes;
  }

  /** Highest `seq` handed out so far (0 before the first push). */
  get lastSeq(): number {
    return this.#lastSeq;
  }

  /** Highest `seq` the client acknowledged. */
  get ackedSeq(): number {
    return this.#ackedSeq;
  }

  /** Unacknowledged frames kept. */
  get size(): number {
    return this.#frames.length;
  }

  /** Bytes of the unacknowledged frames kept. */
  get bytes(): number {
    return this.#bytes;
  }

  /** True when one more push would exceed `capacity`. */
  get isFull(): boolean {
    return this.#frames.length >= this.capacity;
  }

  /**
   * Numbers and keeps `message` of `bytes` bytes; `undefined` (nothing kept, no seq used) when
   * that would pass `capacity` frames or `maxBytes` bytes.
   */
  push(message: T, bytes = 0): (T & Sequenced) | undefined {
    if (this.isFull || this.#bytes + bytes > this.maxBytes) return undefined;
    this.#lastSeq += 1;
    const frame = { ...message, seq: this.#lastSeq };
    this.#frames.push(frame);
    this.#sizes.push(bytes);
    this.#bytes += bytes;
    return frame;
  }

  /** What is full, for a refused push of `bytes` bytes: the frames or the bytes, with the limit. */
  describeFull(bytes: number): string {
    return this.isFull
      ? `${this.capacity} frames (maxUnackedFrames)`
      : `${this.#bytes} bytes, with ${bytes} more to come (maxUnackedBytes ${this.maxBytes})`;
  }

  /**
   * Drops every frame up to `seq`. Returns false for an ack beyond `lastSeq` (the frames up to
   * `lastSeq` are dropped all the same: the client has seen at least those).
   */
  ack(seq: number): boolean {
    const upTo = Math.min(seq, this.#lastSeq);
    if (upTo > this.#ackedSeq) {
      let drop = 0;
      while (drop < this.#frames.length && (this.#frames[drop]?.seq ?? 0) <= upTo) {
        this.#bytes -= this.#sizes[drop] ?? 0;
        drop += 1;
      }
      this.#frames.splice(0, drop);
      this.#sizes.splice(0, drop);
      this.#ackedSeq = upTo;
    }
    return seq <= this.#lastSeq;
  }

  /** The kept frame with this `seq`, if any. */
  get(seq: number): (T & Sequenced) | undefined {
    // Kept frames are contiguous from `ackedSeq + 1` to `lastSeq`.
    return this.#frames[seq - this.#ackedSeq - 1];
  }

  /** Kept frames with a `seq` above `afterSeq`, oldest first. */
  pending(afterSeq = 0): ReadonlyArray<T & Sequenced> {
    return this.#frames.filter((frame) => frame.seq > afterSeq);
  }
}

/** Verdict on an incoming sequenced frame. */
export type InboundVerdict =
  /** The next frame: process it. */
  | 'next'
  /** Already processed (a replay after resume): drop it, ack again. */
  | 'duplicate'
  /** Skips ahead of the next expected `seq`: refuse it, the sender must replay in order. */
  | 'gap';

/** Tracks the highest client `seq` processed in a session. */
export class InboundCursor {
  #last = 0;

  /** Highest `seq` processed (0 before the first frame). */
  get lastProcessed(): number {
    return this.#last;
  }

  /** Classifies `seq` without consuming it. */
  check(seq: number): InboundVerdict {
    if (seq <= this.#last) return 'duplicate';
    return seq === this.#last + 1 ? 'next' : 'gap';
  }

  /** Marks `seq` (the one `check` called `next`) processed, accepted or rejected alike. */
  advance(seq: number): void {
    if (seq === this.#last + 1) this.#last = seq;
  }
}
