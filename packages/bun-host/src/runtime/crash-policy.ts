/**
 * Crash restart policy (docs/architecture.md, "Runtime modes"): restart with exponential backoff, 1 s doubling
 * up to 60 s, until 3 crashes fall within 5 minutes; then the extension stays `crashed`.
 * Pure: the caller passes the clock reading.
 */

/** Figures of the crash policy. */
export interface CrashPolicyOptions {
  /** Delay before the first restart. @default 1000 */
  baseDelayMs?: number;
  /** Longest delay between restarts. @default 60000 */
  maxDelayMs?: number;
  /** Crashes within `windowMs` that make the extension give up. @default 3 */
  crashLimit?: number;
  /** Sliding window for `crashLimit`. @default 300000 */
  windowMs?: number;
}

/** Default figures of the crash policy. */
export const CRASH_POLICY_DEFAULTS = {
  baseDelayMs: 1_000,
  maxDelayMs: 60_000,
  crashLimit: 3,
  windowMs: 300_000,
} as const;

/** What to do after a crash. */
export type CrashDecision =
  | { action: 'restart'; delayMs: number; crashesInWindow: number }
  | { action: 'give_up'; crashesInWindow: number };

/** Remembers recent crashes of one extension and decides on restarts. */
export class CrashPolicy {
  readonly #options: Required<CrashPolicyOptions>;
  #crashes: number[] = [];
  /** Restarts since the last reset; drives the backoff exponent. */
  #attempt = 0;

  constructor(options: CrashPolicyOptions = {}) {
    this.#options = { ...CRASH_POLICY_DEFAULTS, ...stripUndefined(options) };
  }

  /** Records a crash at time `now` (ms) and returns the decision. */
  recordCrash(now: number): CrashDecision {
    const { windowMs, crashLimit, baseDelayMs, maxDelayMs } = this.#options;
    this.#crashes = this.#crashes.filter((at) => now - at < windowMs);
    // A runtime that stayed up for a whole window starts over from the base delay.
    if (this.#crashes.length === 0) this.#attempt = 0;
    this.#crashes.push(now);
    const crashesInWindow = this.#crashes.length;
    if (crashesInWindow >= crashLimit) return { action: 'give_up', crashesInWindow };
    const delayMs = Math.min(maxDelayMs, baseDelayMs * 2 ** this.#attempt);
    this.#attempt += 1;
    return { action: 'restart', delayMs, crashesInWindow };
  }

  /** Forgets every crash (an explicit enable after `crashed`). */
  reset(): void {
    this.#crashes = [];
    this.#attempt = 0;
  }
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
