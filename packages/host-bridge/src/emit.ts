/** mitt's `emit` stops at the first handler that throws; the bridge's events must not. */
import type { Emitter, EventType } from 'mitt';

/**
 * Calls every handler of `type`, then the wildcard ones, each in its own try/catch. A throw is
 * passed to `onThrow`; a throw from an `error` handler has nowhere left to go, so it is
 * rethrown on a microtask, where the page's own error reporting sees it.
 */
export function emitIsolated<Events extends Record<EventType, unknown>, K extends keyof Events>(
  emitter: Emitter<Events>,
  type: K,
  event: Events[K],
  onThrow: (cause: unknown) => void,
): void {
  const own = (emitter.all.get(type) ?? []) as ((payload: unknown) => void)[];
  const wildcards = (emitter.all.get('*') ?? []) as ((t: K, payload: unknown) => void)[];
  const calls = [
    ...own.map((handler) => () => handler(event)),
    ...wildcards.map((handler) => () => handler(type, event)),
  ];
  for (const call of calls) {
    try {
      call();
    } catch (cause) {
      if (type === 'error') {
        queueMicrotask(() => {
          throw cause;
        });
      } else onThrow(cause);
    }
  }
}
