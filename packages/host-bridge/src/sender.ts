/**
 * Writes numbered uplinks to the socket, the uplinks of one turn batched into one WebSocket
 * message (`wire-protocol.ts`): paced below the host's `maxFramesPerSecond` (the host
 * drops frames over it), and re-sent from the oldest unacknowledged one when the host reports a
 * gap or a rate-limit drop, or when acks stop coming (`resendAfterMs`). The host drops a `seq`
 * it already processed, so re-sending is always safe.
 */
import { type ClientFrame, MAX_BATCH_FRAMES, type WireLimits } from '@spindle/types';
import type { ResolvedOptions } from './options.ts';
import type { Session } from './session.ts';

/** Share of the host's `maxFramesPerSecond` the bridge uses, leaving room for acks and pings. */
export const PACING_SHARE = 0.9;

/**
 * How many WebSocket messages a full unacknowledged window is split into at least. The host
 * acknowledges each message once it has processed it, so with the window spread over several
 * messages the acks of the first come back while the later ones are still on their way: the
 * bridge refills while the host works, instead of the two taking turns over one large batch.
 */
export const BATCHES_PER_WINDOW = 8;

/**
 * Most frames the bridge puts in one WebSocket message under `limits`: `MAX_BATCH_FRAMES`, and
 * at most `1 / BATCHES_PER_WINDOW` of the host's `maxUnackedFrames` (128 at the defaults).
 */
export function batchFrameCap(limits: Pick<WireLimits, 'maxUnackedFrames'>): number {
  const share = Math.floor(limits.maxUnackedFrames / BATCHES_PER_WINDOW);
  return Math.max(1, Math.min(MAX_BATCH_FRAMES, share));
}

/** Token bucket: `rate` tokens per second, at most `capacity` saved up. */
export class TokenBucket {
  #tokens: number;
  #at: number;

  constructor(
    private readonly rate: number,
    private readonly capacity: number,
    private readonly now: () => number,
  ) {
    this.#tokens = capacity;
    this.#at = now();
  }

