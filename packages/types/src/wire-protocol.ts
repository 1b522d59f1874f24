/**
 * Browser ↔ host wire protocol: JSON text frames over one WebSocket per tab.
 *
 * Handshake: the client's first frame is `hello`; the host answers `welcome` or closes with a
 * code from `WIRE_CLOSE_CODES`. The protocol version travels in the handshake only.
 *
 * Framing (since protocol version 2): one WebSocket message carries either one frame (a JSON
 * object) or a batch: a JSON array of 1 to `MAX_BATCH_FRAMES` frames, in order. A sender puts
 * the frames it produces in the same tick into one batch, so a burst costs one WebSocket message
 * instead of one per frame. A batch changes nothing else: each frame in it keeps its own `seq`,
 * is validated on its own (a bad one gets its own `error` frame naming its `seq`, and the rest
 * of the batch is processed), and counts as one frame against `maxFramesPerSecond`. The whole
 * message is held to `maxFrameBytes`; a sender splits a batch that would exceed it. `hello` and
 * `welcome` are sent alone.
 *
 * Reliability: every frame of `FrontendUplink` / `FrontendDownlink` travels with a `seq`, a
 * per-session counter that starts at 1 in each direction. The receiver answers with a
 * cumulative `ack { seq }` (everything up to `seq` was processed, rejected frames included).
 * Acks may be delayed by a few milliseconds and may share a batch with other frames (the host
 * acknowledges once per received message, or with its next downlink; the bridge with its next
 * uplinks), since a cumulative ack covers everything before it.
 * Each side keeps its unacknowledged frames; after a reconnect `hello.lastServerSeq` and
 * `welcome.lastClientSeq` say where to resume, the sender replays what comes after, and the
 * receiver drops a `seq` it has already processed. Each frame is thereby delivered exactly once
 * for the life of a session.
 *
 * Routing: a connection is one frontend session (`frontendSessionId`) of one user. Frames name
 * extensions by `extensionId` (the manifest identifier) and processes by `processId`; the host
 * checks that the session owns what it names.
 */

import type { FrontendProcessExitReasonDTO, FrontendProcessStateDTO } from './dto.ts';
import type { SpindleErrorCode } from './errors.ts';
import type { SpindleHostDescriptorV1 } from './host.ts';
import type { ActivationPolicy, SpindleManifest } from './manifest.ts';
import type { RuntimeExitReason, RuntimeStatsEvent, SpindleRuntimeMode } from './runtime.ts';

/**
 * Version of this protocol; a `hello` with another version is refused. Version 2 added batches
 * (a JSON array of frames in one WebSocket message), which a version 1 peer cannot read.
 */
export const PROTOCOL_VERSION = 2;

/** Most frames in one batch (one WebSocket message). */
export const MAX_BATCH_FRAMES = 1024;

/** Limits both sides hold to; the host sends its own values in `welcome.limits`. */
export interface WireLimits {
  /** Largest frame in bytes of UTF-8 JSON. @default 1048576 */
  maxFrameBytes: number;
  /** Frames a client may send per second (token bucket, burst = twice the rate). @default 10000 */
  maxFramesPerSecond: number;
  /** Unacknowledged frames each side keeps for replay. @default 1024 */
  maxUnackedFrames: number;
  /** How long a disconnected session can be resumed. @default 30000 */
  resumeGraceMs: number;
}

/** Default `WireLimits`. */
export const DEFAULT_WIRE_LIMITS: WireLimits = {
  maxFrameBytes: 1_048_576,
  maxFramesPerSecond: 10_000,
  maxUnackedFrames: 1024,
  resumeGraceMs: 30_000,
};

