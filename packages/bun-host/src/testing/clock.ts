/**
 * `createTestClock`: a clock for the process watchdogs of a test host (`clock` option) that only
 * moves when the test moves it. `advance(ms)` runs every timer that falls due, in order of its
 * due time, letting promises settle after each, so a 15 s heartbeat deadline passes in no real
 * time and deterministically.
 */
import type { SupervisorTimers } from '../processes/machine/index.ts';

/** A clock the test moves. */
export interface TestClock extends SupervisorTimers {
  /** Moves the clock forward by `ms`, running each timer that falls due. */
  advance(ms: number): Promise<void>;
  /** Timers waiting to fire. */
  pending(): number;
}

interface Scheduled {
  id: number;
  at: number;
  callback: () => void;
}

/** Creates a clock at `start` (ms since the epoch). @default start: Date.now() */
export function createTestClock(start: number = Date.now()): TestClock {
  let now = start;
  let nextId = 1;
  const timers = new Map<number, Scheduled>();
  const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
  return {
    now: () => now,
    setTimeout(callback, ms) {
      const id = nextId++;
      timers.set(id, { id, at: now + Math.max(0, ms), callback });
      return id;
    },
    clearTimeout(handle) {
      timers.delete(handle as number);
    },
    pending: () => timers.size,
    async advance(ms) {
      const target = now + ms;
      for (;;) {
        const due = [...timers.values()]
          .filter((t) => t.at <= target)
          .sort((a, b) => a.at - b.at || a.id - b.id)[0];
        if (due === undefined) break;
        timers.delete(due.id);
        now = Math.max(now, due.at);
        due.callback();
        await settle();
      }
      now = target;
      await settle();
    },
  };
}
