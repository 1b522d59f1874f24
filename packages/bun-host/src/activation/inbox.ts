/**
 * Work for one extension's runtime that arrives while it is not running (docs/operations.md,
 * "Activation and hibernation"): kept in a queue bounded in count and, when given, in bytes
 * (docs/limits.md) while the runtime starts, restarts or is woken from `hibernated`, then
 * delivered once, in order, when it runs. Each item is delivered
 * exactly once or refused exactly once (queue full, the extension disabled or failed, the
 * activation refused), never both.
 */
import type { ExtensionStateDTO } from '@spindle/types';

/** States in which work waits instead of being refused. */
const WAITING: ReadonlySet<ExtensionStateDTO> = new Set([
  'hibernated',
  'starting',
  'restarting',
  'stopping',
]);

/** What an inbox needs. */
export interface ActivationInboxOptions<T> {
  /** Items kept at most; one more is refused. */
  limit: number;
  /** Bytes kept at most, as `sizeOf` counts them; one more is refused. @default unbounded */
  maxBytes?: number;
  /** Bytes of one item. @default 0 */
  sizeOf?(item: T): number;
  /** Names the byte bound in refusals. @default "bytes" */
  bytesLabel?: string;
  /** The extension's state now. */
  state(): ExtensionStateDTO;
  /** Hands an item to the running runtime. */
  deliver(item: T): void;
  /** An item waits for a runtime that nothing is starting: ask for an activation. */
  need(): void;
  /** Items that will never be delivered, and why. */
  refuse(items: T[], why: string): void;
}

/** How `offer` dealt with an item. */
export type InboxOutcome = 'delivered' | 'queued' | 'refused';

/** Why `offer` refused an item: the extension cannot take work, or the queue is full. */
export type InboxRefusal = 'inactive' | 'full';

/** What `offer` did; a refusal says why (`refuse` was called with the same text). */
export type InboxOffer =
  | { outcome: 'delivered' | 'queued' }
  | { outcome: 'refused'; reason: InboxRefusal; why: string };

/** A bounded, ordered waiting queue in front of one runtime. */
export class ActivationInbox<T> {
  readonly #o: ActivationInboxOptions<T>;
  #items: T[] = [];
  #sizes: number[] = [];
  #bytes = 0;

  constructor(options: ActivationInboxOptions<T>) {
    this.#o = options;
  }

  /** Items waiting now. */
  get size(): number {
    return this.#items.length;
  }

  /** Bytes of the items waiting now (0 without `sizeOf`). */
  get bytes(): number {
    return this.#bytes;
  }

  /** Delivers at once when running (and nothing waits before it), else queues or refuses. */
  offer(item: T): InboxOffer {
    const state = this.#o.state();
    if (state === 'running' && this.#items.length === 0) {
      this.#o.deliver(item);
      return { outcome: 'delivered' };
    }
    if (state !== 'running' && !WAITING.has(state)) {
      return this.#refuseOne(item, 'inactive', `the extension is ${state}`);
    }
    if (this.#items.length >= this.#o.limit) {
      return this.#refuseOne(
        item,
        'full',
        `${this.#o.limit} already wait for the runtime (${state})`,
      );
    }
    const size = this.#o.sizeOf?.(item) ?? 0;
    const maxBytes = this.#o.maxBytes;
    if (maxBytes !== undefined && this.#bytes + size > maxBytes) {
      return this.#refuseOne(
        item,
        'full',
        `${this.#bytes} bytes already wait for the runtime (limit ${maxBytes}, ${this.#o.bytesLabel ?? 'bytes'}; ${state})`,
      );
    }
    this.#items.push(item);
    this.#sizes.push(size);
    this.#bytes += size;
    if (state === 'hibernated' || state === 'stopping') this.#o.need();
    if (state === 'running') this.flush();
    return { outcome: 'queued' };
  }

  #refuseOne(item: T, reason: InboxRefusal, why: string): InboxOffer {
    this.#o.refuse([item], why);
    return { outcome: 'refused', reason, why };
  }

  /** The extension changed state: deliver on `running`, refuse everything on a final state. */
  stateChanged(state: ExtensionStateDTO): void {
    if (state === 'running') this.flush();
    else if (!WAITING.has(state)) this.#refuseAll(`the extension is ${state}`);
  }

  /** The activation asked for failed: what waits is refused unless a start is still under way. */
  needFailed(why: string): void {
    const state = this.#o.state();
    if (state === 'running') this.flush();
    else if (state !== 'starting' && state !== 'restarting') this.#refuseAll(why);
  }

  /** Delivers what waits, in order, while the runtime runs. */
  flush(): void {
    while (this.#items.length > 0 && this.#o.state() === 'running') {
      this.#bytes -= this.#sizes.shift() ?? 0;
      this.#o.deliver(this.#items.shift() as T);
    }
  }

  #refuseAll(why: string): void {
    if (this.#items.length === 0) return;
    const items = this.#items;
    this.#items = [];
    this.#sizes = [];
    this.#bytes = 0;
    this.#o.refuse(items, why);
  }
}
