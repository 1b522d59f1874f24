/**
 * The host's watchdog over one running runtime: it pings, and a runtime that leaves a ping
 * unanswered for `timeoutMs` is reported unresponsive (the host then kills it). A ping is
 * answered when the runtime's event loop reaches it, after every message sent before it, so
 * each answer also confirms how many bytes the runtime has taken (`position`): the same pings
 * carry the flow control of the runtime's inbound queue (`inbound-budget.ts`).
 *
 * Steady state: one timer at a time (the next ping, or the deadline of the oldest ping out) and
 * one ping per `intervalMs` after each answer; a busy runtime that answers within the deadline,
 * however long its work, is never reported. Pings sent for flow control (`ping`) share the queue
 * and the deadline.
 */

/** Timers and a clock (the runtime layer's `Timers`). */
export interface WatchdogTimers {
  setTimeout(handler: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
}

/** Options of a `PingWatchdog`. */
export interface PingWatchdogOptions {
  /** Pause between an answer and the next periodic ping. */
  intervalMs: number;
  /** Longest wait for the answer to the oldest ping out; 0: never reported unresponsive. */
  timeoutMs: number;
  timers: WatchdogTimers;
  /** Sends `ping { id }` to the runtime. */
  send(id: number): void;
  /** Bytes sent to the runtime so far; recorded with each ping, confirmed by its answer. */
  position(): number;
  /** No answer for `waitedMs`: called once, after which the watchdog is stopped. */
  onUnresponsive(waitedMs: number): void;
}

interface OutstandingPing {
  id: number;
  sentAt: number;
  position: number;
}

/** Pings one runtime (see the module comment). States: `idle` → `watching` → `stopped`. */
export class PingWatchdog {
  readonly #o: PingWatchdogOptions;
  /** Pings out, oldest first; ids increase. */
  readonly #out: OutstandingPing[] = [];
  #nextId = 1;
  #timer: unknown;
  #state: 'idle' | 'watching' | 'stopped' = 'idle';

  constructor(options: PingWatchdogOptions) {
    this.#o = options;
  }

  /** Pings not answered yet. */
  get outstanding(): number {
    return this.#out.length;
  }

  /** Starts pinging: the first periodic ping goes after `intervalMs`. */
  start(): void {
    if (this.#state !== 'idle') return;
    this.#state = 'watching';
    this.#arm();
  }

  /** Sends a ping now (flow control: the caller wants `position` confirmed). */
  ping(): void {
    if (this.#state !== 'watching') return;
    const ping: OutstandingPing = {
      id: this.#nextId++,
      sentAt: this.#o.timers.now(),
      position: this.#o.position(),
    };
    this.#out.push(ping);
    if (this.#out.length === 1) this.#arm();
    this.#o.send(ping.id);
  }

  /**
   * The runtime answered ping `id`: it and every older ping are settled. Returns the position
   * now confirmed, or `undefined` for an id that is not out (stale, forged or repeated).
   */
  pong(id: number): number | undefined {
    if (this.#state !== 'watching') return undefined;
    let settled: OutstandingPing | undefined;
    while (this.#out.length > 0 && (this.#out[0] as OutstandingPing).id <= id) {
      settled = this.#out.shift();
    }
    if (settled === undefined) return undefined;
    this.#arm();
    return settled.position;
  }

  /** Stops for good: no more pings, no report. Idempotent. */
  stop(): void {
    this.#state = 'stopped';
    this.#clear();
    this.#out.length = 0;
  }

  /** One timer: the deadline of the oldest ping out, else the next periodic ping. */
  #arm(): void {
    this.#clear();
    const oldest = this.#out[0];
    const { timers, timeoutMs, intervalMs } = this.#o;
    if (oldest === undefined) {
      this.#timer = timers.setTimeout(() => {
        this.#timer = undefined;
        this.ping();
      }, intervalMs);
      return;
    }
    if (timeoutMs <= 0) return;
    const remaining = Math.max(0, oldest.sentAt + timeoutMs - timers.now());
    this.#timer = timers.setTimeout(() => {
      this.#timer = undefined;
      this.#expire();
    }, remaining);
  }

  #expire(): void {
    const oldest = this.#out[0];
    if (this.#state !== 'watching' || oldest === undefined) return;
    const waited = this.#o.timers.now() - oldest.sentAt;
    if (waited < this.#o.timeoutMs) {
      this.#arm();
      return;
    }
    this.stop();
    this.#o.onUnresponsive(waited);
  }

  #clear(): void {
    if (this.#timer === undefined) return;
    this.#o.timers.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
