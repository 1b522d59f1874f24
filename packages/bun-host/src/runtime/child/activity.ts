/**
 * What keeps a runtime busy on its own side, for idle hibernation (docs/operations.md,
 * "Hibernation"): the timers and intervals the extension set (the global `setTimeout` /
 * `setInterval` are wrapped before its entry runs; an `unref`'ed timer does not count, as it
 * would not keep a process alive either) and the event names it subscribed to with `spindle.on`.
 * A change is reported to the host as one `activity` message at the next microtask checkpoint,
 * and only when the summary differs from the last one sent: a timer that re-arms itself from its
 * own callback never produces traffic.
 */
import type { WorkerToHost } from '@spindle/types';
import { MAX_ACTIVITY_EVENTS } from '@spindle/types/host';

type TimerFunction = (handler: unknown, ms?: number, ...args: unknown[]) => unknown;
type ClearFunction = (handle: unknown) => void;

/** The runtime's activity counters and their reporting. */
export interface ActivityTracker {
  /** A `spindle.on` handler for `event` was added (+1) or removed (-1). */
  subscription(event: string, delta: 1 | -1): void;
  /** Pending (ref'ed) timers and intervals now. */
  readonly timers: number;
  /** Stops reporting (shutdown). The timer wrappers keep working. */
  stop(): void;
}

interface Tracked {
  /** Still pending: a timeout that has not fired, an interval not cleared. */
  pending: boolean;
  /** Not `unref`'ed. */
  refed: boolean;
}

/**
 * Wraps the global timer functions and starts reporting to `post`. The originals the bootstrap
 * itself needs are taken by the caller before this runs (its own timers are not the extension's).
 */
export function installActivityTracking(
  post: (message: WorkerToHost) => void,
  scope: typeof globalThis = globalThis,
): ActivityTracker {
  const setTimeoutOriginal = scope.setTimeout as unknown as TimerFunction;
  const setIntervalOriginal = scope.setInterval as unknown as TimerFunction;
  const clearTimeoutOriginal = scope.clearTimeout as unknown as ClearFunction;
  const clearIntervalOriginal = scope.clearInterval as unknown as ClearFunction;
  /** Live timers by id (Bun's timers convert to their numeric id, which `clear*` accepts too). */
  const live = new Map<unknown, Tracked>();
  let counted = 0;
  const subscriptions = new Map<string, number>();
  let sent = { timers: 0, events: '' };
  let scheduled = false;
  let stopped = false;

  const report = () => {
    scheduled = false;
    if (stopped) return;
    const events = [...subscriptions.keys()].slice(0, MAX_ACTIVITY_EVENTS);
    const key = events.join('\n');
    // The host only cares whether timers are pending, not how many.
    const timers = counted > 0 ? 1 : 0;
    if (timers === sent.timers && key === sent.events) return;
    sent = { timers, events: key };
    post({ type: 'activity', timers: counted, events });
  };
  const changed = () => {
    if (scheduled || stopped) return;
    scheduled = true;
    queueMicrotask(report);
  };
  const idOf = (handle: unknown): unknown => {
    if (handle !== null && typeof handle === 'object') {
      const primitive = (handle as { [Symbol.toPrimitive]?: () => unknown })[Symbol.toPrimitive];
      return typeof primitive === 'function' ? primitive.call(handle) : handle;
    }
    return handle;
  };
  const update = (entry: Tracked, pending: boolean, refed: boolean) => {
    const before = entry.pending && entry.refed;
    entry.pending = pending;
    entry.refed = refed;
    const after = pending && refed;
    if (before === after) return;
    counted += after ? 1 : -1;
    changed();
  };
  const release = (id: unknown) => {
    const entry = live.get(id);
    if (!entry) return;
    live.delete(id);
    update(entry, false, entry.refed);
  };
  const track = (handle: unknown, repeat: boolean): unknown => {
    const id = idOf(handle);
    const entry: Tracked = { pending: false, refed: true };
    live.set(id, entry);
    update(entry, true, true);
    if (handle === null || typeof handle !== 'object') return handle;
    const timer = handle as {
      ref?: () => unknown;
      unref?: () => unknown;
      refresh?: () => unknown;
      close?: () => unknown;
    };
    const { ref, unref, refresh, close } = timer;
    if (typeof unref === 'function') {
      timer.unref = function (this: unknown) {
        update(entry, entry.pending, false);
        return unref.call(this);
      };
    }
    if (typeof ref === 'function') {
      timer.ref = function (this: unknown) {
        update(entry, entry.pending, true);
        return ref.call(this);
      };
    }
    if (typeof refresh === 'function' && !repeat) {
      timer.refresh = function (this: unknown) {
        // A refreshed timeout is pending again, even one that already fired.
        if (!live.has(id)) live.set(id, entry);
        update(entry, true, entry.refed);
        return refresh.call(this);
      };
    }
    if (typeof close === 'function') {
      timer.close = function (this: unknown) {
        release(id);
        return close.call(this);
      };
    }
    return handle;
  };

  const wrappedSetTimeout = (handler: unknown, ms?: number, ...args: unknown[]) => {
    if (typeof handler !== 'function') return setTimeoutOriginal(handler, ms, ...args);
    let id: unknown;
    const handle = setTimeoutOriginal(
      function (this: unknown, ...callArgs: unknown[]) {
        release(id);
        return (handler as (...a: unknown[]) => unknown).apply(this, callArgs);
      },
      ms,
      ...args,
    );
    id = idOf(handle);
    return track(handle, false);
  };
  const wrappedSetInterval = (handler: unknown, ms?: number, ...args: unknown[]) => {
    if (typeof handler !== 'function') return setIntervalOriginal(handler, ms, ...args);
    return track(setIntervalOriginal(handler, ms, ...args), true);
  };
  const wrappedClearTimeout = (handle: unknown) => {
    release(idOf(handle));
    clearTimeoutOriginal(handle);
  };
  const wrappedClearInterval = (handle: unknown) => {
    release(idOf(handle));
    clearIntervalOriginal(handle);
  };
  for (const [name, value] of [
    ['setTimeout', wrappedSetTimeout],
    ['setInterval', wrappedSetInterval],
    ['clearTimeout', wrappedClearTimeout],
    ['clearInterval', wrappedClearInterval],
  ] as const) {
    Object.defineProperty(scope, name, { value, writable: true, configurable: true });
  }

  return {
    subscription(event, delta) {
      const next = (subscriptions.get(event) ?? 0) + delta;
      if (next > 0) subscriptions.set(event, next);
      else subscriptions.delete(event);
      changed();
    },
    get timers() {
      return counted;
    },
    stop() {
      stopped = true;
    },
  };
}