/** WebSocket close codes of the protocol, each with a reason a person can act on. */
export const WIRE_CLOSE_CODES = {
  /** The token was missing or refused by `authenticate`. */
  UNAUTHORIZED: 4001,
  /** `hello.protocolVersion` differs from the host's `PROTOCOL_VERSION`. */
  PROTOCOL_VERSION_MISMATCH: 4002,
  /** No valid `hello` arrived in time. */
  HANDSHAKE_TIMEOUT: 4003,
  /** The client read too slowly and the host's buffer for it filled up. */
  BACKPRESSURE: 4004,
  /** The client kept flooding after being rate limited. */
  RATE_LIMITED: 4005,
  /** Another connection resumed this session. */
  SESSION_TAKEN_OVER: 4006,
  /** `hello.resumeSessionId` named a session that expired or belongs to someone else. */
  SESSION_UNKNOWN: 4007,
  /** The host is shutting down. */
  HOST_SHUTDOWN: 4008,
  /**
   * The session left more downlinks unacknowledged than the host keeps for it
   * (`maxUnackedFrames`, or the host's byte cap of a session's replay buffer); the session was
   * ended: start a new one (the bridge does so at once).
   */
  SESSION_OVERFLOW: 4009,
  /**
   * The user, or the host as a whole, already has as many sessions as it allows: close another
   * tab, or try again later.
   */
  SESSION_LIMIT: 4010,
} as const;

/** Close code values. */
export type WireCloseCode = (typeof WIRE_CLOSE_CODES)[keyof typeof WIRE_CLOSE_CODES];

/**
 * State of an extension as the host reports it. `hibernated`: enabled, with no runtime; the next
 * need starts one (a lazy extension before its first need, or one stopped when idle).
 */
export type ExtensionStateDTO =
  | 'disabled'
  | 'starting'
  | 'running'
  | 'stopping'
  | 'restarting'
  | 'failed'
  | 'crashed'
  | 'hibernated'
  | 'error';

/** How an extension's runtime is activated and hibernated (docs/operations.md). */
export interface ExtensionActivationDTO {
  /** `eager`: started at enable; `lazy`: on its first need. */
  policy: ActivationPolicy;
  /**
   * A start caused by a need is under way (`state` is `hibernated` or `starting`): messages sent
   * now wait for it, in order, in a bounded queue.
   */
  activating: boolean;
  /** Idle time after which the runtime hibernates; absent: it never hibernates. */
  idleAfterMs?: number;
  /** Why its last runtime ended (`idle`, `evicted`, `stopped`, `crashed`, …). */
  lastExitReason?: string;
}

/** An extension as listed to frontends. */
export interface ExtensionInfoDTO {
  /** Manifest identifier; the extension's id everywhere on the wire. */
  identifier: string;
  manifest: SpindleManifest;
  state: ExtensionStateDTO;
  /** Why the extension is in `error`, `failed` or `crashed`. */
  error?: string;
  /** Runtime mode of its backend half, when it has one running. */
  runtimeMode?: SpindleRuntimeMode;
  /**
   * How its last runtime ended, while the extension is `restarting`, `crashed` or `failed`
   * because of it (`crashed`, `memory_limit`, `unresponsive`, …).
   */
  exitReason?: RuntimeExitReason;
  /**
   * Versioned URL of the frontend bundle (path relative to the host), absent when the extension
   * has no frontend half or is not enabled.
   */
  frontendUrl?: string;
  /** The host descriptor the extension's frontend half gets as `ctx.host`. */
  host?: SpindleHostDescriptorV1;
  /** Permissions granted to the extension (frontend contributions are gated by them). */
  grantedPermissions?: string[];
  /** Activation policy and sub-state (absent for an extension in `error`). */
  activation?: ExtensionActivationDTO;
}

/** How a frontend process ended, as the frontend reports it. */
export type FrontendProcessOutcome = 'completed' | 'failed' | 'stopped' | 'frontend_unloaded';

/** Messages the frontend SDK sends to the host (the sequenced part of `ClientFrame`). */
export type FrontendUplink =
  | {
      /** The extension's frontend half is mounted in this session (a spawn target from now on). */
      type: 'extension_mounted';
      extensionId: string;
    }
  | { /** The frontend half was unloaded. */ type: 'extension_unmounted'; extensionId: string }
  | {
      /** `ctx.sendToBackend(payload)`. */
      type: 'backend_message';
      extensionId: string;
      payload: unknown;
    }
  | { /** `ready()` of a frontend process. */ type: 'process_ready'; processId: string }
  | { /** `heartbeat()` of a frontend process. */ type: 'process_heartbeat'; processId: string }
  | {
      /** `send(payload)` of a frontend process. */ type: 'process_message';
      processId: string;
      payload: unknown;
    }
  | {
      /** The process ended on the frontend. */
      type: 'process_ended';
      processId: string;
      outcome: FrontendProcessOutcome;
      /** Message of a failure. */
      error?: string;
    }
  | { /** Ask for `runtime_stats` frames (admin sessions only). */ type: 'subscribe_stats' };

