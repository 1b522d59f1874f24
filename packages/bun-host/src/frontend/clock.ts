/**
 * The clock the frontend side runs on. Injected so unit tests drive deadlines with fake timers,
 * and so an extension author's own fake timers can never stall the host.
 */

/** Opaque handle returned by `HubClock.setTimeout`. */
export type TimerHandle = unknown;

/** Time source and one-shot timers. */
export interface HubClock {
  /** Milliseconds since the epoch. */
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/**
 * The real clock. Each call reads `globalThis` at call time (not at import time), so
 * `vi.useFakeTimers()` installed after import still takes effect.
 */
export const systemClock: HubClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => {
    const handle = globalThis.setTimeout(callback, ms);
    // A pending resume window must not keep a host process alive on its own.
    (handle as { unref?: () => void }).unref?.();
    return handle;
  },
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};
