/** Reconnect delays: exponential growth with a cap and jitter. */

/** How the delay is randomised. */
export type BackoffJitter = 'full' | 'equal' | 'none';

/** Reconnect backoff settings. */
export interface BackoffOptions {
  /** Ceiling of the first retry's delay. @default 250 */
  initialMs: number;
  /** Largest delay. @default 10000 */
  maxMs: number;
  /** Growth per attempt. @default 2 */
  factor: number;
  /**
   * `full`: uniform in [0, ceiling); `equal`: uniform in [ceiling/2, ceiling); `none`: the
   * ceiling itself. Full jitter spreads the tabs of a restarted host the most.
   * @default 'full'
   */
  jitter: BackoffJitter;
}

/** Default backoff. */
export const DEFAULT_BACKOFF: BackoffOptions = {
  initialMs: 250,
  maxMs: 10_000,
  factor: 2,
  jitter: 'full',
};

/** Upper bound of the delay before retry number `attempt` (0-based). */
export function backoffCeiling(attempt: number, options: BackoffOptions): number {
  return Math.min(options.maxMs, options.initialMs * options.factor ** attempt);
}

/** Delay before retry number `attempt` (0-based), with `random()` in [0, 1). */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions,
  random: () => number,
): number {
  const ceiling = backoffCeiling(attempt, options);
  // Clamp a misbehaving random source rather than produce a negative or oversized delay.
  const r = Math.min(Math.max(random(), 0), 1);
  switch (options.jitter) {
    case 'none':
      return ceiling;
    case 'equal':
      return Math.floor(ceiling / 2 + (r * ceiling) / 2);
    case 'full':
      return Math.floor(r * ceiling);
  }
}
