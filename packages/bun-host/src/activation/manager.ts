/**
 * The activation manager (docs/operations.md, "Activation and hibernation"): starts runtimes on
 * need (single flight per extension), hibernates idle ones after their `idleAfterMs`, and holds
 * the number of running runtimes to `maxActiveRuntimes` by evicting the least recently used idle
 * one or making the new activation wait (bounded). Medium-agnostic: an extension is an
 * `ActivationUnit`; the clock is injected.
 *
 * Rules it keeps:
 * - Occupancy is every unit whose runtime exists (`starting`, `running`, `restarting`,
 *   `stopping`) plus activations that hold a slot but have not started yet, minus units being
 *   evicted for one of them. It never exceeds the cap through the manager's own starts.
 * - A victim is stopped before the activation that evicted it starts its runtime.
 * - Every `ensure` settles once: running, or a typed error (`DRAINING`, `CAPACITY_EXCEEDED`,
 *   `EXTENSION_INACTIVE`, `EXTENSION_NOT_FOUND`, `HOST_CLOSING`).
 */
import { type ExtensionStateDTO, SpindleError } from '@spindle/types';
import mitt, { type Emitter } from 'mitt';
import { realTimers, type Timers } from '../runtime/types.ts';
import { resolveExtensionActivation } from './policy.ts';
import {
  type ActivationEvents,
  type ActivationSettings,
  type ActivationTrigger,
  type ActivationUnit,
  DEFAULT_CAPACITY_WAIT_MS,
  DEFAULT_MAX_CAPACITY_WAITERS,
  type HibernationReason,
  type ResolvedExtensionActivation,
} from './types.ts';

/** States in which a unit's runtime exists and takes a slot. */
const OCCUPYING: ReadonlySet<ExtensionStateDTO> = new Set([
  'starting',
  'running',
  'restarting',
  'stopping',
]);

interface Slot {
  unit: ActivationUnit;
  settings: ResolvedExtensionActivation;
  /** Clock reading of the last traffic (LRU order and the idle clock). */
  lastUsed: number;
  /** When it was last found idle with no idle timer armed. */
  idleSince: number;
  idleTimer: unknown;
  /** The activation in flight, shared by concurrent needs. */
  flight: Promise<void> | undefined;
}

interface Waiter {
  id: string;
  resolve(): void;
  reject(error: unknown): void;
  timer: unknown;
}

/** Options of `ActivationManager`. */
export interface ActivationManagerOptions {
  settings?: ActivationSettings;
  /** @default the global timers */
  timers?: Timers;
}

/** What an `ensure` may do to find room at the cap. */
export interface EnsureOptions {
  /** Hibernate the least recently used idle runtime. @default true */
  evict?: boolean;
  /** Wait up to `capacityWaitMs` when nothing can be evicted. @default true */
  wait?: boolean;
}

/** Drives the activation and hibernation of every extension of a host. */
export class ActivationManager {
  readonly events: Emitter<ActivationEvents> = mitt<ActivationEvents>();
  readonly #timers: Timers;
  readonly #slots = new Map<string, Slot>();
  /** Activations holding a slot before their runtime exists. */
  readonly #activating = new Set<string>();
  /** Units being hibernated to make room. */
  readonly #evicting = new Set<string>();
  readonly #waiters: Waiter[] = [];
  #settings: ActivationSettings;
  #draining = false;
  #closed = false;

  constructor(options: ActivationManagerOptions = {}) {
    this.#timers = options.timers ?? realTimers;
    this.#settings = options.settings ?? {};
  }

  /** Host-wide settings now. */
  get settings(): ActivationSettings {
    return this.#settings;
  }

  /** True once `drain()` was called. */
  get draining(): boolean {
    return this.#draining;
  }

  /** Activations waiting for room at the cap. */
  get waiting(): number {
    return this.#waiters.length;
  }

  /** Runtimes that take a slot now (see the module comment). */
  occupancy(): number {
    let count = 0;
    for (const [id, slot] of this.#slots) {
      const occupying = OCCUPYING.has(slot.unit.state());
      if ((occupying || this.#activating.has(id)) && !(occupying && this.#evicting.has(id))) {
        count += 1;
      }
    }
    return count;
  }

  /** Adds (or replaces, after a reload) an extension with its manifest's activation fields. */
  add(
    unit: ActivationUnit,
    manifest: { activation?: unknown; activationEvents?: unknown; keepAlive?: unknown },
  ): ResolvedExtensionActivation {
    this.remove(unit.id);
    const settings = resolveExtensionActivation(unit.id, manifest, this.#settings);
    const now = this.#timers.now();
    this.#slots.set(unit.id, {
      unit,
      settings,
      lastUsed: now,
      idleSince: now,
      idleTimer: undefined,
      flight: undefined,
    });
    return settings;
  }

