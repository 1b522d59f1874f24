/**
 * A bound on every wait of a benchmark, so a lost message ends the sample with an error
 * instead of hanging until the whole-benchmark timeout.
 */
import { SpindleError } from '@spindle/types';

/**
 * Resolves like `work`, or rejects with `TIMEOUT` naming `what` after `ms`. The timer is
 * cleared either way.
 */
export async function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new SpindleError('TIMEOUT', `${what} did not happen within ${ms} ms`)),
      ms,
    );
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}
