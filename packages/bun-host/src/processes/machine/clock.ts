/**
 * The clock of the supervisor. Every deadline goes through it, so unit tests drive it with fake
 * timers and an extension's own fake timers can never reach the host's watchdogs.
 */

/** Opaque handle of a scheduled callback. */
export type TimerHandle = unknown;

/** Timers and a wall clock, injected into everything that has a deadline. */
export interface SupervisorTimers {
  /** Milliseconds since the epoch. */
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

// Captured at load time: a later `globalThis.setTimeout` replacement must not affect us.
const realSetTimeout = globalThis.setTimeout.bind(globalThis);
const realClearTimeout = globalThis.clearTimeout.bind(globalThis);
const realNow = Date.now.bind(Date);

/** The real timers, as they were when this module loaded. */
export const realTimers: SupervisorTimers = {
  now: () => realNow(),
  setTimeout: (callback, ms) => realSetTimeout(callback, ms),
  clearTimeout: (handle) => realClearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** ISO-8601 form of a `SupervisorTimers.now()` value. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}
