/**
 * One frontend session as the hub keeps it: an explicit state machine
 * (`connected ⇄ detached → closed`), the reliable channel of both directions, and the live
 * `FrontendSessionInfo` view handed to the rest of the host.
 */
import type { FrontendDownlink, ServerFrame } from '@spindle/types';
import type { TimerHandle } from './clock.ts';
import type { FrontendSessionInfo } from './gateway.ts';
import { InboundCursor, OutboundWindow } from './reliable-channel.ts';
import type { UplinkAcks } from './uplink-acks.ts';

/** States of a hub session. */
export type HubSessionState = 'connected' | 'detached' | 'closed';

/** Allowed transitions; `connected → connected` is a takeover by a newer connection. */
const TRANSITIONS: Record<HubSessionState, readonly HubSessionState[]> = {
  connected: ['connected', 'detached', 'closed'],
  detached: ['connected', 'closed'],
  closed: [],
};

/**
 * Receives the frames of one connection. Returning `false` says the socket is congested: the hub
 * stops handing it sequenced frames (they stay buffered) until the connection calls `drain()`.
 * Small control frames (`ack`, `pong`, `error`) are still handed over.
 */
// biome-ignore lint/suspicious/noConfusingVoidType: a sink that never reports congestion returns nothing.
export type FrameSink = (frame: ServerFrame) => boolean | void;

/** Lets the hub end a connection it no longer wants (takeover, overflow, close). */
export interface ConnectionControl {
  /** Close the socket with a `WIRE_CLOSE_CODES` value and a reason a person can act on. */
  close(code: number, reason: string): void;
  /**
   * Runs `run` and sends the frames it hands to the sink as one WebSocket message (a batch)
   * where they fit. Optional: without it every frame is its own message.
   */
  batch?(run: () => void): void;
}

/** The socket currently carrying a session. */
export interface Attachment {
  readonly id: number;
  readonly sink: FrameSink;
  readonly control: ConnectionControl | undefined;
}

/** Mutable session record; only the hub changes it. */
export class HubSession {
  readonly id: string;
  readonly userId: string;
  isAdmin: boolean;
  readonly mounted = new Set<string>();
  readonly outbound: OutboundWindow<FrontendDownlink>;
  readonly inbound = new InboundCursor();
  readonly info: FrontendSessionInfo;
  lastActiveAt: number;
  statsSubscribed = false;
  closeReason: string | undefined;
  attachment: Attachment | undefined;
  /** Highest `seq` handed to the current attachment. */
  deliveredSeq = 0;
  /** The current attachment asked for a pause (see `FrameSink`). */
  congested = false;
  graceTimer: TimerHandle | undefined;
  /** The ack owed for processed uplinks; set by the hub right after construction. */
  acks: UplinkAcks | undefined;
  #state: HubSessionState = 'connected';

  constructor(init: {
    id: string;
    userId: string;
    isAdmin: boolean;
    now: number;
    maxUnackedFrames: number;
    /** @default unbounded */
    maxUnackedBytes?: number;
  }) {
    this.id = init.id;
    this.userId = init.userId;
    this.isAdmin = init.isAdmin;
    this.lastActiveAt = init.now;
    this.outbound = new OutboundWindow(init.maxUnackedFrames, init.maxUnackedBytes);
    const session = this;
    this.info = {
      get sessionId() {
        return session.id;
      },
      get userId() {
        return session.userId;
      },
      get isAdmin() {
        return session.isAdmin;
      },
      get mountedExtensions(): ReadonlySet<string> {
        return session.mounted;
      },
      get lastActiveAt() {
        return session.lastActiveAt;
      },
      get connected() {
        return session.state === 'connected';
      },
      get closeReason() {
        return session.closeReason;
      },
    };
  }

  get state(): HubSessionState {
    return this.#state;
  }

  /** Moves to `next`; throws on a transition the table does not allow (a hub bug). */
  transition(next: HubSessionState): void {
    if (!TRANSITIONS[this.#state].includes(next)) {
      throw new Error(`[spindle] session ${this.id} cannot go from ${this.#state} to ${next}`);
    }
    this.#state = next;
  }

  /** Hands a control frame (or the welcome) to the attached socket. */
  deliver(frame: ServerFrame): void {
    const sink = this.attachment?.sink;
    if (!sink) return;
    try {
      if (sink(frame) === false) this.congested = true;
    } catch {
      // The server adapter reports its own socket failures through `detach`.
    }
  }

  /** Starts a new attachment: nothing delivered to it yet beyond what the client acknowledged. */
  attach(attachment: Attachment): void {
    this.attachment = attachment;
    this.deliveredSeq = this.outbound.ackedSeq;
    this.congested = false;
  }

  /**
   * Hands buffered downlinks to the socket, in order, until it is congested or all are out. An
   * owed ack goes first, in the same WebSocket message, so it costs the client no message of
   * its own.
   */
  pump(): void {
    const attachment = this.attachment;
    if (!attachment || this.congested || this.state !== 'connected') return;
    if (!this.outbound.get(this.deliveredSeq + 1)) return;
    const run = () => {
      this.acks?.flush();
      while (this.attachment === attachment && !this.congested && this.state === 'connected') {
        const frame = this.outbound.get(this.deliveredSeq + 1);
        if (!frame) return;
        this.deliveredSeq = frame.seq;
        this.deliver(frame);
      }
    };
    const batch = attachment.control?.batch;
    if (batch) batch.call(attachment.control, run);
    else run();
  }
}
