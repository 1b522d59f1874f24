/**
 * `FrontendHub`: the transport-free core of the frontend side. It keeps every frontend session,
 * numbers and buffers downlinks until they are acknowledged, replays them on resume, drops
 * replayed uplinks, checks that a session may use what its frames name, and tells the rest of
 * the host about it through `FrontendGateway` events. Sockets live in `../server/`; the hub
 * only sees a sink function per connection.
 */
import {
  type ClientFrame,
  DEFAULT_WIRE_LIMITS,
  type ExtensionInfoDTO,
  type FrontendDownlink,
  PROTOCOL_VERSION,
  SpindleError,
  type WelcomeFrame,
  WIRE_CLOSE_CODES,
  type WireLimits,
} from '@spindle/types';
import type { Emitter } from 'mitt';
import { rateLimitedErrorReporter } from '../util/limited-loggers.ts';
import type { AuthorityPolicy } from './authority.ts';
import { type HubClock, systemClock } from './clock.ts';
import { type PreparedDownlink, prepareDownlink } from './downlink.ts';
import { createEmitter } from './emitter.ts';
import { rememberFrameJson } from './frame-json.ts';
import type {
  FrontendGateway,
  FrontendGatewayEvents,
  FrontendSessionFilter,
  FrontendSessionInfo,
  RefusedUplink,
} from './gateway.ts';
import type {
  FrontendHubOptions,
  OpenSessionRequest,
  OpenSessionResult,
  SessionConnection,
} from './hub-types.ts';
import { handleClientFrame, handleRejectedSeq, type InboundContext } from './inbound.ts';
import { type ConnectionControl, type FrameSink, HubSession } from './session.ts';
import { errorFrame, matches } from './session-filter.ts';
import {
  DEFAULT_SESSION_CAPS,
  EVICTED,
  roomFor,
  type SessionCaps,
  sessionLimitRefusal,
} from './session-limits.ts';
import { UplinkAcks } from './uplink-acks.ts';

/** Default of `FrontendHubOptions.ackDelayMs`. */
export const DEFAULT_HUB_ACK_DELAY_MS = 5;
/** Default of `FrontendHubOptions.ackEvery`. */
export const DEFAULT_HUB_ACK_EVERY = 64;
/** Default of `FrontendHubOptions.maxUnackedBytes`: 32 MiB. */
export const DEFAULT_MAX_UNACKED_BYTES = 32 * 1024 * 1024;

export type {
  FrontendHubOptions,
  OpenSessionRequest,
  OpenSessionResult,
  SessionConnection,
} from './hub-types.ts';

/** Close code for a normal close. */
const NORMAL_CLOSURE = 1000;

