/**
 * The only way the SDK talks to the host. The host bridge implements it over one WebSocket per
 * tab; `createMemoryTransport` implements it in memory for unit tests and the author test kit.
 */
import type { FrontendDownlink, FrontendUplink } from '@spindle/types';

/** Connection state of a transport. The SDK only hands messages over while it is `open`. */
export type TransportState = 'connecting' | 'open' | 'closed';

/** What the SDK needs from a connection to the host. */
export interface Transport {
  /**
   * Hands a message to the transport. Only called while state === 'open'. A transport that
   * refuses a message may return `false` (or throw); the SDK reports it as dropped. (A function
   * returning a boolean is assignable to this `void` signature.)
   */
  send(message: FrontendUplink): void;
  /** Subscribes to messages from the host; returns the unsubscribe. */
  onMessage(handler: (message: FrontendDownlink) => void): () => void;
  /** Current state; the SDK queues outgoing messages while it is not `open`. */
  readonly state: TransportState;
  /** Subscribes to state changes; returns the unsubscribe. */
  onStateChange(handler: (state: TransportState) => void): () => void;
  /**
   * The host's id of the current frontend session (`ctx.frontendSessionId`), once known; read
   * when the transport opens. Optional: a transport without sessions leaves it out.
   */
  readonly frontendSessionId?: string | undefined;
}

/** The host's end of a memory transport: what a test plays the server with. */
export interface MemoryTransportRemote {
  /** Every message the SDK handed over, in order. */
  readonly received: FrontendUplink[];
  /** Delivers a message to the SDK (synchronously, like one WebSocket frame); throws unless `open`. */
  send(message: FrontendDownlink): void;
  /** Subscribes to messages from the SDK; returns the unsubscribe. */
  onMessage(handler: (message: FrontendUplink) => void): () => void;
  /** Changes the transport's state (`open` makes the SDK flush its queue). */
  setState(state: TransportState): void;
  /** Empties `received` and returns what it held. */
  take(): FrontendUplink[];
  /**
   * Sets the transport's `frontendSessionId` (the SDK notices at the next state change, as it
   * would after a reconnect).
   */
  setFrontendSessionId(id: string | undefined): void;
}

/** Options of `createMemoryTransport`. */
export interface MemoryTransportOptions {
  /**
   * State the transport starts in.
   * @default 'open'
   */
  state?: TransportState;
  /** `frontendSessionId` of the transport. @default undefined */
  frontendSessionId?: string;
}

/** A linked pair: `transport` for the SDK, `remote` for the test playing the host. */
export interface MemoryTransportPair {
  transport: Transport;
  remote: MemoryTransportRemote;
}

/**
 * Creates an in-memory transport. Delivery is synchronous in both directions, and `send` while
 * not `open` throws, which is what a test wants to catch: the SDK must never do it.
 */
export function createMemoryTransport(options: MemoryTransportOptions = {}): MemoryTransportPair {
  let state: TransportState = options.state ?? 'open';
  let frontendSessionId = options.frontendSessionId;
  const received: FrontendUplink[] = [];
  const toSdk = new Set<(message: FrontendDownlink) => void>();
  const toRemote = new Set<(message: FrontendUplink) => void>();
  const stateHandlers = new Set<(state: TransportState) => void>();

  const subscribe = <T>(set: Set<T>, handler: T) => {
    set.add(handler);
    return () => {
      set.delete(handler);
    };
  };

  const transport: Transport = {
    send(message) {
      if (state !== 'open') {
        throw new Error(`memory transport: send() while ${state} (${message.type})`);
      }
      received.push(message);
      for (const handler of [...toRemote]) handler(message);
    },
    onMessage: (handler) => subscribe(toSdk, handler),
    get state() {
      return state;
    },
    onStateChange: (handler) => subscribe(stateHandlers, handler),
    get frontendSessionId() {
      return frontendSessionId;
    },
  };

  const remote: MemoryTransportRemote = {
    received,
    send(message) {
      if (state !== 'open') {
        throw new Error(`memory transport: remote send() while ${state} (${message.type})`);
      }
      for (const handler of [...toSdk]) handler(message);
    },
    onMessage: (handler) => subscribe(toRemote, handler),
    setState(next) {
      if (next === state) return;
      state = next;
      for (const handler of [...stateHandlers]) handler(next);
    },
    take: () => received.splice(0, received.length),
    setFrontendSessionId(id) {
      frontendSessionId = id;
    },
  };

  return { transport, remote };
}
