/**
 * The "no child survives" check of the stack benchmarks: which processes a stack started, and a
 * bounded wait for them to be gone after close. Reads /proc through `lib/procfs.ts`.
 */
import { SpindleError } from '@spindle/types';
import { isLive, liveDescendants } from '../lib/procfs.ts';

/** Poll interval while waiting for processes to be gone. */
const POLL_MS = 10;

/** What was running under this process before a stack started. */
export function snapshotDescendants(): Set<number> {
  return new Set(liveDescendants(process.pid));
}

/**
 * Live descendants of this process that are not in `before` and not descended from a process in
 * `before` (another measure's echo child or browser reaps its own children).
 */
export function startedSince(before: ReadonlySet<number>): number[] {
  const theirs = new Set([...before].flatMap((pid) => [pid, ...liveDescendants(pid)]));
  return liveDescendants(process.pid).filter((pid) => !theirs.has(pid));
}

/**
 * Waits until every process started since `before` is gone; after `ms` SIGKILLs what is left and
 * throws `INTERNAL` naming the pids.
 */
export async function expectNoSurvivors(
  before: ReadonlySet<number>,
  ms: number,
  what: string,
): Promise<void> {
  const deadline = performance.now() + ms;
  for (;;) {
    const left = startedSince(before).filter(isLive);
    if (left.length === 0) return;
    if (performance.now() > deadline) {
      for (const pid of left) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Gone in between.
        }
      }
      throw new SpindleError('INTERNAL', `${what}: pids ${left.join(',')} survived; SIGKILLed`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
