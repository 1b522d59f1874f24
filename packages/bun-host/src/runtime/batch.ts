/**
 * Per-tick batching of branded channel traffic. The medium's per-message cost (a native IPC
 * write, a Worker `postMessage`) dominates a burst of small messages, so messages sent while
 * another already left in the same tick are queued and leave together as one branded batch.
 * The first message of a quiet tick still leaves at once: a lone message waits for nothing.
 */
import { BRAND, brand } from './channel.ts';

/** A branded batch on the wire: several messages in order, each unbranded. */
export interface BatchFrame {
  __spindle: typeof BRAND;
  batch: unknown[];
}

/** Bounds of one batch. */
export interface BatchLimits {
  /** Messages per batch. @default 512 */
  maxCount: number;
  /**
   * Estimated bytes per batch; a message estimated at this or more always travels alone.
   * @default 262144
   */
  maxBytes: number;
}

/** @see BatchLimits */
export const DEFAULT_BATCH_LIMITS: BatchLimits = { maxCount: 512, maxBytes: 256 * 1024 };

/** Schedules a callback after the current tick's I/O. @default setImmediate */
export type TickScheduler = (callback: () => void) => void;

/** Options of a `Batcher`. */
export interface BatcherOptions {
  /** Hands one frame (a branded message or a `BatchFrame`) to the medium. */
  post(frame: unknown): void;
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
  readonly #limits: BatchLimits;
  readonly #schedule: TickScheduler;
  #state: 'idle' | 'busy' | 'closed' = 'idle';
  #queue: T[] = [];
  #queuedBytes = 0;
  readonly #onTick = () => this.#tick();

  constructor(options: BatcherOptions) {
    this.#post = options.post;
    this.#limits = { ...DEFAULT_BATCH_LIMITS, ...options.limits };
    this.#schedule = options.schedule ?? setImmediate;
  }

  /** Messages waiting for the next flush. */
  get pending(): number {
    return this.#queue.length;
  }

  /** Sends `message` now, or queues it for this tick's batch. Dropped once closed. */
  send(message: T): void {
    if (this.#state === 'closed') return;
    if (this.#state === 'idle') {
      this.#state = 'busy';
      this.#schedule(this.#onTick);
      this.#post(brand(message));
      return;
    }
    const size = estimateSize(message, this.#limits.maxBytes);
    if (size >= this.#limits.maxBytes) {
      this.flush();
      this.#post(brand(message));
      return;
    }
    if (this.#queuedBytes + size > this.#limits.maxBytes) this.flush();
    this.#queue.push(message);
    this.#queuedBytes += size;
    if (this.#queue.length >= this.#limits.maxCount) this.flush();
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
 * Hands `frame` to `post`; when that throws because a message in it cannot be written as JSON
 * (a `BigInt`, a cycle), the batch is split so that every other message still leaves, in order,
 * and `onUnwritable` hears of each one that cannot. A throw for any other reason (the peer is
 * gone) is swallowed: the peer's exit, not this write, reports the outcome. Never throws: a
 * reporter that throws is ignored, so it can neither stop the split nor escape the flush.
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

/**
 * A cheap upper-bound-ish estimate of a value's JSON size (string lengths in UTF-16 units plus
 * punctuation), walked only until it reaches `limit`, so a huge value costs no more than a small
 * one to classify.
 */
export function estimateSize(value: unknown, limit: number): number {
  return walk(value, 0, limit, 0);
}

/** Nesting handled by recursion; deeper values continue on an explicit stack. */
const MAX_RECURSION = 16;

/** `total` plus the estimate of `item`; the hot path (no allocation for everyday messages). */
function walk(item: unknown, total: number, limit: number, depth: number): number {
  switch (typeof item) {
    case 'string':
      return total + item.length + 2;
    case 'number':
    case 'boolean':
    case 'bigint':
      return total + 8;
    case 'object': {
      if (item === null) return total + 4;
      if (depth >= MAX_RECURSION) return estimateDeep(item, limit, total);
      let sum = total;
      if (Array.isArray(item)) {
        sum += 2 + item.length;
        for (const element of item) {
          if (sum >= limit) break;
          sum = walk(element, sum, limit, depth + 1);
        }
      } else {
        sum += 2;
        for (const key in item) {
          if (sum >= limit) break;
          sum = walk(
            (item as Record<string, unknown>)[key],
            sum + key.length + 4,
            limit,
            depth + 1,
          );
        }
      }
      return sum;
    }
    default:
      return total + 4;
  }
}

/** The same estimate over an explicit stack, for values nested deeper than `MAX_RECURSION`. */
function estimateDeep(value: unknown, limit: number, start: number): number {
  let total = start;
  const stack: unknown[] = [value];
  while (stack.length > 0 && total < limit) {
    const item = stack.pop();
    switch (typeof item) {
      case 'string':
        total += item.length + 2;
        break;
      case 'number':
      case 'boolean':
      case 'bigint':
        total += 8;
        break;
      case 'object':
        if (item === null) {
          total += 4;
        } else if (Array.isArray(item)) {
          total += 2 + item.length;
          for (const element of item) {
            if (total >= limit) break;
            stack.push(element);
          }
        } else {
          total += 2;
          for (const key in item) {
            if (total >= limit) break;
            total += key.length + 4;
            stack.push((item as Record<string, unknown>)[key]);
          }
        }
        break;
      default:
        total += 4;
    }
  }
  return total;
}