/** The frontend side of the host, minus the sockets. */
export class FrontendHub implements FrontendGateway {
  readonly events: Emitter<FrontendGatewayEvents> = createEmitter<FrontendGatewayEvents>();
  /** Effective limits. */
  readonly limits: WireLimits;
  #sessions = new Map<string, HubSession>();
  #clock: HubClock;
  #policy: AuthorityPolicy;
  #describe: ((info: ExtensionInfoDTO) => ExtensionInfoDTO) | undefined;
  #createSessionId: () => string;
  #reportError: (error: unknown) => void;
  #nextAttachment = 1;
  #ackDelayMs: number;
  #ackEvery: number;
  readonly #maxUnackedBytes: number;
  readonly #caps: SessionCaps;
  /** Time of the message being handled (`SessionConnection.message`): one clock read for all its frames. */
  #messageNow: number | undefined;
  readonly #inbound: InboundContext = {
    now: () => this.#messageNow ?? this.#clock.now(),
    policy: () => this.#policy,
    ack: (session) => session.acks?.processed(),
    emitUplink: (session, message) => this.#emit('uplink', { session: session.info, message }),
  };

  constructor(options: FrontendHubOptions = {}) {
    this.limits = { ...DEFAULT_WIRE_LIMITS, ...options.limits };
    this.#clock = options.clock ?? systemClock;
    this.#policy = {
      extensionExists: options.extensionExists ?? (() => true),
      isEnabled: options.isEnabled ?? (() => true),
      authorizeProcessFrame: options.authorizeProcessFrame ?? (() => true),
    };
    this.#createSessionId = options.createSessionId ?? (() => crypto.randomUUID());
    // Runtimes decide what the hub reports (downlinks that cannot go out): one line per kind and
    // window, then a summary.
    this.#reportError = rateLimitedErrorReporter(
      options.reportError ?? ((error) => console.error(error)),
      this.#clock,
    );
    this.#ackDelayMs = options.ackDelayMs ?? DEFAULT_HUB_ACK_DELAY_MS;
    this.#ackEvery = options.ackEvery ?? DEFAULT_HUB_ACK_EVERY;
    this.#maxUnackedBytes = options.maxUnackedBytes ?? DEFAULT_MAX_UNACKED_BYTES;
    if (!(this.#maxUnackedBytes >= this.limits.maxFrameBytes)) {
      throw new SpindleError(
        'INVALID_OPTIONS',
        `maxUnackedBytes (${this.#maxUnackedBytes}) must be at least maxFrameBytes (${this.limits.maxFrameBytes})`,
      );
    }
    this.#caps = {
      maxSessions: options.maxSessions ?? DEFAULT_SESSION_CAPS.maxSessions,
      maxSessionsPerUser: options.maxSessionsPerUser ?? DEFAULT_SESSION_CAPS.maxSessionsPerUser,
    };
  }

  /** Installs process supervision's ownership check (replaces the previous one). */
  setProcessAuthorizer(authorize: AuthorityPolicy['authorizeProcessFrame']): void {
    this.#policy.authorizeProcessFrame = authorize;
  }

  /** Installs the extension checks (for a hub created before the host it serves). */
  setExtensionPolicy(policy: Pick<AuthorityPolicy, 'extensionExists' | 'isEnabled'>): void {
    this.#policy.extensionExists = policy.extensionExists;
    this.#policy.isEnabled = policy.isEnabled;
  }

  /**
   * Rewrites the extension of every `extension_state` downlink before it is sent (the server
   * installs one that sets the versioned `frontendUrl`). Pass `undefined` to remove it.
   */
  setExtensionDescriber(
    describe: ((info: ExtensionInfoDTO) => ExtensionInfoDTO) | undefined,
  ): void {
    this.#describe = describe;
  }

  /**
   * Starts or resumes a session for an authenticated connection. On success the welcome and then
   * every unacknowledged downlink after `lastServerSeq` have been handed to `sink`. A resume of a
   * session that is unknown, expired or another user's is refused with `SESSION_UNKNOWN`.
   */
  open(
    request: OpenSessionRequest,
    sink: FrameSink,
    control?: ConnectionControl,
  ): OpenSessionResult {
    const now = this.#clock.now();
    const attachment = { id: this.#nextAttachment++, sink, control };
    const limits = { ...this.limits, ...request.limits };
    let session: HubSession;
    let resumed = false;

    if (request.resumeSessionId !== undefined) {
      const found = this.#sessions.get(request.resumeSessionId);
      if (!found || found.state === 'closed' || found.userId !== request.userId) {
        return {
          ok: false,
          closeCode: WIRE_CLOSE_CODES.SESSION_UNKNOWN,
          code: 'NO_FRONTEND_SESSION',
          reason: `session ${request.resumeSessionId} is unknown or expired: reconnect without resumeSessionId`,
        };
      }
      session = found;
      resumed = true;
      const previous = session.attachment;
      session.transition('connected');
      // Admin rights can be lost between connections, never gained by resuming.
      session.isAdmin = session.isAdmin && request.isAdmin === true;
      session.outbound.ack(Math.max(0, request.lastServerSeq ?? 0));
      session.attach(attachment);
      if (session.graceTimer !== undefined) this.#clock.clearTimeout(session.graceTimer);
      session.graceTimer = undefined;
      session.acks?.cancel();
      if (previous) {
        previous.control?.close(
          WIRE_CLOSE_CODES.SESSION_TAKEN_OVER,
          'another connection resumed this session',
        );
        this.#emit('session_detached', session.info);
      }
    } else {
      const room = roomFor(request.userId, this.#sessions.values(), this.#caps);
      if (!room.ok) return sessionLimitRefusal(room.reason);
      for (const old of room.evict) this.#close(old, NORMAL_CLOSURE, EVICTED);
      session = new HubSession({
        id: this.#createSessionId(),
        userId: request.userId,
        isAdmin: request.isAdmin === true,
        now,
        maxUnackedFrames: this.limits.maxUnackedFrames,
        maxUnackedBytes: this.#maxUnackedBytes,
      });
      const created = session;
      created.acks = new UplinkAcks(this.#clock, this.#ackDelayMs, this.#ackEvery, () => {
        if (created.state === 'connected') {
          created.deliver({ type: 'ack', seq: created.inbound.lastProcessed });
        }
      });
      session.attach(attachment);
      this.#sessions.set(session.id, session);
    }
    session.lastActiveAt = now;

    const welcome: WelcomeFrame = {
      type: 'welcome',
      protocolVersion: PROTOCOL_VERSION,
      frontendSessionId: session.id,
      userId: session.userId,
      resumed,
      lastClientSeq: session.inbound.lastProcessed,
      isAdmin: session.isAdmin,
      extensions: request.extensions ?? [],
      limits,
    };
    session.deliver(welcome);
    session.pump();
    this.#emit(resumed ? 'session_resumed' : 'session_opened', session.info);

    const hub = this;
    const isCurrent = () =>
      session.state === 'connected' && session.attachment?.id === attachment.id;
    const connection: SessionConnection = {
      sessionId: session.id,
      get active() {
        return isCurrent();
      },
      receive(frame) {
        if (isCurrent()) hub.#handle(session, frame);
      },
      rejected(seq) {
        if (isCurrent()) handleRejectedSeq(hub.#inbound, session, seq);
      },
      message(run) {
        const outer = hub.#messageNow;
        hub.#messageNow = hub.#clock.now();
        try {
          const acks = session.acks;
          if (acks) acks.hold(run);
          else run();
        } finally {
          hub.#messageNow = outer;
        }
      },
      drain() {
        if (!isCurrent()) return;
        session.congested = false;
        session.pump();
      },
      detach() {
        if (isCurrent()) hub.#detach(session);
      },
    };
    return { ok: true, sessionId: session.id, resumed, welcome, connection };
  }

  /** Hands a validated client frame to the session's current connection. */
  receive(sessionId: string, frame: ClientFrame): void {
    const session = this.#sessions.get(sessionId);
    if (session?.state === 'connected') this.#handle(session, frame);
  }

  /** The session's socket closed: keep it `resumeGraceMs` for a resume, then close it. */
  detach(sessionId: string): void {
    const session = this.#sessions.get(sessionId);
    if (session?.state === 'connected') this.#detach(session);
  }

  /** Ends a session for good (its socket, if any, is closed with `code`). */
  close(
    sessionId: string,
    code: number = NORMAL_CLOSURE,
    reason = 'session closed by the host',
  ): void {
    const session = this.#sessions.get(sessionId);
    if (session) this.#close(session, code, reason);
  }

  /** Ends every session (host shutdown). */
  closeAll(
    code: number = WIRE_CLOSE_CODES.HOST_SHUTDOWN,
    reason = 'the host is shutting down: reconnect when it is back',
  ): void {
    for (const session of [...this.#sessions.values()]) this.#close(session, code, reason);
  }

  /**
   * Also false (and reported through `reportError`) for a message that is not JSON-serializable
   * or would exceed `maxFrameBytes`: the browser could never acknowledge it.
   */
  send(sessionId: string, message: FrontendDownlink): boolean {
    if (!this.#sessions.has(sessionId)) return false;
    const prepared = this.#prepare(message);
    return prepared !== undefined && this.#send(sessionId, prepared.message, prepared.json);
  }

  /** Same checks as `send`, made once for all sessions. */
  broadcast(message: FrontendDownlink, filter?: FrontendSessionFilter): number {
    const prepared = this.#prepare(message);
    if (prepared === undefined) return 0;
    let addressed = 0;
    for (const session of [...this.#sessions.values()]) {
      if (matches(session, filter) && this.#send(session.id, prepared.message, prepared.json)) {
        addressed += 1;
      }
    }
    return addressed;
  }

  #prepare(message: FrontendDownlink): PreparedDownlink | undefined {
    const result = prepareDownlink(message, this.#describe, this.limits.maxFrameBytes);
    if (result.error !== undefined) this.#reportError(result.error);
    return result.prepared;
  }

  #send(sessionId: string, message: FrontendDownlink, json: string): boolean {
    const session = this.#sessions.get(sessionId);
    if (!session || session.state === 'closed') return false;
    if (message.type === 'runtime_stats' && !(session.isAdmin && session.statsSubscribed)) {
      return false;
    }
    const frame = session.outbound.push(message, json.length);
    if (!frame) {
      const held = session.outbound.describeFull(json.length);
      const reason = `session ${session.id} left ${held} unacknowledged: it was ended to bound host memory; start a new session`;
      session.deliver({ type: 'error', code: 'QUEUE_FULL', message: `[spindle] ${reason}` });
      this.#close(session, WIRE_CLOSE_CODES.SESSION_OVERFLOW, reason);
      return false;
    }
    if (message.type === 'extension_removed') session.mounted.delete(message.extensionId);
    if (
      session.state === 'connected' &&
      !session.congested &&
      session.deliveredSeq === frame.seq - 1
    ) {
      rememberFrameJson(frame, json, frame.seq);
    }
    session.pump();
    return true;
  }

  getSession(sessionId: string): FrontendSessionInfo | undefined {
    return this.#sessions.get(sessionId)?.info;
  }

  listSessions(filter?: FrontendSessionFilter): FrontendSessionInfo[] {
    return [...this.#sessions.values()]
      .filter((session) => matches(session, filter))
      .sort((a, b) => b.lastActiveAt - a.lastActiveAt)
      .map((session) => session.info);
  }

  /**
   * An `error` frame to the session's current connection, for an uplink the host refused after
   * the hub accepted it (its runtime is busy, its extension inactive). Dropped while detached:
   * the uplink was acknowledged, and the error is no downlink to replay.
   */
  refuse(sessionId: string, refusal: RefusedUplink): void {
    const session = this.#sessions.get(sessionId);
    if (session?.state !== 'connected') return;
    session.deliver(
      errorFrame(refusal.code, refusal.message, { type: refusal.frameType, seq: refusal.seq }),
    );
  }

  /** Unacknowledged downlinks kept for a session (0 for an unknown one). */
  pendingCount(sessionId: string): number {
    return this.#sessions.get(sessionId)?.outbound.size ?? 0;
  }

  #handle(session: HubSession, frame: ClientFrame): void {
    handleClientFrame(this.#inbound, session, frame);
  }

  #detach(session: HubSession): void {
    session.transition('detached');
    session.attachment = undefined;
    // The welcome of a resume carries `lastClientSeq`, which acknowledges the same.
    session.acks?.cancel();
    session.graceTimer = this.#clock.setTimeout(() => {
      session.graceTimer = undefined;
      this.#close(session, NORMAL_CLOSURE, 'resume window expired');
    }, this.limits.resumeGraceMs);
    this.#emit('session_detached', session.info);
  }

  #close(session: HubSession, code: number, reason: string): void {
    if (session.state === 'closed') return;
    const attachment = session.attachment;
    // State first: closing the socket may call back into `detach` synchronously.
    session.transition('closed');
    session.closeReason = reason;
    session.attachment = undefined;
    if (session.graceTimer !== undefined) this.#clock.clearTimeout(session.graceTimer);
    session.graceTimer = undefined;
    session.acks?.cancel();
    this.#sessions.delete(session.id);
    try {
      attachment?.control?.close(code, reason);
    } catch (error) {
      this.#reportError(error);
    }
    this.#emit('session_closed', session.info);
  }

  #emit<K extends keyof FrontendGatewayEvents>(type: K, event: FrontendGatewayEvents[K]): void {
    try {
      this.events.emit(type, event);
    } catch (error) {
      this.#reportError(error);
    }
  }
}
