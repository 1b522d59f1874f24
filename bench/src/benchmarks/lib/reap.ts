/**
 * Waiting for children to be gone, safely. A pid is only a name: once a child is reaped the
 * kernel hands its number to the next process (pid_max is 32768 here, and a 10,000-process churn
 * wraps it), so a pid remembered from earlier may belong to someone else's process by now. Only
 * pids that are *currently* live descendants of this process are ever waited for or killed.
 */
import { SpindleError } from '@spindle/types';
import { liveDescendants } from './procfs.ts';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Those of `pids` that are live descendants of this process right now. */
export function ownLive(pids: Iterable<number>): number[] {
  const mine = new Set(liveDescendants(process.pid));
  return [...new Set(pids)].filter((pid) => mine.has(pid));
}

/**
 * Waits (polling /proc every 10 ms, bounded by `ms`) until none of `pids` is a live descendant
 * of this process. After the bound, SIGKILLs those that still are and throws `INTERNAL`; a pid
 * that is not (or no longer) our descendant is never signalled.
 */
export async function waitGone(pids: Iterable<number>, ms: number, what: string): Promise<void> {
  const list = [...pids];
  const deadline = performance.now() + ms;
  for (;;) {
    const left = ownLive(list);
    if (left.length === 0) return;
    if (performance.now() > deadline) {
      // Re-read right before signalling: the smaller the window, the safer the kill.
      const still = ownLive(left);
      for (const pid of still) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Gone in between.
        }
      }
      if (still.length === 0) return;
      throw new SpindleError(
        'INTERNAL',
        `${what}: child pids ${still.join(',')} survived; SIGKILLed`,
      );
    }
    await sleep(10);
  }
}
