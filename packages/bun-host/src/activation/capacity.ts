/**
 * Room under `maxActiveRuntimes` (docs/operations.md, "Capacity"): who holds a slot, which idle
 * runtime is evicted for a new one (the least recently used), and the bounded, first-come queue
 * of activations that wait for room. The activation manager owns the extensions; this owns the
 * slots.
 *
 * Occupancy is every extension whose runtime exists (`starting`, `running`, `restarting`,
 * `stopping`) plus activations that hold a slot but have not started yet, minus runtimes being
 * evicted for one of them: it never exceeds the cap through the manager's own starts, and a
 * victim is stopped before the activation that evicted it starts.
 */
import { type ExtensionStateDTO, SpindleError } from '@spindle/types';
import type { Timers } from '../runtime/types.ts';
import {
  type ActivationSettings,
  type ActivationUnit,
  DEFAULT_CAPACITY_WAIT_MS,
  DEFAULT_MAX_CAPACITY_WAITERS,
} from './types.ts';

/** States in which an extension's runtime exists and takes a slot. */
export const OCCUPYING: ReadonlySet<ExtensionStateDTO> = new Set([
  'starting',
  'running',
  'restarting',
  'stopping',
]);

/** What capacity needs to know of one extension. */
export interface CapacitySlot {
  readonly unit: ActivationUnit;
  readonly settings: { keepAlive: boolean };
  /** Clock reading of its last traffic (LRU order). */
  readonly lastUsed: number;
  /** An activation of it is in flight. */
  readonly activating: boolean;
}

/** What an activation may do to find room. */
export interface RoomOptions {
  /** Hibernate the least recently used idle runtime. @default true */
  evict?: boolean;
  /** Wait up to `capacityWaitMs` when nothing can be evicted. @default true */
  wait?: boolean;
}

/** What `Capacity` is built with. */
export interface CapacityOptions {
  timers: Timers;
  settings(): ActivationSettings;
  slots(): Iterable<CapacitySlot>;
  /** A victim is about to be hibernated (its idle timer is no longer needed). */
  evicting(id: string): void;
  /** A victim was hibernated. */
  evicted(id: string): void;
  /** The number of waiting activations changed. */
  waiters(count: number): void;
}

interface Waiter {
  id: string;
  resolve(): void;
  reject(error: unknown): void;
  timer: unknown;
}

/** Slots, eviction and waiting at the cap. */
export class Capacity {
  readonly #o: CapacityOptions;
  /** Activations holding a slot before their runtime exists. */
  readonly #holding = new Set<string>();
  /** Runtimes being hibernated to make room. */
  readonly #evicting = new Set<string>();
  readonly #waiters: Waiter[] = [];

  constructor(options: CapacityOptions) {
    this.#o = options;
  }

  /** The cap now (`Infinity` without one). */
  max(): number {
    const max = this.#o.settings().maxActiveRuntimes;
    return max === undefined || max <= 0 ? Number.POSITIVE_INFINITY : max;
  }

  /** Activations waiting for room. */
  get waiting(): number {
    return this.#waiters.length;
  }

