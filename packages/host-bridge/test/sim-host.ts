/**
 * A simulated host for property tests: the server side of the wire protocol's seq/ack/resume
 * rules over the fake sockets, with frames in flight that a drop loses.
 */
import type { ClientFrame, ServerFrame } from '@spindle/types';
import { DEFAULT_WIRE_LIMITS, PROTOCOL_VERSION } from '@spindle/types';
import type { FakeWebSocket } from './fake-websocket.ts';

interface Connection {
  socket: FakeWebSocket;
  /** Frames the client sent that the host has read. */
  read: number;
  /** Frames the host sent that the client has not received yet. */
  pending: ServerFrame[];
  welcomed: boolean;
}

/** What the host does with a `hello` that resumes a session it no longer has. */
export type UnknownSessionReply = 'welcome_new' | 'close_4007';

/** The host side of one client: a session resumable across connections, which can expire. */
export class SimHost {
  #sessionNo = 1;
  /** Uplink payloads the host processed, in order. */
  readonly processed: unknown[] = [];
  /** Downlink payloads the host produced, in order. */
  readonly produced: unknown[] = [];
  /** Downlink payloads produced in the current session. */
  producedInSession: unknown[] = [];
  /** Protocol violations the host saw. */
  readonly violations: string[] = [];
  /** Whether the client has seen a welcome of the session (before that, it cannot resume it). */
  #established = false;
  #lastClientSeq = 0;
  #downSeq = 0;
  #unackedDown: (ServerFrame & { seq: number })[] = [];
  #conn: Connection | undefined;

  #loseNext = false;

  /**
   * @param strict every uplink must be exactly the next `seq` (no resend of anything processed);
   *   otherwise duplicates are acked again and gaps answered with an error, as the real hub does.
   */
  constructor(
    private readonly sockets: FakeWebSocket[],
    private readonly unknownSession: UnknownSessionReply = 'welcome_new',
    private readonly strict = true,
  ) {}

  /** The next uplink read is dropped unprocessed, as the host's rate limiter does. */
  loseNext(): void {
    this.#loseNext = true;
  }

  /** Id of the current session. */
  get sessionId(): string {
    return `s-${this.#sessionNo}`;
  }

  /** The session expires (the connection drops first): its state and buffers are gone. */
  expire(): void {
    this.drop(1006);
    this.#sessionNo += 1;
    this.#established = false;
    this.#lastClientSeq = 0;
    this.#downSeq = 0;
    this.#unackedDown = [];
    this.producedInSession = [];
  }

