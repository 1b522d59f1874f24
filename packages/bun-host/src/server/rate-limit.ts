/**
 * Per-connection flood control: a token bucket (`maxFramesPerSecond`, burst twice that). Frames
 * over the limit are dropped; the client hears about it once per second; a flood that goes on
 * for `closeAfterMs` closes the connection.
 */

/** What to do with one incoming frame. */
export type RateVerdict =
  /** Within the limit: process it. */
  | 'accept'
  /** Over the limit, first drop of this second: drop it and send one `RATE_LIMITED` error. */
  | 'drop_and_notify'
  /** Over the limit, already told: drop it silently. */
  | 'drop'
  /** The flood went on too long: close the connection with `RATE_LIMITED`. */
  | 'close';

/** Length of the window in which the client hears about drops at most once. */
const NOTIFY_WINDOW_MS = 1000;

/** Token bucket with a flood detector. */
export class FrameRateLimiter {
  readonly #rate: number;
  readonly #burst: number;
  readonly #closeAfterMs: number;
  readonly #now: () => number;
  #tokens: number;
  #refilledAt: number;
  #floodSince: number | undefined;
  #lastDropAt = Number.NEGATIVE_INFINITY;
  #notifiedAt = Number.NEGATIVE_INFINITY;

  constructor(options: {
    /** Sustained frames per second. */
    framesPerSecond: number;
    /** Bucket size. @default 2 × framesPerSecond */
    burst?: number;
    /** A flood (drops with gaps under a second) this long closes the connection. @default 3000 */
    closeAfterMs?: number;
    now: () => number;
  }) {
    this.#rate = options.framesPerSecond;
    this.#burst = options.burst ?? options.framesPerSecond * 2;
    this.#closeAfterMs = options.closeAfterMs ?? 3000;
    this.#now = options.now;
    this.#tokens = this.#burst;
    this.#refilledAt = this.#now();
  }

  /**
   * Takes one token for an incoming frame. `now` lets the caller read the clock once for all
   * the frames of one message. @default the injected clock
   */
  take(now: number = this.#now()): RateVerdict {
    const elapsed = Math.max(0, now - this.#refilledAt);
    this.#tokens = Math.min(this.#burst, this.#tokens + (elapsed * this.#rate) / 1000);
    this.#refilledAt = now;
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      if (now - this.#lastDropAt >= NOTIFY_WINDOW_MS) this.#floodSince = undefined;
      return 'accept';
    }
    if (this.#floodSince === undefined || now - this.#lastDropAt >= NOTIFY_WINDOW_MS) {
      this.#floodSince = now;
    }
    this.#lastDropAt = now;
    if (now - this.#floodSince >= this.#closeAfterMs) return 'close';
    if (now - this.#notifiedAt >= NOTIFY_WINDOW_MS) {
      this.#notifiedAt = now;
      return 'drop_and_notify';
    }
    return 'drop';
  }
}
