/**
 * Per-tick batching of branded channel traffic. The medium's per-message cost (a native IPC
 * write, a Worker `postMessage`) dominates a burst of small messages, so messages sent while
 * another already left in the same tick are queued and leave together as one branded batch.
 * The first message of a quiet tick still leaves at once: a lone message waits for nothing.
 *
 * Every message is serialized on its own when it is sent, before it joins a batch: one that
 * JSON cannot write (a `BigInt`, a cycle, nesting deeper than the stack) or that is larger than
 * `maxMessageBytes` is refused alone, and the others of its tick still leave, each exactly once.
 * With `encoding: 'text'` (the Worker medium) the text is kept and posted as it is; with
 * `'measure'` (Bun IPC, which serializes the frame itself) each message is measured by one walk
 * instead (`json-measure.ts`), with the same refusals. Either way the sizes are the byte count
 * the host holds a runtime's inbound traffic to.
 */
import { BRAND, brand } from './channel.ts';
import { measureJson } from './json-measure.ts';

/** A branded batch on the wire: several messages in order, each unbranded. */
export interface BatchFrame {
  __spindle: typeof BRAND;
  batch: unknown[];
}

/** One frame as the batcher hands it to the medium: its messages and their JSON texts. */
export interface EncodedFrame<T> {
  /** The messages, in order; exactly one for a lone message (sent unwrapped). */
  readonly messages: readonly T[];
  /** `JSON.stringify` of each message, in the same order (empty with `encoding: 'measure'`). */
  readonly texts: readonly string[];
}

/** How a batcher checks each message: by writing it (`text`) or by measuring it (`measure`). */
export type BatchEncoding = 'text' | 'measure';

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
  /** Hands one frame to the medium (see `frameValue` and `frameText`). */
  post(frame: EncodedFrame<T>): void;
  /** A message refused because it cannot be written as JSON or is too large. @default ignored */
  onUnwritable?: UnwritableReporter<T> | undefined;
  /** @default DEFAULT_BATCH_LIMITS */
  limits?: Partial<BatchLimits> | undefined;
  /** @default setImmediate */
  schedule?: TickScheduler | undefined;
  /**
   * `text`: each message is written with `JSON.stringify` and its text kept (for `frameText`);
   * `measure`: each is measured without writing it, for a medium that writes `frameValue`.
   * @default 'text'
   */
  encoding?: BatchEncoding | undefined;
}

const NO_TEXTS: readonly string[] = Object.freeze([]);

/**
 * Turns a stream of outgoing messages into frames, in order. States: `idle` (nothing sent this
 * tick: the next message leaves at once), `busy` (something left this tick: the next ones
 * queue until the scheduled flush), `closed` (everything dropped).
 */
export class Batcher<T extends object> {
  readonly #post: (frame: EncodedFrame<T>) => void;
  readonly #onUnwritable: UnwritableReporter<T> | undefined;
  readonly #limits: BatchLimits;
  readonly #schedule: TickScheduler;
  readonly #measure: boolean;
  #state: 'idle' | 'busy' | 'closed' = 'idle';
  #messages: T[] = [];
  #texts: string[] = [];
  #queuedBytes = 0;
  #sentBytes = 0;
  readonly #onTick = () => this.#tick();

  constructor(options: BatcherOptions<T>) {
    this.#post = options.post;
    this.#onUnwritable = options.onUnwritable;
    this.#limits = { ...DEFAULT_BATCH_LIMITS, ...options.limits };
    this.#schedule = options.schedule ?? setImmediate;
    this.#measure = options.encoding === 'measure';
  }

  /** Messages waiting for the next flush. */
  get pending(): number {
    return this.#messages.length;
  }

  /** Bytes of JSON of every message accepted by `send` so far (UTF-16 code units). */
  get sentBytes(): number {
    return this.#sentBytes;
  }

