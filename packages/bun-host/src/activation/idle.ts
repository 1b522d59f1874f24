/**
 * Whether one extension's runtime is idle (docs/operations.md, "Hibernation"): no session mounts
 * it, it has no live process, no request of it is pending at the host, and it has no pending
 * timer or interval and no `spindle.on` subscription that would miss events while it sleeps.
 * Subscriptions to the host's own events (`RUNTIME_EVENTS`) and to the events its manifest lists
 * in `activationEvents` (they wake it) do not count.
 */
import { RUNTIME_EVENTS } from '@spindle/types';

const HOST_EVENTS: ReadonlySet<string> = new Set(Object.values(RUNTIME_EVENTS));

/** What the signals read from elsewhere. */
export interface IdleSignalSources {
  /** Sessions (connected or resumable) that have the extension mounted. */
  sessionsMounting(): number;
  /** Processes of the extension (both kinds) that have not ended. */
  liveProcesses(): number;
  /** App events that wake the extension (its `activationEvents`). */
  activationEvents(): ReadonlySet<string>;
  /** Something that decides idleness changed. */
  onChange(): void;
}

/** A reason a runtime is awake, for the admin view and logs. */
export type BusyReason = 'sessions' | 'processes' | 'requests' | 'timers' | 'subscriptions';

/** The runtime-reported and router-reported inputs of one extension's idleness. */
export class IdleSignals {
  readonly #sources: IdleSignalSources;
  #timers = 0;
  #events: readonly string[] = [];
  #pending = 0;

  constructor(sources: IdleSignalSources) {
    this.#sources = sources;
  }

  /** The runtime's `activity` message. */
  activity(timers: number, events: readonly string[]): void {
    this.#timers = timers;
    this.#events = events;
    this.#sources.onChange();
  }

  /** Requests of the runtime being handled by the host now. */
  pending(count: number): void {
    const changed = count === 0 || this.#pending === 0;
    this.#pending = count;
    if (changed) this.#sources.onChange();
  }

  /** The runtime is gone: what it reported no longer holds. */
  reset(): void {
    this.#timers = 0;
    this.#events = [];
    this.#pending = 0;
  }

  /** Why it is awake; empty when it is idle. */
  reasons(): BusyReason[] {
    const reasons: BusyReason[] = [];
    if (this.#sources.sessionsMounting() > 0) reasons.push('sessions');
    if (this.#sources.liveProcesses() > 0) reasons.push('processes');
    if (this.#pending > 0) reasons.push('requests');
    if (this.#timers > 0) reasons.push('timers');
    if (this.#holdingSubscription()) reasons.push('subscriptions');
    return reasons;
  }

  /** True while anything holds it awake (cheapest checks first). */
  busy(): boolean {
    return (
      this.#pending > 0 ||
      this.#timers > 0 ||
      this.#holdingSubscription() ||
      this.#sources.liveProcesses() > 0 ||
      this.#sources.sessionsMounting() > 0
    );
  }

  #holdingSubscription(): boolean {
    if (this.#events.length === 0) return false;
    const wakes = this.#sources.activationEvents();
    return this.#events.some((event) => !HOST_EVENTS.has(event) && !wakes.has(event));
  }
}
