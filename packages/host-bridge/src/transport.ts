/**
 * The SDK's `Transport` seam, declared structurally until `@spindle/frontend-sdk` exports it.
 * The bridge must stay assignable to the SDK's own declaration; `test/transport.test-d.ts`
 * checks that once the SDK exports it.
 */
import type { FrontendDownlink, FrontendUplink } from '@spindle/types';

/** Connection state as the SDK sees it. */
export type TransportState = 'connecting' | 'open' | 'closed';

/** What the frontend SDK needs from a connection to the host. */
export interface Transport {
  /** Sends one message; only called while `state === 'open'`. */
  send(message: FrontendUplink): void;
  /** Subscribes to messages from the host, each delivered once and in order. */
  onMessage(handler: (message: FrontendDownlink) => void): () => void;
  /** Current state. */
  readonly state: TransportState;
  /** Subscribes to state changes. */
  onStateChange(handler: (state: TransportState) => void): () => void;
}
