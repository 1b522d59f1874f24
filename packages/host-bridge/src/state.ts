/** The bridge's connection lifecycle: states, allowed transitions, and the SDK's view of them. */
import { SpindleError } from '@spindle/types';
import type { TransportState } from './transport.ts';

/**
 * - `connecting`: the first connection attempt, until its `welcome`.
 * - `open`: `welcome` received; uplinks flow.
 * - `reconnecting`: the connection dropped (or the first attempt failed); waiting for the
 *   backoff delay or for the next attempt's `welcome`.
 * - `closed`: `close()` was called. Terminal.
 * - `failed`: the host refused us for good (bad token, protocol version). Terminal.
 */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed' | 'failed';

const TRANSITIONS: Record<ConnectionState, readonly ConnectionState[]> = {
  connecting: ['open', 'reconnecting', 'closed', 'failed'],
  open: ['reconnecting', 'closed', 'failed'],
  reconnecting: ['open', 'closed', 'failed'],
  closed: [],
  failed: [],
};

/** True when the bridge will never connect again. */
export function isTerminal(state: ConnectionState): boolean {
  return state === 'closed' || state === 'failed';
}

/** Throws `INTERNAL` for a transition the table does not allow (a bug in the bridge). */
export function assertTransition(from: ConnectionState, to: ConnectionState): void {
  if (!TRANSITIONS[from].includes(to)) {
    throw new SpindleError('INTERNAL', `host bridge: cannot go from ${from} to ${to}`);
  }
}

/** The SDK's three-state view of a connection state. */
export function toTransportState(state: ConnectionState): TransportState {
  switch (state) {
    case 'open':
      return 'open';
    case 'connecting':
    case 'reconnecting':
      return 'connecting';
    case 'closed':
    case 'failed':
      return 'closed';
  }
}
