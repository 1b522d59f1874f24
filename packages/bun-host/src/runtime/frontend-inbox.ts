/**
 * Frontend messages that wait for a starting or restarting runtime: bounded in count
 * (`FRONTEND_INBOX_LIMIT`) and in bytes of JSON (the runtime's `inboundQueueBytes`), delivered in
 * order once it runs, dropped with one warning if it does not come up.
 */
import { jsonByteSize } from '@spindle/types';

/** Frontend messages kept per extension while its runtime starts. */
export const FRONTEND_INBOX_LIMIT = 256;

/** One waiting message. */
export interface InboxEntry {
  payload: unknown;
  userId: string;
  sessionId: string;
}

/** The waiting messages of one extension. */
export class FrontendInbox {
  readonly maxBytes: number;
  #entries: InboxEntry[] = [];
  #bytes = 0;

  /** @param maxBytes bytes of JSON kept at most (the runtime's `inboundQueueBytes`). */
  constructor(maxBytes: number) {
    this.maxBytes = maxBytes;
  }

  /** Messages waiting. */
  get size(): number {
    return this.#entries.length;
  }

  /** Bytes of JSON of the payloads waiting. */
  get bytes(): number {
    return this.#bytes;
  }

  /**
   * Keeps `entry`; returns why not (the count or byte bound is reached) for the sender's error.
   */
  add(entry: InboxEntry): string | undefined {
    if (this.#entries.length >= FRONTEND_INBOX_LIMIT) {
      return `${FRONTEND_INBOX_LIMIT} messages already wait for the runtime to start`;
    }
    const bytes = jsonByteSize(entry.payload, this.maxBytes) ?? this.maxBytes;
    if (this.#bytes + bytes > this.maxBytes) {
      return `${this.#bytes} bytes of messages already wait for the runtime to start (limit ${this.maxBytes}, inboundQueueBytes)`;
    }
    this.#entries.push(entry);
    this.#bytes += bytes;
    return undefined;
  }

  /** Takes every waiting message, oldest first. */
  take(): InboxEntry[] {
    const entries = this.#entries;
    this.#entries = [];
    this.#bytes = 0;
    return entries;
  }
}
