/**
 * Downlink sequencing: drops what was already processed and batches the cumulative acks.
 * Acks go out after `ackEvery` frames or `ackDelayMs` after the first unacknowledged one,
 * whichever comes first, so a quiet period always ends with everything acknowledged.
 */
import type { BridgeTimers } from './options.ts';

/** What to do with an incoming `seq`. */
export type InboxVerdict = 'deliver' | 'duplicate' | 'gap';

/** Per-session record of processed downlinks. */
export class Inbox {
  #lastProcessed = 0;
  #lastAcked = 0;
  #timer: unknown;

  constructor(
    private readonly timers: BridgeTimers,
    private readonly ackDelayMs: number,
    private readonly ackEvery: number,
    private readonly sendAck: (seq: number) => void,
  ) {}

  /** Highest `seq` processed in this session (0 before the first). */
  get lastProcessed(): number {
    return this.#lastProcessed;
  }

  /** Whether an ack timer is armed. */
  get ackPending(): boolean {
    return this.#timer !== undefined;
  }

  /** Classifies `seq`: already processed, the next one, or beyond a gap. */
  check(seq: number): InboxVerdict {
    if (seq <= this.#lastProcessed) return 'duplicate';
    return seq === this.#lastProcessed + 1 ? 'deliver' : 'gap';
  }

  /** Records `seq` as processed (delivered or rejected) and schedules the ack. */
  processed(seq: number): void {
    if (seq <= this.#lastProcessed) return;
    this.#lastProcessed = seq;
    if (this.#lastProcessed - this.#lastAcked >= this.ackEvery) this.flush();
    else this.#arm();
  }

  /** A duplicate arrived, so the host may have missed our last ack: send it again soon. */
  reack(): void {
    if (this.#lastProcessed === 0) return;
    this.#lastAcked = Math.min(this.#lastAcked, this.#lastProcessed - 1);
    this.#arm();
  }

  /** True when processed downlinks wait for an ack. */
  get ackOwed(): boolean {
    return this.#lastProcessed > this.#lastAcked;
  }

  /**
   * Hands the owed ack to a caller that sends it along with other frames (check `ackOwed`
   * first); it counts as sent and its timer stops.
   */
  takeAck(): number {
    this.#cancelTimer();
    this.#lastAcked = this.#lastProcessed;
    return this.#lastProcessed;
  }

  /** Sends the pending ack now, if there is one. */
  flush(): void {
    this.#cancelTimer();
    if (this.#lastProcessed > this.#lastAcked) {
      this.#lastAcked = this.#lastProcessed;
      this.sendAck(this.#lastProcessed);
    }
  }

  /**
   * The socket is gone: stop the timer. The next `hello.lastServerSeq` tells the host what was
   * processed, which counts as the ack.
   */
  detach(): void {
    this.#cancelTimer();
    this.#lastAcked = this.#lastProcessed;
  }

  /** A new session: numbering restarts. */
  reset(): void {
    this.#cancelTimer();
    this.#lastProcessed = 0;
    this.#lastAcked = 0;
  }

  #arm(): void {
    if (this.#timer !== undefined) return;
    this.#timer = this.timers.setTimeout(() => {
      this.#timer = undefined;
      this.flush();
    }, this.ackDelayMs);
  }

  #cancelTimer(): void {
    if (this.#timer !== undefined) {
      this.timers.clearTimeout(this.#timer);
      this.#timer = undefined;
    }
  }
}
