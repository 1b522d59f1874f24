/** The named deadlines of one process, on the injected clock. */
import type { SupervisorTimers, TimerHandle } from './clock.ts';

/**
 * `startup`: spawn → ready. `heartbeat`: between heartbeats once ready. `grace`: stop request →
 * forced end. `settle`: exit event → verdict (a terminal message may still be in flight).
 */
export type DeadlineName = 'startup' | 'heartbeat' | 'grace' | 'settle';

/** At most one pending timer per name; a fired or cleared timer leaves nothing behind. */
export class Deadlines {
  readonly #timers: SupervisorTimers;
  readonly #handles = new Map<DeadlineName, TimerHandle>();

  constructor(timers: SupervisorTimers) {
    this.#timers = timers;
  }

  /** (Re)arms `name`: `onExpire` runs after `ms` unless cleared first. */
  arm(name: DeadlineName, ms: number, onExpire: () => void): void {
    this.clear(name);
    const handle = this.#timers.setTimeout(() => {
      this.#handles.delete(name);
      onExpire();
    }, ms);
    this.#handles.set(name, handle);
  }

  /** True while `name` is armed. */
  armed(name: DeadlineName): boolean {
    return this.#handles.has(name);
  }

  /** Disarms `name`; harmless when it is not armed. */
  clear(name: DeadlineName): void {
    const handle = this.#handles.get(name);
    if (handle === undefined) return;
    this.#timers.clearTimeout(handle);
    this.#handles.delete(name);
  }

  /** Disarms everything. */
  clearAll(): void {
    for (const name of [...this.#handles.keys()]) this.clear(name);
  }
}
