/**
 * Clock and scheduling dependencies. Everything with a deadline takes a `Timers` so tests drive
 * it with fake timers and an extension's own fake timers cannot break the SDK.
 */

/** Opaque timer handle. */
export type TimerHandle = unknown;

/** The timer functions the SDK uses. */
export interface Timers {
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  /** Milliseconds of a monotonic-enough clock (used for windows, not for deadlines). */
  now(): number;
}

/** Waits until the browser had a chance to render; used between two bundle mounts. */
export type YieldToBrowser = () => Promise<void>;

/**
 * The global timers, looked up at call time (so `vi.useFakeTimers()` installed after creating a
 * host still applies).
 */
export const globalTimers: Timers = {
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
  now: () => Date.now(),
};

/** Longest wait for an animation frame before the timer fallback wins. */
export const FRAME_FALLBACK_MS = 50;

/** Options of `createYieldToBrowser`. */
export interface YieldOptions {
  timers?: Timers;
  /** The document whose visibility decides between frames and timers. @default globalThis.document */
  document?: Document;
  /** @default globalThis.requestAnimationFrame */
  requestAnimationFrame?: (callback: () => void) => number;
  /** @default globalThis.cancelAnimationFrame */
  cancelAnimationFrame?: (handle: number) => void;
}

/**
 * Yields with `requestAnimationFrame`; a hidden tab gets no frames, so there (and when frames are
 * unavailable) a zero timer is used, and a visible tab races the frame against a short timer.
 * The loser is cancelled, so nothing is left scheduled.
 */
export function createYieldToBrowser(options: YieldOptions = {}): YieldToBrowser {
  const timers = options.timers ?? globalTimers;
  return () =>
    new Promise<void>((resolve) => {
      const doc = options.document ?? globalThis.document;
      const raf =
        options.requestAnimationFrame ??
        (typeof globalThis.requestAnimationFrame === 'function'
          ? (callback: () => void) => globalThis.requestAnimationFrame(callback)
          : undefined);
      const caf =
        options.cancelAnimationFrame ??
        ((handle: number) => globalThis.cancelAnimationFrame?.(handle));
      if (doc?.hidden || raf === undefined) {
        timers.setTimeout(resolve, 0);
        return;
      }
      let frame: number | undefined;
      const timer = timers.setTimeout(() => {
        if (frame !== undefined) caf(frame);
        resolve();
      }, FRAME_FALLBACK_MS);
      frame = raf(() => {
        timers.clearTimeout(timer);
        resolve();
      });
    });
}

/** A yield that only waits for a microtask; for tests and the author test kit. */
export const yieldMicrotask: YieldToBrowser = () => Promise.resolve();