  /** Slots taken now (see the module comment). */
  occupancy(): number {
    let count = 0;
    for (const slot of this.#o.slots()) {
      const id = slot.unit.id;
      const occupying = OCCUPYING.has(slot.unit.state());
      if ((occupying || this.#holding.has(id)) && !(occupying && this.#evicting.has(id))) {
        count += 1;
      }
    }
    return count;
  }

  /** Takes a slot for `id`, evicting or waiting as allowed; rejects with `CAPACITY_EXCEEDED`. */
  async acquire(id: string, options: RoomOptions = {}): Promise<void> {
    const taken = this.#tryTake(id, options.evict ?? true);
    if (taken === 'free') return;
    if (taken !== undefined) {
      await taken;
      return;
    }
    const max = this.max();
    const settings = this.#o.settings();
    if (options.wait === false) {
      throw new SpindleError(
        'CAPACITY_EXCEEDED',
        `cannot start ${id}: ${max} runtime(s) already run (maxActiveRuntimes)`,
        { details: { extensionId: id, maxActiveRuntimes: max } },
      );
    }
    const limit = settings.maxCapacityWaiters ?? DEFAULT_MAX_CAPACITY_WAITERS;
    const waitMs = settings.capacityWaitMs ?? DEFAULT_CAPACITY_WAIT_MS;
    if (this.#waiters.length >= limit) {
      throw new SpindleError(
        'CAPACITY_EXCEEDED',
        `cannot start ${id}: ${max} runtime(s) run and ${limit} activation(s) already wait for room`,
        { details: { extensionId: id, maxActiveRuntimes: max, waiting: limit } },
      );
    }
    await new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { id, resolve, reject, timer: undefined };
      waiter.timer = this.#o.timers.setTimeout(() => {
        this.#drop(waiter);
        reject(
          new SpindleError(
            'CAPACITY_EXCEEDED',
            `cannot start ${id}: no runtime of the ${max} running became idle within ${waitMs} ms`,
            { details: { extensionId: id, maxActiveRuntimes: max, waitedMs: waitMs } },
          ),
        );
      }, waitMs);
      this.#waiters.push(waiter);
      this.#o.waiters(this.#waiters.length);
    });
  }

  /** Takes a free slot for `id` without evicting or waiting; false when there is none. */
  takeFree(id: string): boolean {
    if (this.occupancy() >= this.max()) return false;
    this.#holding.add(id);
    return true;
  }

  /** `id`'s runtime exists now, or its start failed: the slot it held is its state's. */
  release(id: string): void {
    this.#holding.delete(id);
  }

  /** Gives room to waiters, first come first served, while there is room to give. */
  pump(): void {
    while (this.#waiters.length > 0) {
      const waiter = this.#waiters[0] as Waiter;
      const taken = this.#tryTake(waiter.id, true);
      if (taken === undefined) return;
      this.#drop(waiter);
      if (taken === 'free') waiter.resolve();
      else taken.then(waiter.resolve, waiter.reject);
    }
  }

  /** Fails the waiters of `id` (`undefined`: every waiter) with `error()`. */
  fail(error: () => SpindleError, id?: string): void {
    for (const waiter of this.#waiters.filter((w) => id === undefined || w.id === id)) {
      this.#drop(waiter);
      waiter.reject(error());
    }
  }

  /**
   * Takes a free slot (`'free'`), or evicts the least recently used idle runtime and resolves
   * once it is gone (a promise), or finds no room (`undefined`).
   */
  #tryTake(id: string, evict: boolean): 'free' | Promise<void> | undefined {
    if (this.takeFree(id)) return 'free';
    if (!evict) return undefined;
    const victim = this.#victim(id);
    if (!victim) return undefined;
    const victimId = victim.unit.id;
    this.#holding.add(id);
    this.#evicting.add(victimId);
    this.#o.evicting(victimId);
    return victim.unit
      .hibernate('evicted')
      .then(
        (done) => {
          if (done) this.#o.evicted(victimId);
        },
        () => undefined,
      )
      .finally(() => {
        this.#evicting.delete(victimId);
      });
  }

  /** The least recently used running runtime that nothing holds awake. */
  #victim(forId: string): CapacitySlot | undefined {
    let best: CapacitySlot | undefined;
    for (const slot of this.#o.slots()) {
      const id = slot.unit.id;
      if (id === forId || slot.settings.keepAlive || slot.activating) continue;
      if (this.#evicting.has(id) || this.#holding.has(id)) continue;
      if (slot.unit.state() !== 'running' || slot.unit.busy()) continue;
      if (best === undefined || slot.lastUsed < best.lastUsed) best = slot;
    }
    return best;
  }

  #drop(waiter: Waiter): void {
    const index = this.#waiters.indexOf(waiter);
    if (index < 0) return;
    this.#waiters.splice(index, 1);
    this.#o.timers.clearTimeout(waiter.timer);
    this.#o.waiters(this.#waiters.length);
  }
}
