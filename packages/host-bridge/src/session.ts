/**
 * What the bridge knows of its session with the host: the ids from `welcome`, the numbered
 * uplinks awaiting acks, the downlinks processed, the extension list, and the frontend processes
 * the host started here (so that a lost session can end them locally).
 */
import type {
  ExtensionInfoDTO,
  FrontendDownlink,
  FrontendUplink,
  SpindleErrorCode,
  WelcomeFrame,
  WireLimits,
} from '@spindle/types';
import { DEFAULT_WIRE_LIMITS } from '@spindle/types';
import type { DroppedEvent, SessionLostEvent } from './events.ts';
import type { InboxVerdict } from './inbox.ts';
import { Inbox } from './inbox.ts';
import type { ResolvedOptions } from './options.ts';
import type { OutboxEntry } from './outbox.ts';
import { Outbox, utf8Length } from './outbox.ts';

/** Who the host says we are. */
export interface SessionInfo {
  id: string;
  userId: string;
  isAdmin: boolean;
}

/** What a session that ended left behind. */
export interface EndedSession {
  /** Sent and never acknowledged. */
  unacked: FrontendUplink[];
  /** Frontend processes the host spawned here that had not ended. */
  liveProcesses: string[];
}

/** An uplink ready to be numbered, or the reason it cannot be sent. */
export type Prepared =
  | { ok: true; entry: OutboxEntry }
  | { ok: false; reason: DroppedEvent['reason']; code: SpindleErrorCode };

/** The outcome of a `welcome`. */
export interface Adopted {
  /** Set when a previous session was not resumed. */
  lost?: EndedSession & { previousSessionId: string; reason: SessionLostEvent['reason'] };
  /** Set when `welcome.lastClientSeq` claimed frames never sent. */
  overclaimed?: number;
}

/** The session ledger. */
export class Session {
  info: SessionInfo | undefined;
  limits: WireLimits = DEFAULT_WIRE_LIMITS;
  extensions = new Map<string, ExtensionInfoDTO>();
  readonly outbox: Outbox;
  readonly inbox: Inbox;
  readonly #live = new Set<string>();
  #written = 0;

  constructor(o: ResolvedOptions, sendAck: (seq: number) => void) {
    this.outbox = new Outbox(o.maxQueued, o.maxQueuedBytes);
    this.inbox = new Inbox(o.timers, o.ackDelayMs, o.ackEvery, sendAck);
  }

  /** Highest `seq` written to the current connection. */
  get written(): number {
    return this.#written;
  }

  /** The oldest entry not yet written to the current connection. */
  nextUnsent(): OutboxEntry | undefined {
    const entries = this.outbox.entries;
    const first = entries[0];
    if (first === undefined) return undefined;
    return entries[Math.max(0, this.#written + 1 - first.seq)];
  }

  /** Records that `seq` was written. */
  markWritten(seq: number): void {
    this.#written = Math.max(this.#written, seq);
  }

  /** Everything unacknowledged counts as unsent again. */
  rewind(): void {
    const first = this.outbox.entries[0];
    this.#written = first === undefined ? this.outbox.lastSeq : first.seq - 1;
  }

  /**
   * Numbers and encodes an uplink without storing it. It is not validated here: the SDK built
   * it, and the host validates every frame it receives (a refused one comes back as an `error`
   * frame naming its `seq`, which the bridge reports with the uplink). `JSON.stringify` proves
   * it is JSON; the size is checked so that the host never has to refuse a frame for it.
   */
  prepare(message: FrontendUplink): Prepared {
    const seq = this.outbox.nextSeq;
    let text: string;
    try {
      text = JSON.stringify({ ...message, seq });
    } catch {
      return { ok: false, reason: 'unserializable', code: 'INVALID_FRAME' };
    }
    const bytes = utf8Length(text);
    if (bytes > this.limits.maxFrameBytes) {
      return { ok: false, reason: 'too_large', code: 'FRAME_TOO_LARGE' };
    }
    if (this.outbox.wouldRefuse(bytes) !== undefined) {
      return { ok: false, reason: 'queue_full', code: 'QUEUE_FULL' };
    }
    return { ok: true, entry: { seq, message, text, bytes } };
  }

  /** Stores a prepared entry until its ack. */
  commit(entry: OutboxEntry): void {
    this.outbox.push(entry);
    if (entry.message.type === 'process_ended') this.#live.delete(entry.message.processId);
  }

  /** Takes in a `welcome`: resumes the session or starts a new one. */
  adopt(frame: WelcomeFrame, resumeEnabled: boolean): Adopted {
    const previous = this.info;
    const resumed =
      previous !== undefined && frame.resumed && frame.frontendSessionId === previous.id;
    const out: Adopted = {};
    if (previous !== undefined && !resumed) {
      const reason = resumeEnabled ? 'not_resumed' : 'resume_disabled';
      out.lost = { previousSessionId: previous.id, reason, ...this.end() };
    }
    this.info = { id: frame.frontendSessionId, userId: frame.userId, isAdmin: frame.isAdmin };
    this.limits = frame.limits;
    this.outbox.capCount(frame.limits.maxUnackedFrames);
    this.extensions = new Map(frame.extensions.map((info) => [info.identifier, info]));
    if (resumed) {
      if (!this.outbox.ack(frame.lastClientSeq)) {
        out.overclaimed = frame.lastClientSeq;
        this.outbox.ack(this.outbox.lastSeq);
      }
    }
    // A new connection has been written nothing: what the host lacks is sent from here on.
    this.rewind();
    return out;
  }

  /** Classifies a sequenced downlink and, unless it is a duplicate, records it as processed. */
  receive(seq: number): InboxVerdict {
    const verdict = this.inbox.check(seq);
    if (verdict === 'duplicate') this.inbox.reack();
    else this.inbox.processed(seq);
    return verdict;
  }

  /** Updates the extension list and the live processes from a downlink about to be delivered. */
  observe(message: FrontendDownlink): void {
    switch (message.type) {
      case 'process_spawn':
        this.#live.add(message.processId);
        return;
      case 'process_terminated':
        this.#live.delete(message.processId);
        return;
      case 'extension_state':
        this.extensions.set(message.extension.identifier, message.extension);
        return;
      case 'extension_removed':
        this.extensions.delete(message.extensionId);
        return;
      default:
    }
  }

  /** Forgets the session (lost, closed or failed); numbering restarts. */
  end(): EndedSession {
    this.info = undefined;
    this.#written = 0;
    this.inbox.reset();
    const unacked = this.outbox.reset().map((entry) => entry.message);
    const liveProcesses = [...this.#live];
    this.#live.clear();
    return { unacked, liveProcesses };
  }
}
