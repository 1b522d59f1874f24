/**
 * Waiting in tests without fixed sleeps: poll a condition on a short interval until it holds or
 * a deadline passes; the failure names what was awaited and what was seen instead.
 */
import { SpindleError } from '@spindle/types';

/** Options of `waitFor`. */
export interface WaitForOptions {
  /** @default 10000 */
  timeoutMs?: number;
  /** Polling interval. @default 5 */
  intervalMs?: number;
  /** Describes the state at a timeout (appended to the error). */
  describe?: () => string;
}

/**
 * Resolves once `condition()` is true.
 * @throws SpindleError `TIMEOUT` naming `what` (and `describe()`) when the deadline passes
 */
export async function waitFor(
  condition: () => boolean,
  what: string,
  options: WaitForOptions = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) {
      const seen = options.describe ? `; ${options.describe()}` : '';
      throw new SpindleError(
        'TIMEOUT',
        `timed out after ${timeoutMs} ms waiting for ${what}${seen}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 5));
  }
}
