/**
 * The byte cap of one runtime's inbound queue: the bytes of JSON the host has sent to the
 * runtime that the runtime has not confirmed taking (by answering a ping sent after them). They
 * sit in the host's IPC buffer, the kernel's socket buffer or the worker's message queue, so a
 * runtime that stops reading makes the host hold them. Past `maxBytes`, frontend messages to it
 * are refused (`RUNTIME_BUSY`); every `markBytes` sent, the caller pings so that a runtime that
 * does read keeps confirming long before the cap.
 */

/** Accounting of one runtime's unconfirmed inbound bytes. Positions are `Channel.sentBytes`. */
export class InboundBudget {
  readonly maxBytes: number;
  readonly markBytes: number;
  #confirmed: number;
  #marked: number;

  /**
   * Everything the channel sent before accounting starts counts as unconfirmed until the first
   * answer.
   * @param markBytes bytes sent between flow-control pings. @default a quarter of maxBytes
   */
  constructor(maxBytes: number, markBytes = Math.max(1, Math.floor(maxBytes / 4))) {
    this.maxBytes = maxBytes;
    this.markBytes = markBytes;
    this.#confirmed = 0;
    this.#marked = 0;
  }

  /** Bytes sent up to `position` that the runtime has not confirmed. */
  unconfirmed(position: number): number {
    return Math.max(0, position - this.#confirmed);
  }

  /** True when nothing more may be queued: the unconfirmed bytes reached the cap. */
  full(position: number): boolean {
    return this.unconfirmed(position) >= this.maxBytes;
  }

  /** The runtime took everything up to `position` (the answer to a ping sent there). */
  confirm(position: number): void {
    if (position > this.#confirmed) this.#confirmed = position;
  }

  /**
   * True once `markBytes` were sent since the last mark: the caller pings now (and the mark
   * moves to `position`).
   */
  mark(position: number): boolean {
    if (position - this.#marked < this.markBytes) return false;
    this.#marked = position;
    return true;
  }
}
