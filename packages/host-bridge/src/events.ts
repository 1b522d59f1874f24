/** Events of a host bridge, for the app's UI and for wiring the SDK. */
import type {
  ExtensionInfoDTO,
  FrontendUplink,
  RuntimeStatsEvent,
  SpindleErrorCode,
  WelcomeFrame,
} from '@spindle/types';
import type { BridgeFailure } from './options.ts';
import type { ConnectionState } from './state.ts';

/** Something went wrong that the bridge survived. */
export interface BridgeErrorEvent {
  /**
   * - `host`: an `error` frame: the host refused one of our frames (the connection stays up).
   * - `frame`: the host sent a frame that failed validation; it was ignored.
   * - `protocol`: the host broke sequencing (a gap, an ack for a frame never sent).
   * - `handler`: an `onMessage` / `onStateChange` handler threw; the other handlers still ran.
   */
  source: 'host' | 'frame' | 'protocol' | 'handler';
  code: SpindleErrorCode;
  message: string;
  /** `seq` of the frame concerned, when known. */
  seq?: number;
  /** `type` of the frame concerned, when known. */
  frameType?: string;
  /** Our uplink the host refused, while it was still awaiting its ack. */
  uplink?: FrontendUplink;
  /** The thrown value, for `handler` errors. */
  cause?: unknown;
}

/** Uplinks the bridge could not deliver, or cannot confirm were delivered. */
export interface DroppedEvent {
  /**
   * - `queue_full`: the unacknowledged buffer was full (`maxQueued` / `maxQueuedBytes`); never sent.
   * - `too_large`: larger than the host's `limits.maxFrameBytes`; never sent.
   * - `unserializable`: not JSON-serialisable (cycles, BigInt); never sent.
   * - `session_lost`: sent in a session the host no longer has; maybe processed, never acked.
   * - `closed` / `failed`: still unacknowledged when the bridge closed or failed.
   */
  reason: 'queue_full' | 'too_large' | 'unserializable' | 'session_lost' | 'closed' | 'failed';
  code: SpindleErrorCode;
  messages: FrontendUplink[];
  /** True when the messages were sent and the host may have processed them before the loss. */
  maybeDelivered: boolean;
}

/**
 * The host confirmed uplinks: an `ack` frame, or the `lastClientSeq` of a resuming `welcome`,
 * released at least one of them from the unacknowledged buffer. An app that paces itself on
 * `unacked` (the buffer refuses uplinks past `maxQueued` as `queue_full`) resumes sending here
 * instead of polling.
 */
export interface AckedEvent {
  /** The highest `seq` the host has confirmed (acks are cumulative). */
  seq: number;
  /** Uplinks still unacknowledged after this one: `bridge.unacked`. */
  unacked: number;
}

/** The session could not be resumed: the host ended its processes; the SDK must end its own. */
export interface SessionLostEvent {
  previousSessionId: string;
  /**
   * - `not_resumed`: the host answered a resume with a new session (expired or restarted).
   * - `session_unknown` / `taken_over`: the host closed with that code.
   * - `overflow`: the host ended the session (`SESSION_OVERFLOW`) because it left more downlinks
   *   unacknowledged than the host keeps for a session.
   * - `resume_disabled`: `resume: false`, so every reconnect starts a new session.
   */
  reason: 'not_resumed' | 'session_unknown' | 'taken_over' | 'overflow' | 'resume_disabled';
  /**
   * Frontend processes of the old session that were delivered a `process_terminated` just before
   * this event (empty with `endProcessesOnSessionLoss: false`).
   */
  terminatedProcesses: string[];
}

/** A change of `connectionState`. */
export interface StateEvent {
  state: ConnectionState;
  previous: ConnectionState;
  /** Set when `state` is `failed`. */
  failure?: BridgeFailure;
}

/** A reconnect is scheduled. */
export interface ReconnectEvent {
  /** 1 for the first retry after a drop. */
  attempt: number;
  delayMs: number;
  /** Close code of the socket that dropped, when it closed (not when it timed out). */
  closeCode?: number;
  closeReason?: string;
}

/** Events emitted through `bridge.events` (mitt). */
export type HostBridgeEvents = {
  state: StateEvent;
  /** Every `welcome`, first connection and resumes alike. */
  welcome: WelcomeFrame;
  session_lost: SessionLostEvent;
  error: BridgeErrorEvent;
  dropped: DroppedEvent;
  /** The host confirmed uplinks and `unacked` went down: room to send more. */
  acked: AckedEvent;
  reconnect_scheduled: ReconnectEvent;
  /** An extension was added or changed state (`bridge.extensions` is already updated). */
  extension_state: ExtensionInfoDTO;
  /** An extension is gone (`bridge.extensions` is already updated). */
  extension_removed: { extensionId: string };
  /** Runtime stats (admin sessions after `subscribe_stats`). */
  runtime_stats: RuntimeStatsEvent;
  /** Answer to a ping, with the round-trip time. */
  pong: { rttMs: number };
};
