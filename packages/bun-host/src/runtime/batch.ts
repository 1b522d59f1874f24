/**
 * Per-tick batching of branded channel traffic. The medium's per-message cost (a native IPC
 * write, a Worker `postMessage`) dominates a burst of small messages, so messages sent while
 * another already left in the same tick are queued and leave together as one branded batch.
 * The first message of a quiet tick still leaves at once: a lone message waits for nothing.
 *
 * Every message is checked on its own when it is sent, before it joins a batch: one that JSON
 * cannot write (a `BigInt`, a cycle, nesting past `MAX_MEASURED_DEPTH`) or that is larger than
 * `maxMessageBytes` is refused alone, and the others of its tick still leave, each exactly once.
 * The check is one walk (`json-measure.ts`), not a `JSON.stringify` of each message on top of
 * the medium's writing of the frame; its sizes are the byte count the host holds a runtime's
 * inbound traffic to. Should the medium still fail to write a frame, `postFrame` splits it.
 */
import { BRAND, brand } from './channel.ts';
import { measureJson } from './json-measure.ts';

/** A branded batch on the wire: several messages in order, each unbranded. */
export interface BatchFrame {
  __spindle: typeof BRAND;
  batch: unknown[];
}

/** Bounds of one batch and of one message. */
export interface BatchLimits {
  /** Messages per batch. @default 512 */
  maxCount: number;
  /** Bytes of JSON per batch; a message of this size or more always travels alone. @default 262144 */
  maxBytes: number;
  /**
   * Largest message, in bytes of JSON; a larger one is refused. The same bound as
   * `MAX_IPC_MESSAGE_BYTES` of `@spindle/types` (a test keeps them equal; the runtime bootstrap
   * must not load the validators to read it).
   * @default 16777216
   */
  maxMessageBytes: number;
}

/** @see BatchLimits */
export const DEFAULT_BATCH_LIMITS: BatchLimits = {
  maxCount: 512,
  maxBytes: 256 * 1024,
  maxMessageBytes: 16 * 1024 * 1024,
};

/** Schedules a callback after the current tick's I/O. @default setImmediate */
export type TickScheduler = (callback: () => void) => void;

/** Hears of a message refused because JSON cannot write it, with the reason as text. */
export type UnwritableReporter<T> = (message: T, reason: string) => void;

/** Options of a `Batcher`. */
export interface BatcherOptions<T> {
  /** Hands one frame (a branded message or a `BatchFrame`) to the medium. */
  post(frame: unknown): void;
  /** A message refused because it cannot be written as JSON or is too large. @default ignored */
  onUnwritable?: UnwritableReporter<T> | undefined;
  /** @default DEFAULT_BATCH_LIMITS */
  limits?: Partial<BatchLimits> | undefined;
  /** @default setImmediate */
  schedule?: TickScheduler | undefined;
}

/**
 * Turns a stream of outgoing messages into frames, in order. States: `idle` (nothing sent this
 * tick: the next message leaves at once), `busy` (something left this tick: the next ones
 * queue until the scheduled flush), `closed` (everything dropped).
 */
export class Batcher<T extends object> {
  readonly #post: (frame: unknown) => void;
  readonly #onUnwritable: UnwritableReporter<T> | undefined;
  readonly #limits: BatchLimits;
  readonly #schedule: TickScheduler;
  #state: 'idle' | 'busy' | 'closed' = 'idle';
  #queue: T[] = [];
  #queuedBytes = 0;
  #sentBytes = 0;
  readonly #onTick = () => this.#tick();

  constructor(options: BatcherOptions<T>) {
    this.#post = options.post;
    this.#onUnwritable = options.onUnwritable;
    this.#limits = { ...DEFAULT_BATCH_LIMITS, ...options.limits };
    this.#schedule = options.schedule ?? setImmediate;
  }

  /** Messages waiting for the next flush. */
  get pending(): number {
    return this.#queue.length;
  }

  /** Bytes of JSON of every message accepted by `send` so far (as `measureJson` counts them). */
  get sentBytes(): number {
    return this.#sentBytes;
  }

