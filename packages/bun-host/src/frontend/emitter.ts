/**
 * The hub's event emitter: mitt's `Emitter` interface (so listeners see no difference), with
 * handler lists that are replaced, never changed in place, on `on`/`off`. `emit` can then walk
 * the current list as it is, where mitt copies it on every call; the hub emits one `uplink`
 * per frame, so that copy showed in the throughput profile. As with mitt, a handler added or
 * removed during an `emit` takes effect from the next one.
 */
import type { Emitter, EventHandlerMap, EventType, Handler, WildcardHandler } from 'mitt';

type AnyHandler = Handler<never> | WildcardHandler<Record<EventType, unknown>>;

/** Creates an emitter with mitt's interface and semantics. */
export function createEmitter<Events extends Record<EventType, unknown>>(): Emitter<Events> {
  const all: EventHandlerMap<Events> = new Map();
  const list = (type: keyof Events | '*') =>
    (all.get(type) as readonly AnyHandler[] | undefined) ?? [];
  return {
    all,
    on(type: keyof Events | '*', handler: AnyHandler) {
      all.set(type, [...list(type), handler] as never);
    },
    off(type: keyof Events | '*', handler?: AnyHandler) {
      if (!all.has(type)) return;
      if (handler === undefined) {
        all.set(type, [] as never);
        return;
      }
      const current = list(type);
      const at = current.indexOf(handler);
      if (at >= 0) all.set(type, current.filter((_, i) => i !== at) as never);
    },
    emit(type: keyof Events, event?: unknown) {
      const handlers = all.get(type) as readonly Handler<unknown>[] | undefined;
      if (handlers !== undefined) {
        for (let i = 0; i < handlers.length; i += 1) (handlers[i] as Handler<unknown>)(event);
      }
      const wildcard = all.get('*') as readonly WildcardHandler<Events>[] | undefined;
      if (wildcard !== undefined) {
        for (let i = 0; i < wildcard.length; i += 1) {
          (wildcard[i] as WildcardHandler<Events>)(type, event as Events[keyof Events]);
        }
      }
    },
  } as Emitter<Events>;
}