  /**
   * Serializes `message`, then sends it now or queues it for this tick's batch. Returns false
   * (and reports it) for a message JSON cannot write or that is too large; false once closed.
   */
  send(message: T): boolean {
    if (this.#state === 'closed') return false;
    const max = this.#limits.maxMessageBytes;
    const encoded = this.#measure ? measureJson(message, max + 1) : encode(message, max);
    if (typeof encoded === 'object') {
      this.#report(message, encoded.reason);
      return false;
    }
    const size = typeof encoded === 'number' ? encoded : encoded.length;
    if (size > max) {
      this.#report(message, `it is larger than the limit of ${max} bytes of JSON`);
      return false;
    }
    this.#sentBytes += size;
    const text = typeof encoded === 'string' ? encoded : undefined;
    if (this.#state === 'idle') {
      this.#state = 'busy';
      this.#schedule(this.#onTick);
      this.#post({ messages: [message], texts: text === undefined ? NO_TEXTS : [text] });
      return true;
    }
    if (size >= this.#limits.maxBytes) {
      this.flush();
      this.#post({ messages: [message], texts: text === undefined ? NO_TEXTS : [text] });
      return true;
    }
    if (this.#queuedBytes + size > this.#limits.maxBytes) this.flush();
    this.#messages.push(message);
    if (text !== undefined) this.#texts.push(text);
    this.#queuedBytes += size;
    if (this.#messages.length >= this.#limits.maxCount) this.flush();
    return true;
  }

  /** Posts whatever is queued, now, in order. */
  flush(): void {
    const messages = this.#messages;
    if (messages.length === 0) return;
    const texts = this.#texts;
    this.#messages = [];
    this.#texts = [];
    this.#queuedBytes = 0;
    this.#post({ messages, texts });
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
    if (this.#messages.length > 0) this.#schedule(this.#onTick);
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

/**
 * `JSON.stringify(message)`, or why it cannot be sent (a text past `maxBytes` of UTF-8 is
 * reported by its byte count). Never throws.
 */
function encode(message: object, maxBytes: number): string | { reason: string } {
  let text: string | undefined;
  try {
    text = JSON.stringify(message);
  } catch (error) {
    return { reason: describeThrown(error) };
  }
  if (typeof text !== 'string') return { reason: 'it has no JSON form' };
  if (text.length <= maxBytes && text.length * 3 > maxBytes && utf8Length(text) > maxBytes) {
    return { reason: `it is larger than the limit of ${maxBytes} bytes of JSON` };
  }
  return text;
}

/** Why a value could not be written, as text, whatever was thrown. */
function describeThrown(error: unknown): string {
  try {
    return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  } catch {
    return 'an error that cannot be printed';
  }
}

/** UTF-8 length of `text` (lone surrogates count 3 bytes, as `TextEncoder` writes them). */
function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i += 1;
    } else bytes += 3;
  }
  return bytes;
}

/** The frame as a branded value, for a medium that serializes it itself (Bun IPC). */
export function frameValue<T extends object>(frame: EncodedFrame<T>): object {
  const { messages } = frame;
  if (messages.length === 1) return brand(messages[0] as T);
  return { __spindle: BRAND, batch: messages as unknown[] } satisfies BatchFrame;
}

/** The frame as branded JSON text, built from the texts already made (the Worker medium). */
export function frameText<T extends object>(frame: EncodedFrame<T>): string {
  const { texts } = frame;
  if (texts.length === 1) {
    const text = texts[0] as string;
    // Every message is a JSON object: the brand goes in as its first member.
    return text === '{}' ? `{"__spindle":${BRAND}}` : `{"__spindle":${BRAND},${text.slice(1)}`;
  }
  return `{"__spindle":${BRAND},"batch":[${texts.join(',')}]}`;
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
 * Hands `frame` (a `frameValue`) to a medium that serializes it again itself (Bun IPC). The
 * batcher has already refused every message JSON cannot write on its own; should the frame as
 * a whole still fail (a message nested right at the engine's stack limit, two levels deeper in
 * a batch), the batch is split so that every other message still leaves, in order, and
 * `onUnwritable` hears of each one that cannot. A throw for any other reason (the peer is gone)
 * is swallowed: the peer's exit, not this write, reports the outcome. Never throws: a reporter
 * that throws is ignored, so it can neither stop the split nor escape the flush.
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
