/** Options, requests and results of `FrontendHub`. */
import type {
  ClientFrame,
  ExtensionInfoDTO,
  SpindleErrorCode,
  WelcomeFrame,
  WireCloseCode,
  WireLimits,
} from '@spindle/types';
import type { AuthorityPolicy } from './authority.ts';
import type { HubClock } from './clock.ts';

/** Options of `FrontendHub`. */
export interface FrontendHubOptions {
  /** Protocol limits; the hub uses `maxUnackedFrames` and `resumeGraceMs`. @default DEFAULT_WIRE_LIMITS */
  limits?: Partial<WireLimits>;
  /** Time source and timers. @default systemClock */
  clock?: HubClock;
  /** Whether an extension with this identifier is installed. @default () => true */
  extensionExists?: (extensionId: string) => boolean;
  /** Whether an installed extension is enabled. @default () => true */
  isEnabled?: (extensionId: string) => boolean;
  /**
   * Whether `session` may send a `process_*` frame naming `processId`; process supervision
   * knows who owns what. Can also be set later with `setProcessAuthorizer`. @default allow
   */
  authorizeProcessFrame?: AuthorityPolicy['authorizeProcessFrame'];
  /**
   * Uplinks are acknowledged once per received WebSocket message. A message of fewer than
   * `ackEvery` frames waits up to this many ms for a downlink to carry its ack in the same
   * message (a round trip's reply does), then the ack goes alone; 0 acknowledges at the end of
   * each message. @default 5
   */
  ackDelayMs?: number;
  /** A message of this many frames (or more) is acknowledged at once. @default 64 */
  ackEvery?: number;
  /**
   * Bytes of JSON of the downlinks a session keeps unacknowledged (its replay buffer), next to
   * `maxUnackedFrames`; past either, the session is ended with `SESSION_OVERFLOW` (4009) and a
   * `QUEUE_FULL` error. At least `maxFrameBytes`.
   * @default 33554432 (32 MiB)
   */
  maxUnackedBytes?: number;
  /**
   * Sessions at once, detached ones included; a new one past it replaces the least recently
   * active detached session, or is refused with `SESSION_LIMIT` (4010). @default 4096
   */
  maxSessions?: number;
  /** The same per user. @default 64 */
  maxSessionsPerUser?: number;
  /** New session ids. @default crypto.randomUUID */
  createSessionId?: () => string;
  /** Where errors thrown by event listeners go. @default console.error */
  reportError?: (error: unknown) => void;
}

/** What a completed handshake asks of the hub. */
export interface OpenSessionRequest {
  /** The authenticated user. */
  userId: string;
  /** @default false */
  isAdmin?: boolean;
  /** `hello.resumeSessionId`. */
  resumeSessionId?: string;
  /** `hello.lastServerSeq`: downlinks up to here count as acknowledged. @default 0 */
  lastServerSeq?: number;
  /** Extension list for the welcome. @default [] */
  extensions?: ExtensionInfoDTO[];
  /** Transport limits the server enforces, advertised in the welcome over the hub's own. */
  limits?: Partial<Pick<WireLimits, 'maxFrameBytes' | 'maxFramesPerSecond'>>;
}

/** One connection's handle on its session; inert once another connection takes over. */
export interface SessionConnection {
  readonly sessionId: string;
  /** False once the session closed or another connection took it over. */
  readonly active: boolean;
  /** Hands an already validated client frame (not `hello`) to the session. */
  receive(frame: ClientFrame): void;
  /**
   * Runs `run`, which hands over the frames of one WebSocket message (`receive`, `rejected`),
   * so that they are acknowledged together, by one ack.
   */
  message(run: () => void): void;
  /**
   * A sequenced frame with this `seq` failed validation: it counts as processed (acknowledged,
   * never replayed), so the frames after it are not taken for a gap.
   */
  rejected(seq: number): void;
  /** The socket drained after the sink reported congestion: deliver what is waiting. */
  drain(): void;
  /** The socket is gone; the session stays resumable for `resumeGraceMs`. */
  detach(): void;
}

/** Outcome of `FrontendHub.open`. */
export type OpenSessionResult =
  | {
      ok: true;
      sessionId: string;
      resumed: boolean;
      /** The welcome already delivered to the sink (before any replayed downlink). */
      welcome: WelcomeFrame;
      connection: SessionConnection;
    }
  | {
      ok: false;
      /** Close code for the socket. */
      closeCode: WireCloseCode;
      code: SpindleErrorCode;
      /** A sentence a person can act on. */
      reason: string;
    };
