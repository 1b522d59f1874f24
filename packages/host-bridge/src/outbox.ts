/**
 * Uplinks sent but not yet acknowledged by the host, numbered 1, 2, … per session. They are
 * replayed after a resume and dropped once the host's cumulative `ack` covers them.
 */
import type { FrontendUplink } from '@spindle/types';
import { SpindleError } from '@spindle/types';

/** One sent uplink awaiting its ack. */
export interface OutboxEntry {
  seq: number;
  message: FrontendUplink;
  /** The frame as sent, kept so a replay sends the very same bytes. */
  text: string;
  /** Byte length of `text` as UTF-8. */
  bytes: number;
}

/** Why `Outbox.push` refused a message. */
export type OutboxRefusal = 'count' | 'bytes';

/** The per-session buffer of unacknowledged uplinks. */
export class Outbox {
  #entries: OutboxEntry[] = [];
  #lastSeq = 0;
  #bytes = 0;

  constructor(
    private maxCount: number,
    private readonly maxBytes: number,
  ) {}

  /** Highest `seq` handed out in this session (0 before the first). */
  get lastSeq(): number {
    return this.#lastSeq;
  }

  /** Unacknowledged entries, oldest first. */
  get entries(): readonly OutboxEntry[] {
    return this.#entries;
  }

  /** Bytes held. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Lowers (never raises) the count limit, e.g. to the host's `limits.maxUnackedFrames`. */
  capCount(limit: number): void {
    if (limit >= 1) this.maxCount = Math.min(this.maxCount, limit);
  }

  /** The limit `push` would hit with a frame of `bytes`, or undefined when it fits. */
  wouldRefuse(bytes: number): OutboxRefusal | undefined {
    if (this.#entries.length >= this.maxCount) return 'count';
    if (this.#bytes + bytes > this.maxBytes) return 'bytes';
    return undefined;
  }

  /** `seq` the next pushed entry must carry. */
  get nextSeq(): number {
    return this.#lastSeq + 1;
  }

  /** Stores an entry numbered `nextSeq`; check `wouldRefuse` first. */
  push(entry: OutboxEntry): void {
    if (entry.seq !== this.#lastSeq + 1) {
      throw new SpindleError(
        'INTERNAL',
        `outbox: expected seq ${this.#lastSeq + 1}, got ${entry.seq}`,
      );
    }
    this.#lastSeq = entry.seq;
    this.#entries.push(entry);
    this.#bytes += entry.bytes;
  }

  /**
   * Drops entries up to and including `seq` (a cumulative ack). Returns false, changing nothing,
   * for an ack of a `seq` never handed out.
   */
  ack(seq: number): boolean {
    if (seq > this.#lastSeq) return false;
    let n = 0;
    while (n < this.#entries.length && (this.#entries[n] as OutboxEntry).seq <= seq) {
      this.#bytes -= (this.#entries[n] as OutboxEntry).bytes;
      n += 1;
    }
    if (n > 0) this.#entries.splice(0, n);
    return true;
  }

  /** The entry with this `seq`, while it is unacknowledged. */
  find(seq: number): OutboxEntry | undefined {
    return this.#entries.find((entry) => entry.seq === seq);
  }

  /** Empties the buffer and restarts numbering (a new session). Returns what was held. */
  reset(): OutboxEntry[] {
    const held = this.#entries;
    this.#entries = [];
    this.#bytes = 0;
    this.#lastSeq = 0;
    return held;
  }
}

const NON_ASCII = /[\u0080-\uffff]/;

/** Byte length of a string as UTF-8, without encoding it. */
export function utf8Length(text: string): number {
  // Most frames are ASCII: one native scan instead of a loop over every character.
  if (!NON_ASCII.test(text)) return text.length;
  let bytes = 0;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i += 1;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}
