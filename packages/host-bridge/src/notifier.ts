/**
 * Everything the bridge tells the outside: downlinks to the SDK, transport state changes, and the
 * app's events. Every handler runs isolated, so one that throws never reaches the socket code or
 * keeps the others from running.
 */
import type { FrontendDownlink } from '@spindle/types';
import type { Emitter } from 'mitt';
import mitt from 'mitt';
import { emitIsolated } from './emit.ts';
import type { BridgeErrorEvent, HostBridgeEvents } from './events.ts';
import type { TransportState } from './transport.ts';

/** The bridge's outward side. */
export class Notifier {
  readonly events: Emitter<HostBridgeEvents> = mitt<HostBridgeEvents>();
  readonly #messageHandlers = new Set<(message: FrontendDownlink) => void>();
  readonly #stateHandlers = new Set<(state: TransportState) => void>();

  /** Adds a downlink handler; returns its removal. */
  onMessage(handler: (message: FrontendDownlink) => void): () => void {
    this.#messageHandlers.add(handler);
    return () => {
      this.#messageHandlers.delete(handler);
    };
  }

  /** Adds a transport state handler; returns its removal. */
  onStateChange(handler: (state: TransportState) => void): () => void {
    this.#stateHandlers.add(handler);
    return () => {
      this.#stateHandlers.delete(handler);
    };
  }

  /** Hands a downlink to every handler. */
  deliver(message: FrontendDownlink, seq?: number): void {
    for (const handler of [...this.#messageHandlers]) {
      try {
        handler(message);
      } catch (cause) {
        this.error({
          source: 'handler',
          code: 'INTERNAL',
          message: `a message handler threw on ${message.type}`,
          seq,
          frameType: message.type,
          cause,
        });
      }
    }
  }

  /** Tells every state handler. */
  transportState(state: TransportState): void {
    for (const handler of [...this.#stateHandlers]) {
      try {
        handler(state);
      } catch (cause) {
        this.error({
          source: 'handler',
          code: 'INTERNAL',
          message: 'a state handler threw',
          cause,
        });
      }
    }
  }

  /** Emits an `error` event. */
  error(event: BridgeErrorEvent): void {
    this.emit('error', event);
  }

  /**
   * Emits an event; fields that are `undefined` are left out. An event nobody listens to (an
   * `acked` on every ack, mostly) costs one lookup, not a copy of its payload.
   */
  emit<K extends keyof HostBridgeEvents>(type: K, event: HostBridgeEvents[K]): void {
    if (!this.events.all.get(type)?.length && !this.events.all.get('*')?.length) return;
    emitIsolated(this.events, type, withoutUndefined(event), (cause) =>
      this.error({
        source: 'handler',
        code: 'INTERNAL',
        message: `a ${String(type)} event handler threw`,
        cause,
      }),
    );
  }
}

/** Events carry only the fields that are set, so they compare and log cleanly. */
function withoutUndefined<T>(event: T): T {
  if (event === null || typeof event !== 'object' || Array.isArray(event)) return event;
  const entries = Object.entries(event as object).filter(([, value]) => value !== undefined);
  if (entries.length === Object.keys(event as object).length) return event;
  return Object.fromEntries(entries) as T;
}
