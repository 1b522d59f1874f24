/**
 * The tiny transport seam between the host core and a runtime: one adapter per medium
 * (Bun IPC, Worker) implements `Channel`. Everything on it is branded with `__spindle: 1` so
 * that data a runtime posts on the same medium by itself is told apart and refused.
 */

/** A bidirectional message channel; core logic never touches the medium behind it. */
export interface Channel<Out, In = unknown> {
  /** Sends one message; dropped once the channel is closed or the peer is gone. */
  send(message: Out): void;
  /** Registers a handler for inbound (already unbranded) messages; returns its remover. */
  onMessage(handler: (message: In) => void): () => void;
  /** Stops delivery in both directions. Idempotent. */
  close(): void;
  /**
   * Bytes of JSON accepted by `send` so far (UTF-16 code units), where the adapter serializes
   * each message itself (the host's adapters do).
   */
  readonly sentBytes?: number;
}

/** Brand value of internal traffic. */
export const BRAND = 1;

/** A branded message on the wire. */
export type Branded<T> = T & { __spindle: typeof BRAND };

/** Adds the brand to an outgoing message. */
export function brand<T extends object>(message: T): Branded<T> {
  return { ...message, __spindle: BRAND };
}

/** Result of `unbrand`: the message without its brand, or why it was refused. */
export type UnbrandResult = { ok: true; value: unknown } | { ok: false; reason: string };

/** Checks the brand of an inbound message and strips it. */
export function unbrand(raw: unknown): UnbrandResult {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, reason: `not an object (${describe(raw)})` };
  }
  const record = raw as Record<string, unknown>;
  if (record.__spindle !== BRAND) return { ok: false, reason: 'unbranded message' };
  const { __spindle: _brand, ...rest } = record;
  return { ok: true, value: rest };
}

/**
 * Checks the brand of an inbound frame and hands each message it carries to `deliver`, in
 * order: the frame itself, or every member of a batch (`{ __spindle: 1, batch: [...] }`).
 * A refused frame or batch member goes to `refuse` and delivers nothing else of itself.
 */
export function unbrandEach(
  raw: unknown,
  deliver: (message: unknown) => void,
  refuse: (reason: string) => void,
): void {
  const result = unbrand(raw);
  if (!result.ok) {
    refuse(result.reason);
    return;
  }
  const { batch } = result.value as { batch?: unknown; type?: unknown };
  if (batch === undefined || (result.value as { type?: unknown }).type !== undefined) {
    deliver(result.value);
    return;
  }
  if (!Array.isArray(batch)) {
    refuse(`batch is not an array (${describe(batch)})`);
    return;
  }
  for (const message of batch) {
    if (typeof message !== 'object' || message === null || Array.isArray(message)) {
      refuse(`batch member is not an object (${describe(message)})`);
    } else {
      deliver(message);
    }
  }
}

/**
 * Reads one frame of the Worker medium, which carries JSON text: the parsed value, or why it was
 * refused (not text, or not JSON).
 */
export function parseFrame(data: unknown): UnbrandResult {
  if (typeof data !== 'string') return { ok: false, reason: `not JSON text (${describe(data)})` };
  try {
    return { ok: true, value: JSON.parse(data) };
  } catch (error) {
    return { ok: false, reason: `not JSON text (${(error as Error).message})` };
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** A set of handlers, shared by the adapters. */
export class HandlerSet<T> {
  readonly #handlers = new Set<(value: T) => void>();

  /** Adds a handler; returns its remover. */
  add(handler: (value: T) => void): () => void {
    this.#handlers.add(handler);
    return () => {
      this.#handlers.delete(handler);
    };
  }

  /** Calls every handler; one handler throwing does not stop the others. */
  emit(value: T, onError: (error: unknown) => void): void {
    for (const handler of [...this.#handlers]) {
      try {
        handler(value);
      } catch (error) {
        onError(error);
      }
    }
  }

  /** Removes every handler. */
  clear(): void {
    this.#handlers.clear();
  }
}