/** Messages the host sends to the frontend SDK (the sequenced part of `ServerFrame`). */
export type FrontendDownlink =
  | {
      /** `spindle.sendToFrontend(payload)`. */
      type: 'backend_message';
      extensionId: string;
      payload: unknown;
    }
  | {
      /** Start a frontend process of `kind` in this session. */
      type: 'process_spawn';
      extensionId: string;
      processId: string;
      kind: string;
      key?: string;
      payload?: unknown;
      metadata?: Record<string, unknown>;
      /** Effective (clamped) deadlines, so the SDK can enforce them in worker isolation. */
      startupTimeoutMs: number;
      heartbeatTimeoutMs: number;
    }
  | {
      /** `frontendProcesses.send()`. */ type: 'process_message';
      processId: string;
      payload: unknown;
    }
  | {
      /** Stop request: graceful (`onStop` handlers) or forced (end at once). */
      type: 'process_stop';
      processId: string;
      reason?: string;
      force: boolean;
    }
  | {
      /**
       * The host ended the process (timeout, unload, expired session): drop it without
       * reporting back. This is how a frontend that comes back late learns of it.
       */
      type: 'process_terminated';
      processId: string;
      state: FrontendProcessStateDTO;
      exitReason: FrontendProcessExitReasonDTO;
      error?: string;
    }
  | {
      /** An extension was added or changed state. */ type: 'extension_state';
      extension: ExtensionInfoDTO;
    }
  | { /** An extension is gone from the host. */ type: 'extension_removed'; extensionId: string }
  | {
      /** Runtime stats (admin sessions that subscribed). */ type: 'runtime_stats';
      event: RuntimeStatsEvent;
    };

/** Fields added to sequenced frames. */
export interface Sequenced {
  /** Per-session, per-direction counter starting at 1. */
  seq: number;
}

/** First frame of every connection. */
export interface HelloFrame {
  type: 'hello';
  protocolVersion: number;
  /** Auth token, checked by the host's `authenticate(token)`. */
  token: string;
  /** Resume this session instead of starting a new one. */
  resumeSessionId?: string;
  /** Highest server `seq` this client processed (with `resumeSessionId`). */
  lastServerSeq?: number;
}

/** Cumulative acknowledgement, both directions. */
export interface AckFrame {
  type: 'ack';
  /** Every frame up to and including this `seq` was processed. */
  seq: number;
}

/** Liveness probe from the client. */
export interface PingFrame {
  type: 'ping';
  /** Echoed in `pong`. */
  at: number;
}

/** Everything a client may send. */
export type ClientFrame = HelloFrame | AckFrame | PingFrame | (FrontendUplink & Sequenced);

/** Answer to a valid `hello`. */
export interface WelcomeFrame {
  type: 'welcome';
  protocolVersion: number;
  frontendSessionId: string;
  userId: string;
  /** True when `hello.resumeSessionId` was honoured. */
  resumed: boolean;
  /** Highest client `seq` the host processed in this session (0 for a new one). */
  lastClientSeq: number;
  /** Admin sessions may subscribe to runtime stats. */
  isAdmin: boolean;
  extensions: ExtensionInfoDTO[];
  limits: WireLimits;
}

/** Answer to `ping`. */
export interface PongFrame {
  type: 'pong';
  at: number;
}

/** A frame was refused. The connection stays up. */
export interface ErrorFrame {
  type: 'error';
  code: SpindleErrorCode;
  message: string;
  /** `seq` of the offending frame, when it had one. */
  seq?: number;
  /** `type` of the offending frame, when it had one. */
  frameType?: string;
}

/** Everything the host may send. */
export type ServerFrame =
  | WelcomeFrame
  | AckFrame
  | PongFrame
  | ErrorFrame
  | (FrontendDownlink & Sequenced);

/** One WebSocket message from a client: a frame, or a batch of frames in order. */
export type ClientMessage = ClientFrame | ClientFrame[];

/** One WebSocket message from the host: a frame, or a batch of frames in order. */
export type ServerMessage = ServerFrame | ServerFrame[];

/** `type` values of client frames. */
export type ClientFrameType = ClientFrame['type'];
/** `type` values of server frames. */
export type ServerFrameType = ServerFrame['type'];
