/** The public shape of a host bridge. */
import type { ExtensionInfoDTO, FrontendUplink, WireLimits } from '@spindle/types';
import type { Emitter } from 'mitt';
import type { HostBridgeEvents } from './events.ts';
import type { BridgeFailure } from './options.ts';
import type { ConnectionState } from './state.ts';
import type { Transport } from './transport.ts';

/** A live connection to the host: the SDK's `Transport` plus state and events for the app. */
export interface HostBridge extends Transport {
  /**
   * Sends an uplink (only while `state === 'open'`, otherwise throws `NOT_CONNECTED`). Returns
   * false when the message was refused (reported through `dropped`): buffer full, too large for
   * the host, not serialisable, or refused by the host's validator.
   */
  send(message: FrontendUplink): boolean;
  /** The detailed connection state. */
  readonly connectionState: ConnectionState;
  /** `frontendSessionId` of the current session (undefined before the first `welcome`). */
  readonly sessionId: string | undefined;
  /** The same as `sessionId`, under the name the SDK's `Transport` reads (`ctx.frontendSessionId`). */
  readonly frontendSessionId: string | undefined;
  /** User the host authenticated (undefined before the first `welcome`). */
  readonly userId: string | undefined;
  /** Whether the session may subscribe to runtime stats. */
  readonly isAdmin: boolean;
  /** Extensions as last reported by the host (`welcome`, then `extension_state` / `extension_removed`). */
  readonly extensions: readonly ExtensionInfoDTO[];
  /** The host's limits from the last `welcome` (the protocol defaults before it). */
  readonly limits: WireLimits;
  /**
   * Uplinks accepted and not yet acknowledged (sent, or waiting for pacing). It goes down on the
   * `acked` event, where a producer that keeps it under a window sends more.
   */
  readonly unacked: number;
  /** Why the bridge is `failed`. */
  readonly failure: BridgeFailure | undefined;
  /** State changes, session loss, errors, drops, acks, extension updates (mitt). */
  readonly events: Emitter<HostBridgeEvents>;
  /** While `reconnecting`, skips the rest of the backoff delay (e.g. on the browser's `online` event). */
  reconnect(): void;
  /** Closes for good: flushes the pending ack, closes the socket, clears every timer. Idempotent. */
  close(): void;
}