  /**
   * Takes a token if one is available. `refill: false` skips reading the clock, for the second
   * and later frames of one batch.
   */
  take(refill = true): boolean {
    if (refill || this.#tokens < 1) this.#refill();
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Milliseconds until the next token (at least 1). */
  msUntilToken(): number {
    this.#refill();
    return Math.max(1, Math.ceil(((1 - this.#tokens) * 1000) / this.rate));
  }

  #refill(): void {
    const now = this.now();
    this.#tokens = Math.min(this.capacity, this.#tokens + ((now - this.#at) * this.rate) / 1000);
    this.#at = now;
  }
}

/** The paced, self-healing writer of one connection's uplinks. */
export class Sender {
  #bucket: TokenBucket | undefined;
  #write: ((text: string) => void) | undefined;
  #maxFrameBytes = 0;
  #maxBatchFrames = 1;
  #pumpTimer: unknown;
  #resendTimer: unknown;
  /** Something was written in this turn: later uplinks wait for the turn's end, then go as one batch. */
  #busy = false;
  /** Highest `seq` written when the last rewind happened; older gap reports are stale. */
  #rewindMark = 0;
  readonly #endOfTurn = () => {
    this.#busy = false;
    this.#flush();
  };

  constructor(
    private readonly o: ResolvedOptions,
    private readonly session: Session,
  ) {}

  /** A connection was welcomed: write through `write`, paced by the host's limits. */
  attach(write: (text: string) => void, limits: WireLimits): void {
    this.detach();
    this.#write = write;
    this.#maxFrameBytes = limits.maxFrameBytes;
    this.#maxBatchFrames = batchFrameCap(limits);
    const perSecond = Math.max(1, limits.maxFramesPerSecond);
    this.#bucket = new TokenBucket(perSecond * PACING_SHARE, perSecond, () => this.o.timers.now());
    this.#rewindMark = this.session.written;
    this.pump();
  }

  /** The connection is gone: stop writing and clear the timers. */
  detach(): void {
    this.#write = undefined;
    this.#bucket = undefined;
    this.#busy = false;
    this.#clear('pump');
    this.#clear('resend');
  }

  /**
   * Writes what is unsent. The first uplink of a turn leaves at once (a lone message waits for
   * nothing); uplinks sent later in the same turn leave together, as one batch, when the turn
   * ends. Tokens pace it all; without one it waits for the next.
   */
  pump(): void {
    if (this.#write === undefined || this.#busy) return;
    this.#flush();
    this.#busy = true;
    this.o.timers.queueMicrotask(this.#endOfTurn);
  }

  /** Writes a control frame at once; it still uses up a token when one is there. */
  control(frame: ClientFrame): void {
    if (this.#write === undefined) return;
    this.#bucket?.take();
    this.#write(JSON.stringify(frame));
  }

  /** The host acknowledged something: the resend clock starts over. */
  progressed(): void {
    this.#clear('resend');
    this.#armResend();
  }

  /**
   * The host reports that frames went missing (a gap at `seq`, or rate-limit drops when `seq`
   * is undefined): send everything unacknowledged again. A report about a frame written before
   * the last rewind is stale, since that rewind already covers it.
   */
  rewind(seq?: number): void {
    if (this.#write === undefined) return;
    if (seq !== undefined && seq <= this.#rewindMark) return;
    this.#rewindMark = this.session.outbox.lastSeq;
    this.session.rewind();
    this.#clear('resend');
    this.pump();
  }

  /**
   * Writes every unsent uplink the tokens allow, as few messages as `maxFrameBytes` and
   * `batchFrameCap` allow. An ack owed for downlinks rides along in the first one.
   */
  #flush(): void {
    const write = this.#write;
    const bucket = this.#bucket;
    if (write === undefined || bucket === undefined || this.#pumpTimer !== undefined) return;
    let batch: string[] = [];
    let bytes = 2;
    const out = () => {
      if (batch.length === 0) return;
      write(batch.length === 1 ? (batch[0] as string) : `[${batch.join(',')}]`);
      batch = [];
      bytes = 2;
    };
    for (
      let entry = this.session.nextUnsent();
      entry !== undefined;
      entry = this.session.nextUnsent()
    ) {
      if (!bucket.take(batch.length === 0)) {
        this.#pumpTimer = this.o.timers.setTimeout(() => {
          this.#pumpTimer = undefined;
          this.pump();
        }, bucket.msUntilToken());
        break;
      }
      if (batch.length === 0 && this.session.inbox.ackOwed && bucket.take(false)) {
        const ack = JSON.stringify({ type: 'ack', seq: this.session.inbox.takeAck() });
        batch.push(ack);
        bytes += ack.length;
      }
      const size = entry.bytes + (batch.length > 0 ? 1 : 0);
      if (
        batch.length > 0 &&
        (bytes + size > this.#maxFrameBytes || batch.length >= this.#maxBatchFrames)
      ) {
        out();
      }
      bytes += entry.bytes + (batch.length > 0 ? 1 : 0);
      batch.push(entry.text);
      this.session.markWritten(entry.seq);
    }
    out();
    this.#armResend();
  }

  #armResend(): void {
    if (this.#resendTimer !== undefined || this.session.outbox.entries.length === 0) return;
    if (this.session.written < this.session.outbox.entries[0]!.seq) return;
    this.#resendTimer = this.o.timers.setTimeout(() => {
      this.#resendTimer = undefined;
      this.rewind();
    }, this.o.resendAfterMs);
  }

  #clear(which: 'pump' | 'resend'): void {
    const handle = which === 'pump' ? this.#pumpTimer : this.#resendTimer;
    if (handle === undefined) return;
    this.o.timers.clearTimeout(handle);
    if (which === 'pump') this.#pumpTimer = undefined;
    else this.#resendTimer = undefined;
  }
}
