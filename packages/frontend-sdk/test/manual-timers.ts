/**
 * Injected timers a test advances by hand, for tests whose other half runs on real
 * MessagePorts (which fake timers do not drive).
 */
import type { Timers } from '../src/timers.ts';

export interface ManualTimers extends Timers {
  advance(ms: number): void;
  readonly pending: number;
  /** Delays (ms, as requested) of the pending timers. */
  delays(): number[];
}

export function createManualTimers(): ManualTimers {
  let now = 0;
  let nextId = 1;
  const timers = new Map<number, { at: number; callback: () => void; ms: number }>();
  return {
    setTimeout(callback, ms) {
      const id = nextId++;
      timers.set(id, { at: now + ms, callback, ms });
      return id;
    },
    clearTimeout(handle) {
      timers.delete(handle as number);
    },
    now: () => now,
    advance(ms) {
      const until = now + ms;
      for (;;) {
        let due: [number, { at: number; callback: () => void; ms: number }] | undefined;
        for (const entry of timers)
          if (entry[1].at <= until && (!due || entry[1].at < due[1].at)) due = entry;
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].callback();
      }
      now = until;
    },
    delays: () => [...timers.values()].map((t) => t.ms),
    get pending() {
      return timers.size;
    },
  };
}