  /**
   * Checks `message`, then sends it now or queues it for this tick's batch. Returns false (and
   * reports it) for a message JSON cannot write or that is too large; false once closed.
   */
  send(message: T): boolean {
    if (this.#state === 'closed') return false;
    const max = this.#limits.maxMessageBytes;
    const size = measureJson(message, max + 1);
    if (typeof size !== 'number') {
      this.#report(message, size.reason);
      return false;
    }
    if (size > max) {
      this.#report(message, `it is larger than the limit of ${max} bytes of JSON`);
      return false;
    }
    this.#sentBytes += size;
    if (this.#state === 'idle') {
      this.#state = 'busy';
      this.#schedule(this.#onTick);
      this.#post(brand(message));
      return true;
    }
    if (size >= this.#limits.maxBytes) {
      this.flush();
      this.#post(brand(message));
      return true;
    }
    if (this.#queuedBytes + size > this.#limits.maxBytes) this.flush();
    this.#queue.push(message);
    this.#queuedBytes += size;
    if (this.#queue.length >= this.#limits.maxCount) this.flush();
    return true;
  }

  /** Posts whatever is queued, now, in order. */
  flush(): void {
    const queue = this.#queue;
    if (queue.length === 0) return;
    this.#queue = [];
    this.#queuedBytes = 0;
    const [only] = queue;
    if (queue.length === 1 && only !== undefined) this.#post(brand(only));
    else this.#post({ __spindle: BRAND, batch: queue } satisfies BatchFrame);
  }

  /** Flushes what is queued, then drops everything sent later. Idempotent. */
  close(): void {
    if (this.#state === 'closed') return;
    this.flush();
    this.#state = 'closed';
  }

  #tick(): void {
    if (this.#state === 'closed') return;
    this.flush();
    // A message sent while the flush was posting (a `post` that logs) waits for one more tick
    // rather than being stranded behind the next quiet tick's first message.
    if (this.#queue.length > 0) this.#schedule(this.#onTick);
    else this.#state = 'idle';
  }

  #report(message: T, reason: string): void {
    try {
      this.#onUnwritable?.(message, reason);
    } catch {
      // A reporter has nowhere to report its own failure; the other messages still leave.
    }
  }
}

/** `frame` is a `BatchFrame` (several messages), not a lone branded message. */
function isBatchFrame(frame: unknown): frame is BatchFrame {
  return (
    typeof frame === 'object' &&
    frame !== null &&
    Array.isArray((frame as { batch?: unknown }).batch) &&
    (frame as { type?: unknown }).type === undefined
  );
}

/**
 * Hands `frame` to `post`, which writes it as JSON (Bun IPC, or `JSON.stringify` for the Worker
 * medium). The batcher has already refused every message JSON cannot write as far as one walk
 * can tell; should the frame still fail (a `toJSON` or a getter that throws when written), the
 * batch is split so that every other message still leaves, in order, and `onUnwritable` hears
 * of each one that cannot. A throw for any other reason (the peer is gone) is swallowed: the
 * peer's exit, not this write, reports the outcome. Never throws: a reporter that throws is
 * ignored, so it can neither stop the split nor escape the flush.
 */
export function postFrame(
  frame: unknown,
  post: (frame: unknown) => void,
  onUnwritable: (message: unknown, error: unknown) => void,
): void {
  try {
    post(frame);
    return;
  } catch (error) {
    if (!isBatchFrame(frame)) {
      if (!isJsonWritable(frame)) report(onUnwritable, frame, error);
      return;
    }
  }
  for (const message of frame.batch) {
    const branded = brand(message as object);
    try {
      post(branded);
    } catch (error) {
      if (!isJsonWritable(branded)) report(onUnwritable, branded, error);
    }
  }
}

function report(
  onUnwritable: (message: unknown, error: unknown) => void,
  message: unknown,
  error: unknown,
): void {
  try {
    onUnwritable(message, error);
  } catch {
    // A reporter has nowhere to report its own failure; the other messages still leave.
  }
}

function isJsonWritable(value: unknown): boolean {
  try {
    JSON.stringify(value);
    return true;
  } catch {
    return false;
  }
}
