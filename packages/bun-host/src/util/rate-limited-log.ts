/**
 * Log rate limiting in the manner of journald's `RateLimitIntervalSec` / `RateLimitBurst`: per
 * key (a source of lines: one runtime's output, one kind of refusal), at most `burst` lines pass
 * in a window of `intervalMs`; the rest are counted, and when the window ends one summary line
 * says how many were suppressed. A flood costs a map lookup and a counter per line, and the log
 * never holds more than `burst` lines per key and window plus one summary.
 */

/** How many lines a key may log, and over what window. */
export interface LogRateLimit {
  /** Lines that pass per key and window. @default 1000 */
  burst: number;
  /** Length of a window in ms, from the first line of a key. @default 10000 */
  intervalMs: number;
}

/** Default `LogRateLimit`: 1,000 lines per 10 s per key. */
export const DEFAULT_LOG_RATE_LIMIT: LogRateLimit = { burst: 1000, intervalMs: 10_000 };

/** Timers and a clock; the host's `Timers` and `HubClock` both fit. */
export interface LimiterClock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Levels of the lines a limiter passes on. */
export type LimitedLevel = 'info' | 'warn' | 'error';

/** Options of `RateLimitedLog`. */
export interface RateLimitedLogOptions extends Partial<LogRateLimit> {
  /** Receives every line that passes, and the summaries (level `warn`). */
  emit(level: LimitedLevel, message: string, key: string): void;
  clock: LimiterClock;
  /**
   * Keys tracked at once; a further key shares one overflow bucket (`other lines`) until a
   * tracked key's window has ended, so keys made of untrusted text cannot grow the map.
   * @default 64
   */
  maxKeys?: number;
}

/** The key of the shared bucket used once `maxKeys` keys are tracked. */
export const OVERFLOW_KEY = 'other lines';

interface Window {
  readonly key: string;
  start: number;
  passed: number;
  suppressed: number;
  timer: unknown;
}

/** Rate-limits lines per key and summarises what it suppressed (see the module comment). */
export class RateLimitedLog {
  readonly #o: RateLimitedLogOptions;
  readonly #limit: LogRateLimit;
  readonly #maxKeys: number;
  readonly #windows = new Map<string, Window>();
  #suppressedTotal = 0;
  #closed = false;

  constructor(options: RateLimitedLogOptions) {
    this.#o = options;
    this.#limit = {
      burst: Math.max(1, options.burst ?? DEFAULT_LOG_RATE_LIMIT.burst),
      intervalMs: Math.max(1, options.intervalMs ?? DEFAULT_LOG_RATE_LIMIT.intervalMs),
    };
    this.#maxKeys = Math.max(1, options.maxKeys ?? 64);
  }

  /** Lines suppressed so far, over every key. */
  get suppressed(): number {
    return this.#suppressedTotal;
  }

  /**
   * Counts one line of `key`: true when it may be logged, false when it is suppressed (and
   * counted for the summary). For a caller that only builds the line when it passes.
   */
  admit(key: string): boolean {
    if (this.#closed) return false;
    const now = this.#o.clock.now();
    const window = this.#window(key, now);
    if (window.passed < this.#limit.burst) {
      window.passed += 1;
      return true;
    }
    window.suppressed += 1;
    this.#suppressedTotal += 1;
    if (window.timer === undefined) {
      const ended = window.key;
      window.timer = this.#o.clock.setTimeout(
        () => this.#endWindow(ended),
        Math.max(0, window.start + this.#limit.intervalMs - now),
      );
      // A summary owed must not keep a host that is otherwise done alive.
      (window.timer as { unref?: () => void } | undefined)?.unref?.();
    }
    return false;
  }

  /** Logs `message` under `key` when it passes; returns whether it did. */
  log(key: string, level: LimitedLevel, message: string): boolean {
    if (!this.admit(key)) return false;
    this.#o.emit(level, message, key);
    return true;
  }

  /** Emits the summaries owed now and starts every key afresh. */
  flush(): void {
    for (const key of [...this.#windows.keys()]) this.#endWindow(key);
  }

  /** Flushes, then suppresses everything (a closed runtime). Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.flush();
    this.#closed = true;
  }

  #window(key: string, now: number): Window {
    let window = this.#windows.get(key);
    if (window !== undefined && now - window.start >= this.#limit.intervalMs) {
      if (window.suppressed > 0) this.#endWindow(key);
      else {
        window.start = now;
        window.passed = 0;
      }
      window = this.#windows.get(key);
    }
    if (window !== undefined) return window;
    let bucket = key;
    if (this.#windows.size >= this.#maxKeys) {
      this.#forgetEnded(now);
      if (this.#windows.size >= this.#maxKeys) bucket = OVERFLOW_KEY;
    }
    const existing = this.#windows.get(bucket);
    if (existing !== undefined) return existing;
    const created: Window = { key: bucket, start: now, passed: 0, suppressed: 0, timer: undefined };
    this.#windows.set(bucket, created);
    return created;
  }

  /** Drops keys whose window ended without a suppression (nothing is owed for them). */
  #forgetEnded(now: number): void {
    for (const [key, window] of this.#windows) {
      if (window.suppressed === 0 && now - window.start >= this.#limit.intervalMs) {
        this.#windows.delete(key);
      }
    }
  }

  #endWindow(key: string): void {
    const window = this.#windows.get(key);
    if (window === undefined) return;
    this.#windows.delete(key);
    if (window.timer !== undefined) this.#o.clock.clearTimeout(window.timer);
    if (window.suppressed === 0) return;
    const seconds = this.#limit.intervalMs / 1000;
    const lines = window.suppressed === 1 ? 'line' : 'lines';
    this.#o.emit(
      'warn',
      `[spindle] ${window.suppressed} similar ${lines} suppressed (${key}: more than ${this.#limit.burst} in ${seconds} s)`,
      key,
    );
  }
}
