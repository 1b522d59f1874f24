/**
 * The activation manager (docs/operations.md, "Activation and hibernation"): starts runtimes on
 * need (single flight per extension), hibernates idle ones after their `idleAfterMs`, and holds
 * the number of running runtimes to `maxActiveRuntimes` by evicting the least recently used idle
 * one or making the new activation wait (bounded). Medium-agnostic: an extension is an
 * `ActivationUnit`; the clock is injected.
 *
 * Every `ensure` settles once: running, or a typed error (`DRAINING`, `CAPACITY_EXCEEDED`,
 * `EXTENSION_INACTIVE`, `EXTENSION_NOT_FOUND`, `HOST_CLOSING`). Room under the cap is
 * `capacity.ts`'s.
 */
import { type ExtensionStateDTO, SpindleError } from '@spindle/types';
import mitt, { type Emitter } from 'mitt';
import { realTimers, type Timers } from '../runtime/types.ts';
import { Capacity, OCCUPYING, type RoomOptions } from './capacity.ts';
import { resolveExtensionActivation } from './policy.ts';
import type {
  ActivationEvents,
  ActivationSettings,
  ActivationTrigger,
  ActivationUnit,
  HibernationReason,
  ResolvedExtensionActivation,
} from './types.ts';

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

/** Options of `ActivationManager`. */
export interface ActivationManagerOptions {
  settings?: ActivationSettings;
  /** @default the global timers */
  timers?: Timers;
}

/** What an `ensure` may do to find room at the cap (see `RoomOptions`). */
export type EnsureOptions = RoomOptions;

/** Drives the activation and hibernation of every extension of a host. */
export class ActivationManager {
  readonly events: Emitter<ActivationEvents> = mitt<ActivationEvents>();
  readonly #timers: Timers;
  readonly #slots = new Map<string, Slot>();
  readonly #capacity: Capacity;
  #settings: ActivationSettings;
  #draining = false;
  #closed = false;

  constructor(options: ActivationManagerOptions = {}) {
    this.#timers = options.timers ?? realTimers;
    this.#settings = options.settings ?? {};
    const slots = this.#slots;
    this.#capacity = new Capacity({
      timers: this.#timers,
      settings: () => this.#settings,
      *slots() {
        for (const slot of slots.values()) {
          yield {
            unit: slot.unit,
            settings: slot.settings,
            lastUsed: slot.lastUsed,
            activating: slot.flight !== undefined,
          };
        }
      },
      evicting: (id) => {
        const slot = slots.get(id);
        if (slot) this.#cancelIdle(slot);
      },
      evicted: (id) => this.events.emit('hibernation', { id, reason: 'evicted' }),
      waiters: (count) => this.events.emit('waiters', { count }),
    });
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
    return this.#capacity.waiting;
  }

  /** Runtimes that take a slot now (see `capacity.ts`). */
  occupancy(): number {
    return this.#capacity.occupancy();
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
    this.#capacity.fail(
      () => new SpindleError('EXTENSION_UNLOADED', `${id} was unloaded while waiting for room`),
      id,
    );
    this.#capacity.pump();
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
    this.#capacity.pump();
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
      this.#capacity.pump();
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
      if (!this.#capacity.takeFree(id)) {
        await slot.unit.enableDormant();
        const max = this.#capacity.max();
        throw new SpindleError(
          'CAPACITY_EXCEEDED',
          `${id} stays hibernated: ${max} runtime(s) already run (maxActiveRuntimes); its first need starts it`,
          { details: { extensionId: id, maxActiveRuntimes: max } },
        );
      }
      try {
        await slot.unit.enable();
      } finally {
        this.#capacity.release(id);
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
      this.#capacity.pump();
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
    this.#capacity.pump();
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
    if (this.#capacity.waiting > 0) this.#capacity.pump();
  }

  /** Refuses every later activation with `DRAINING`; waiting ones fail the same way. */
  drain(): void {
    this.#draining = true;
    for (const slot of this.#slots.values()) this.#cancelIdle(slot);
    this.#capacity.fail(() => new SpindleError('DRAINING', 'the host is draining'));
  }

  /** Stops every timer; waiting activations fail with `HOST_CLOSING`. */
  close(): void {
    this.#closed = true;
    for (const slot of this.#slots.values()) this.#cancelIdle(slot);
    this.#capacity.fail(() => new SpindleError('HOST_CLOSING', 'the host is closing'));
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
    if (!OCCUPYING.has(slot.unit.state())) await this.#capacity.acquire(id, options);
    try {
      await slot.unit.start();
    } finally {
      this.#capacity.release(id);
    }
    const state = slot.unit.state();
    if (state !== 'running') {
      throw new SpindleError('EXTENSION_INACTIVE', `${id} did not start: it is ${state}`, {
        details: { extensionId: id, state },
      });
    }
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