  /** Forgets an extension (reload, close); its waiters fail with `EXTENSION_UNLOADED`. */
  remove(id: string): void {
    const slot = this.#slots.get(id);
    if (!slot) return;
    this.#cancelIdle(slot);
    this.#slots.delete(id);
    for (const waiter of this.#waiters.filter((w) => w.id === id)) {
      this.#dropWaiter(waiter);
      waiter.reject(
        new SpindleError('EXTENSION_UNLOADED', `${id} was unloaded while waiting for room`),
      );
    }
    this.#pump();
  }

  /** Resolved settings of an extension. */
  settingsOf(id: string): ResolvedExtensionActivation | undefined {
    return this.#slots.get(id)?.settings;
  }

  /** True while an activation of `id` is in flight. */
  isActivating(id: string): boolean {
    return this.#slots.get(id)?.flight !== undefined;
  }

  /** Replaces the host-wide settings (config reload): policies, idle times and the cap. */
  configure(
    settings: ActivationSettings,
    manifests: (id: string) => Parameters<ActivationManager['add']>[1] | undefined,
  ): void {
    this.#settings = settings;
    for (const [id, slot] of this.#slots) {
      slot.settings = resolveExtensionActivation(id, manifests(id) ?? {}, settings);
      this.#cancelIdle(slot);
      this.reevaluate(id);
    }
    this.#pump();
  }

  /** Traffic for `id`: the LRU order and the idle clock move. Cheap: one clock read. */
  touch(id: string): void {
    const slot = this.#slots.get(id);
    if (slot) slot.lastUsed = this.#timers.now();
  }