  /** Accepts the newest socket when it is new; forgets a connection the client abandoned. */
  pump(): void {
    if (this.#conn !== undefined && this.#conn.socket.closeCalls.length > 0) this.#conn = undefined;
    const newest = this.sockets.at(-1);
    if (newest === undefined || newest.readyState !== 0 || newest.closeCalls.length > 0) return;
    this.#conn = { socket: newest, read: 0, pending: [], welcomed: false };
    newest.accept();
  }

  /** Reads up to `n` frames the client sent. */
  read(n: number): void {
    this.pump();
    const conn = this.#conn;
    if (conn === undefined) return;
    conn.socket.endTurn();
    for (let i = 0; i < n && conn.read < conn.socket.sent.length; i += 1) {
      const message = JSON.parse(conn.socket.sent[conn.read] as string) as
        | ClientFrame
        | ClientFrame[];
      conn.read += 1;
      // A batch is read frame by frame, in order, as the host does.
      for (const frame of Array.isArray(message) ? message : [message]) this.#onFrame(conn, frame);
    }
  }

  /** Delivers up to `n` frames to the client. */
  deliver(n: number): void {
    const conn = this.#conn;
    if (conn === undefined || conn.socket.readyState !== 1) return;
    for (let i = 0; i < n && conn.pending.length > 0; i += 1) {
      const frame = conn.pending.shift() as ServerFrame;
      if (frame.type === 'welcome') this.#established = true;
      conn.socket.push(frame);
    }
  }

  /** Produces a downlink; it goes out at once when connected, else on resume. */
  emit(payload: unknown): void {
    this.#downSeq += 1;
    const frame = {
      type: 'backend_message',
      extensionId: 'ext',
      payload,
      seq: this.#downSeq,
    } as const;
    this.produced.push(payload);
    this.producedInSession.push(payload);
    this.#unackedDown.push(frame);
    if (this.#conn?.welcomed) this.#conn.pending.push(frame);
  }

  /** Sends a cumulative ack for the uplinks processed so far. */
  ack(): void {
    if (this.#conn?.welcomed) this.#conn.pending.push({ type: 'ack', seq: this.#lastClientSeq });
  }

  /** Sends again every downlink from `from` on, as a confused host might. */
  replay(from: number): void {
    if (!this.#conn?.welcomed) return;
    for (const frame of this.#unackedDown) if (frame.seq >= from) this.#conn.pending.push(frame);
  }

  /** The connection drops: whatever is in flight either way is lost. */
  drop(code: number): void {
    const conn = this.#conn;
    this.#conn = undefined;
    if (conn !== undefined && conn.socket.readyState === 1) conn.socket.drop(code);
  }

  /** True while a welcomed connection exists and nothing is in flight either way. */
  get quiet(): boolean {
    const conn = this.#conn;
    conn?.socket.endTurn();
    return (
      conn?.welcomed === true && conn.pending.length === 0 && conn.read === conn.socket.sent.length
    );
  }

  #onFrame(conn: Connection, frame: ClientFrame): void {
    switch (frame.type) {
      case 'hello': {
        const stale =
          frame.resumeSessionId !== undefined && frame.resumeSessionId !== this.sessionId;
        if (stale && this.unknownSession === 'close_4007') {
          this.#conn = undefined;
          conn.socket.drop(4007, 'unknown session');
          return;
        }
        const resumed = this.#established && frame.resumeSessionId === this.sessionId;
        if (!resumed && this.#established)
          this.violations.push('client did not resume its session');
        if (resumed && frame.lastServerSeq !== undefined) this.#ackDown(frame.lastServerSeq);
        conn.welcomed = true;
        conn.pending.push({
          type: 'welcome',
          protocolVersion: PROTOCOL_VERSION,
          frontendSessionId: this.sessionId,
          userId: 'u-1',
          resumed,
          lastClientSeq: this.#lastClientSeq,
          isAdmin: false,
          extensions: [],
          limits: DEFAULT_WIRE_LIMITS,
        });
        conn.pending.push(...this.#unackedDown);
        return;
      }
      case 'ack':
        this.#ackDown(frame.seq);
        return;
      case 'ping':
        return;
      default:
        if (!conn.welcomed) {
          this.violations.push(`${frame.type} before hello`);
          return;
        }
        if (this.#loseNext) {
          this.#loseNext = false;
          return;
        }
        if (frame.seq === this.#lastClientSeq + 1) {
          this.#lastClientSeq = frame.seq;
          this.processed.push((frame as { payload?: unknown }).payload);
        } else if (this.strict) {
          // `welcome.lastClientSeq` and the acks told the client exactly where to continue.
          this.violations.push(`uplink seq ${frame.seq} after ${this.#lastClientSeq}`);
        } else if (frame.seq <= this.#lastClientSeq) {
          conn.pending.push({ type: 'ack', seq: this.#lastClientSeq });
        } else {
          conn.pending.push({
            type: 'error',
            code: 'INVALID_FRAME',
            message: `seq ${frame.seq} skips ahead`,
            seq: frame.seq,
            frameType: frame.type,
          });
        }
    }
  }

  #ackDown(seq: number): void {
    if (seq > this.#downSeq) this.violations.push(`client acked ${seq} beyond ${this.#downSeq}`);
    this.#unackedDown = this.#unackedDown.filter((frame) => frame.seq > seq);
  }
}
