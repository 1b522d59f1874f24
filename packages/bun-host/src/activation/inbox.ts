/**
 * Work for one extension's runtime that arrives while it is not running (docs/operations.md,
 * "Activation and hibernation"): kept in a bounded queue while the runtime starts, restarts or is
 * woken from `hibernated`, then delivered once, in order, when it runs. Each item is delivered
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

/** A bounded, ordered waiting queue in front of one runtime. */
export class ActivationInbox<T> {
  readonly #o: ActivationInboxOptions<T>;
  #items: T[] = [];

  constructor(options: ActivationInboxOptions<T>) {
    this.#o = options;
  }

  /** Items waiting now. */
  get size(): number {
    return this.#items.length;
  }

  /** Delivers at once when running (and nothing waits before it), else queues or refuses. */
  offer(item: T): InboxOutcome {
    const state = this.#o.state();
    if (state === 'running' && this.#items.length === 0) {
      this.#o.deliver(item);
      return 'delivered';
    }
    if (state !== 'running' && !WAITING.has(state)) {
      this.#o.refuse([item], `the extension is ${state}`);
      return 'refused';
    }
    if (this.#items.length >= this.#o.limit) {
      this.#o.refuse([item], `${this.#o.limit} already wait for the runtime (${state})`);
      return 'refused';
    }
    this.#items.push(item);
    if (state === 'hibernated' || state === 'stopping') this.#o.need();
    if (state === 'running') this.flush();
    return 'queued';
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
      this.#o.deliver(this.#items.shift() as T);
    }
  }

  #refuseAll(why: string): void {
    if (this.#items.length === 0) return;
    const items = this.#items;
    this.#items = [];
    this.#o.refuse(items, why);
  }
}