  /**
   * Starts `id`'s runtime unless it runs; concurrent calls share one activation. Resolves once it
   * runs; rejects with a typed error when it cannot.
   */
  ensure(id: string, trigger: ActivationTrigger, options: EnsureOptions = {}): Promise<void> {
    const slot = this.#slots.get(id);
    if (!slot) {
      return Promise.reject(new SpindleError('EXTENSION_NOT_FOUND', `no extension "${id}"`));
    }
    slot.lastUsed = this.#timers.now();
    if (slot.flight) return slot.flight;
    if (slot.unit.state() === 'running') return Promise.resolve();
    const refusal = this.#refusal(id, slot.unit.state());
    if (refusal) return Promise.reject(refusal);
    const started = this.#timers.now();
    const flight = this.#activate(slot, options).then(
      () => {
        this.events.emit('activation', {
          id,
          trigger,
          outcome: 'ok',
          ms: this.#timers.now() - started,
        });
      },
      (error: unknown) => {
        const code = error instanceof SpindleError ? error.code : 'INTERNAL';
        this.events.emit('activation', {
          id,
          trigger,
          outcome: code,
          ms: this.#timers.now() - started,
        });
        throw error;
      },
    );
    slot.flight = flight;
    const clear = () => {
      if (slot.flight === flight) slot.flight = undefined;
      this.reevaluate(id);
      this.#pump();
    };
    flight.then(clear, clear);
    return flight;
  }

  /**
   * Enables `id` by its policy: a lazy one is left `hibernated`; an eager one starts when there is
   * room under the cap (an enable never evicts or waits), else it is left `hibernated` and this
   * rejects with `CAPACITY_EXCEEDED` (its first need starts it later).
   */
  enable(id: string): Promise<void> {
    const slot = this.#slots.get(id);
    if (!slot) {
      return Promise.reject(new SpindleError('EXTENSION_NOT_FOUND', `no extension "${id}"`));
    }
    if (this.#closed) return Promise.reject(new SpindleError('HOST_CLOSING', 'closing'));
    if (this.#draining) {
      return Promise.reject(new SpindleError('DRAINING', `cannot enable ${id}: draining`));
    }
    if (slot.flight) return slot.flight;
    const state = slot.unit.state();
    if (state === 'running' || state === 'starting') return Promise.resolve();
    if (slot.settings.policy === 'lazy') return slot.unit.enableDormant();
    if (state === 'hibernated') return this.ensure(id, 'enable', { evict: false, wait: false });
    const started = this.#timers.now();
    const flight = (async () => {
      if (this.occupancy() >= this.#max()) {
        await slot.unit.enableDormant();
        throw new SpindleError(
          'CAPACITY_EXCEEDED',
          `${id} stays hibernated: ${this.#max()} runtime(s) already run (maxActiveRuntimes); its first need starts it`,
          { details: { extensionId: id, maxActiveRuntimes: this.#max() } },
        );
      }
      this.#activating.add(id);
      try {
        await slot.unit.enable();
      } finally {
        this.#activating.delete(id);
      }
    })();
    slot.flight = flight;
    const done = (outcome: string) => {
      if (slot.flight === flight) slot.flight = undefined;
      this.events.emit('activation', {
        id,
        trigger: 'enable',
        outcome,
        ms: this.#timers.now() - started,
      });
      this.reevaluate(id);
      this.#pump();
    };
    flight.then(
      () => done(slot.unit.state() === 'running' ? 'ok' : 'EXTENSION_INACTIVE'),
      (error: unknown) => done(error instanceof SpindleError ? error.code : 'INTERNAL'),
    );
    return flight;
  }

  /** Hibernates `id` now if it runs (the operator's `hibernate`); false when it did not run. */
  async hibernate(id: string, reason: HibernationReason = 'hibernated'): Promise<boolean> {
    const slot = this.#slots.get(id);
    if (!slot) throw new SpindleError('EXTENSION_NOT_FOUND', `no extension "${id}"`);
    this.#cancelIdle(slot);
    const done = await slot.unit.hibernate(reason);
    if (done) this.events.emit('hibernation', { id, reason });
    this.#pump();
    return done;
  }

  /**
   * Something that decides idleness changed for `id` (a session, a process, a request, the
   * runtime's own activity, its state): arms or keeps its idle timer, and lets waiters at the cap
   * look for room again.
   */
  reevaluate(id: string): void {
    const slot = this.#slots.get(id);
    if (!slot) return;
    const { idleAfterMs, keepAlive } = slot.settings;
    if (
      this.#draining ||
      this.#closed ||
      idleAfterMs === undefined ||
      keepAlive ||
      slot.unit.state() !== 'running' ||
      slot.flight !== undefined
    ) {
      this.#cancelIdle(slot);
    } else if (slot.idleTimer === undefined && !slot.unit.busy()) {
      slot.idleSince = this.#timers.now();
      this.#armIdle(slot, idleAfterMs);
    }
    if (this.#waiters.length > 0) this.#pump();
  }

  /** Refuses every later activation with `DRAINING`; waiting ones fail the same way. */
  drain(): void {
    this.#draining = true;
    for (const slot of this.#slots.values()) this.#cancelIdle(slot);
    this.#failWaiters(() => new SpindleError('DRAINING', 'the host is draining'));
  }

  /** Stops every timer; waiting activations fail with `HOST_CLOSING`. */
  close(): void {
    this.#closed = true;
    for (const slot of this.#slots.values()) this.#cancelIdle(slot);
    this.#failWaiters(() => new SpindleError('HOST_CLOSING', 'the host is closing'));
  }

  #refusal(id: string, state: ExtensionStateDTO): SpindleError | undefined {
    if (this.#closed) return new SpindleError('HOST_CLOSING', `cannot start ${id}: closing`);
    if (this.#draining) {
      return new SpindleError('DRAINING', `cannot start ${id}: the host is draining`);
    }
    if (state === 'hibernated' || OCCUPYING.has(state)) return undefined;
    return new SpindleError(
      'EXTENSION_INACTIVE',
      `cannot start ${id}: it is ${state}${state === 'disabled' ? '' : ' (enable it again)'}`,
      { details: { extensionId: id, state } },
    );
  }

  async #activate(slot: Slot, options: EnsureOptions): Promise<void> {
    const id = slot.unit.id;
    const holdsSlot = !OCCUPYING.has(slot.unit.state());
    if (holdsSlot) await this.#acquire(id, options);
    try {
      await slot.unit.start();
    } finally {
      this.#activating.delete(id);
    }
    const state = slot.unit.state();
    if (state !== 'running') {
      throw new SpindleError('EXTENSION_INACTIVE', `${id} did not start: it is ${state}`, {
        details: { extensionId: id, state },
      });
    }
  }

  /** Takes a slot for `id` (evicting or waiting as allowed); rejects when it cannot. */
  async #acquire(id: string, options: EnsureOptions): Promise<void> {
    const taken = this.#tryTake(id, options.evict ?? true);
    if (taken === 'free') return;
    if (taken !== undefined) {
      await taken;
      return;
    }
    const max = this.#max();
    if (options.wait === false) {
      throw new SpindleError(
        'CAPACITY_EXCEEDED',
        `cannot start ${id}: ${max} runtime(s) already run (maxActiveRuntimes)`,
        { details: { extensionId: id, maxActiveRuntimes: max } },
      );
    }
    const limit = this.#settings.maxCapacityWaiters ?? DEFAULT_MAX_CAPACITY_WAITERS;
    const waitMs = this.#settings.capacityWaitMs ?? DEFAULT_CAPACITY_WAIT_MS;
    if (this.#waiters.length >= limit) {
      throw new SpindleError(
        'CAPACITY_EXCEEDED',
        `cannot start ${id}: ${max} runtime(s) run and ${limit} activation(s) already wait for room`,
        { details: { extensionId: id, maxActiveRuntimes: max, waiting: limit } },
      );
    }
    await new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { id, resolve, reject, timer: undefined };
      waiter.timer = this.#timers.setTimeout(() => {
        this.#dropWaiter(waiter);
        reject(
          new SpindleError(
            'CAPACITY_EXCEEDED',
            `cannot start ${id}: no runtime of the ${max} running became idle within ${waitMs} ms`,
            { details: { extensionId: id, maxActiveRuntimes: max, waitedMs: waitMs } },
          ),
        );
      }, waitMs);
      this.#waiters.push(waiter);
      this.events.emit('waiters', { count: this.#waiters.length });
    });
  }

  /**
   * Takes a free slot (`'free'`), or evicts the least recently used idle runtime and resolves
   * once it is gone (a promise), or finds no room (`undefined`).
   */
  #tryTake(id: string, evict: boolean): 'free' | Promise<void> | undefined {
    if (this.occupancy() < this.#max()) {
      this.#activating.add(id);
      return 'free';
    }
    if (!evict) return undefined;
    const victim = this.#victim(id);
    if (!victim) return undefined;
    this.#activating.add(id);
    this.#evicting.add(victim.unit.id);
    this.#cancelIdle(victim);
    return victim.unit
      .hibernate('evicted')
      .then(
        (done) => {
          if (done) this.events.emit('hibernation', { id: victim.unit.id, reason: 'evicted' });
        },
        () => undefined,
      )
      .finally(() => {
        this.#evicting.delete(victim.unit.id);
      });
  }

  /** The least recently used running runtime that nothing holds awake. */
  #victim(forId: string): Slot | undefined {
    let best: Slot | undefined;
    for (const [id, slot] of this.#slots) {
      if (id === forId || slot.settings.keepAlive || slot.flight !== undefined) continue;
      if (this.#evicting.has(id) || this.#activating.has(id)) continue;
      if (slot.unit.state() !== 'running' || slot.unit.busy()) continue;
      if (best === undefined || slot.lastUsed < best.lastUsed) best = slot;
    }
    return best;
  }

  /** Gives room to waiters, first come first served, while there is room to give. */
  #pump(): void {
    while (this.#waiters.length > 0) {
      const waiter = this.#waiters[0] as Waiter;
      const taken = this.#tryTake(waiter.id, true);
      if (taken === undefined) return;
      this.#dropWaiter(waiter);
      if (taken === 'free') waiter.resolve();
      else taken.then(waiter.resolve, waiter.reject);
    }
  }

  #dropWaiter(waiter: Waiter): void {
    const index = this.#waiters.indexOf(waiter);
    if (index < 0) return;
    this.#waiters.splice(index, 1);
    this.#timers.clearTimeout(waiter.timer);
    this.events.emit('waiters', { count: this.#waiters.length });
  }

  #failWaiters(error: () => SpindleError): void {
    for (const waiter of [...this.#waiters]) {
      this.#dropWaiter(waiter);
      waiter.reject(error());
    }
  }

  #max(): number {
    const max = this.#settings.maxActiveRuntimes;
    return max === undefined || max <= 0 ? Number.POSITIVE_INFINITY : max;
  }

  #armIdle(slot: Slot, ms: number): void {
    slot.idleTimer = this.#timers.setTimeout(
      () => {
        slot.idleTimer = undefined;
        this.#idleDue(slot);
      },
      Math.max(0, ms),
    );
  }

  #idleDue(slot: Slot): void {
    const { idleAfterMs, keepAlive } = slot.settings;
    if (idleAfterMs === undefined || keepAlive || this.#draining || this.#closed) return;
    if (slot.unit.state() !== 'running' || slot.flight !== undefined) return;
    // Busy now: whatever makes it idle again calls `reevaluate`, which arms a fresh timer.
    if (slot.unit.busy()) return;
    const due = Math.max(slot.lastUsed, slot.idleSince) + idleAfterMs;
    const now = this.#timers.now();
    if (due > now) {
      this.#armIdle(slot, due - now);
      return;
    }
    void this.hibernate(slot.unit.id, 'idle').catch(() => undefined);
  }

  #cancelIdle(slot: Slot): void {
    if (slot.idleTimer === undefined) return;
    this.#timers.clearTimeout(slot.idleTimer);
    slot.idleTimer = undefined;
  }
}
