/**
 * The seam between the host core and frontend sessions. The WebSocket server implements it for
 * real browsers; tests implement it with an in-process fake. Host code that routes messages to
 * or from frontends (runtimes, process supervision) depends on this interface only.
 */
import type { FrontendDownlink, FrontendUplink, SpindleErrorCode } from '@spindle/types';
import type { Emitter } from 'mitt';

/** A frontend session: one browser tab of one user. */
export interface FrontendSessionInfo {
  readonly sessionId: string;
  readonly userId: string;
  readonly isAdmin: boolean;
  /** Identifiers of the extensions whose frontend half is mounted in this session. */
  readonly mountedExtensions: ReadonlySet<string>;
  /** Host clock (ms since epoch) of the session's last inbound frame. */
  readonly lastActiveAt: number;
  /** False while the connection is lost but the session can still be resumed. */
  readonly connected: boolean;
  /** Why the session ended, once it has (set before `session_closed` is emitted). */
  readonly closeReason?: string;
}

/** Events of a `FrontendGateway`. */
export type FrontendGatewayEvents = {
  /**
   * A session sent a message (already validated, authenticated and deduplicated). `message` is
   * the validated frame itself and may still carry its `seq`.
   */
  uplink: { session: FrontendSessionInfo; message: FrontendUplink };
  /** A new session completed its handshake. */
  session_opened: FrontendSessionInfo;
  /** The connection of a session dropped; it may still resume. */
  session_detached: FrontendSessionInfo;
  /** A detached session was resumed by a new connection. */
  session_resumed: FrontendSessionInfo;
  /** A session is gone for good (closed, or its resume window expired). */
  session_closed: FrontendSessionInfo;
};

/** Filter for session lookups and broadcasts. */
export interface FrontendSessionFilter {
  userId?: string;
  /** Only sessions that have this extension mounted. */
  extensionId?: string;
  adminOnly?: boolean;
  /** Include detached (resumable) sessions. @default true */
  includeDetached?: boolean;
}

/** What the host core needs from the frontend side. */
export interface FrontendGateway {
  readonly events: Emitter<FrontendGatewayEvents>;
  /**
   * Sends to one session. While the session is detached the message is buffered for replay on
   * resume. Returns false when the session does not exist (nothing is sent).
   */
  send(sessionId: string, message: FrontendDownlink): boolean;
  /** Sends to every matching session; returns how many were addressed. */
  broadcast(message: FrontendDownlink, filter?: FrontendSessionFilter): number;
  getSession(sessionId: string): FrontendSessionInfo | undefined;
  /** Matching sessions, most recently active first. */
  listSessions(filter?: FrontendSessionFilter): FrontendSessionInfo[];
  /**
   * Tells the session that an uplink it sent was refused (an `error` frame naming the uplink's
   * `seq` and `type`; nothing is replayed). Optional: a gateway without it drops the refusal.
   */
  refuse?(sessionId: string, refusal: RefusedUplink): void;
}

/** Why the host did not act on an uplink, for the sender's `error` frame. */
export interface RefusedUplink {
  code: SpindleErrorCode;
  /** A sentence a person can act on (the `[spindle]` prefix is added). */
  message: string;
  /** `seq` of the refused uplink. */
  seq?: number;
  /** `type` of the refused uplink. */
  frameType?: string;
}
