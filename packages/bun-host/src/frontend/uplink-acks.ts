/**
 * When the hub acknowledges a session's uplinks. Acks are cumulative (`wire-protocol.ts`), so
 * one ack can stand for many frames: the hub sends one per received WebSocket message (a batch
 * of frames is acknowledged once, at its end), and for a message of fewer than `ackEvery`
 * frames it waits up to `ackDelayMs` for a downlink to carry the ack in the same message. A
 * quiet period therefore always ends with everything acknowledged.
 */
import type { HubClock, TimerHandle } from './clock.ts';

/** Pending-ack bookkeeping of one session. */
export class UplinkAcks {
  readonly #clock: HubClock;
  readonly #delayMs: number;
  readonly #every: number;
  readonly #send: () => void;
  #holds = 0;
  #unacked = 0;
  #timer: TimerHandle | undefined;

  /**
   * @param delayMs longest wait for a downlink to carry the ack; 0 acks at once.
   * @param every frames after which the ack goes without waiting.
   * @param send sends `ack { seq: lastProcessed }`.
   */
  constructor(clock: HubClock, delayMs: number, every: number, send: () => void) {
    this.#clock = clock;
    this.#delayMs = delayMs;
    this.#every = Math.max(1, every);
    this.#send = send;
  }

  /** True while frames were processed and not yet acknowledged. */
  get due(): boolean {
    return this.#unacked > 0;
  }

  /** A frame was processed (accepted, refused or a duplicate): an ack is owed. */
  processed(): void {
    this.#unacked += 1;
    if (this.#holds === 0) this.#schedule();
  }

  /**
   * Runs `run` (the frames of one received message) and decides about the ack once, after it,
   * so a batch of frames is acknowledged by one ack.
   */
  hold(run: () => void): void {
    this.#holds += 1;
    try {
      run();
    } finally {
      this.#holds -= 1;
      if (this.#holds === 0 && this.#unacked > 0) this.#schedule();
    }
  }

  /** Sends the owed ack now (a downlink is about to go and carries it along). */
  flush(): void {
    this.#clearTimer();
    if (this.#unacked === 0) return;
    this.#unacked = 0;
    this.#send();
  }

  /** The connection is gone: the welcome of a resume carries `lastClientSeq` instead. */
  cancel(): void {
    this.#clearTimer();
    this.#unacked = 0;
  }

  #schedule(): void {
    if (this.#delayMs <= 0 || this.#unacked >= this.#every) {
      this.flush();
      return;
    }
    if (this.#timer !== undefined) return;
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      this.flush();
    }, this.#delayMs);
  }

  #clearTimer(): void {
    if (this.#timer === undefined) return;
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
