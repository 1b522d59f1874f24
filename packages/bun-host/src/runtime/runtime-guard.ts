/**
 * Keeps one running runtime within its limits (`limits.ts`): the ping watchdog, the byte cap of
 * its inbound queue (confirmed by the same pings) and its memory cap. Created when the runtime
 * reports `ready`, stopped when it stops or is gone; a broken limit is reported once through
 * `onLimit`, and the host kills the runtime.
 */
import { InboundBudget } from './inbound-budget.ts';
import type { RuntimeLimits } from './limits.ts';
import { MemoryCap } from './memory-cap.ts';
import { PingWatchdog, type WatchdogTimers } from './ping-watchdog.ts';
import type { RuntimeInstance } from './types.ts';

/** Exit reasons of a runtime killed for a limit. */
export type LimitReason = 'memory_limit' | 'unresponsive';

/** Options of a `RuntimeGuard`. */
export interface RuntimeGuardOptions {
  runtime: RuntimeInstance;
  limits: RuntimeLimits;
  timers: WatchdogTimers;
  /**
   * The memory of a subprocess runtime can be read (/proc); otherwise only `worker` runtimes
   * have a memory cap. @default true
   */
  procAvailable?: boolean;
  /** A limit was broken: kill the runtime with this exit reason. Called at most once. */
  onLimit(reason: LimitReason, message: string): void;
  /** Resident bytes of a process tree. @default from /proc */
  readRssBytes?: ((pid: number) => number | undefined) | undefined;
}

const MIB = 1024 * 1024;

/** The limits of one running runtime (see the module comment). */
export class RuntimeGuard {
  readonly #o: RuntimeGuardOptions;
  readonly #watchdog: PingWatchdog;
  readonly #budget: InboundBudget;
  readonly #memory: MemoryCap | undefined;
  #reported = false;

  constructor(options: RuntimeGuardOptions) {
    this.#o = options;
    const { runtime, limits, timers } = options;
    const position = () => runtime.channel.sentBytes ?? 0;
    this.#budget = new InboundBudget(limits.inboundQueueBytes);
    this.#watchdog = new PingWatchdog({
      intervalMs: limits.pingIntervalMs,
      timeoutMs: limits.pingTimeoutMs,
      timers,
      position,
      send: (id) => runtime.channel.send({ type: 'ping', id }),
      onUnresponsive: (waited) =>
        this.#limit(
          'unresponsive',
          `runtime did not answer a ping for ${waited} ms (pingTimeoutMs ${limits.pingTimeoutMs})`,
        ),
    });
    const measurable = runtime.mode === 'worker' || options.procAvailable !== false;
    if (limits.memoryLimitMb > 0 && measurable) {
      this.#memory = new MemoryCap({
        limitBytes: limits.memoryLimitMb * MIB,
        sampleMs: limits.memorySampleMs,
        pid: runtime.mode === 'worker' ? undefined : runtime.pid,
        timers,
        readRssBytes: options.readRssBytes,
        onExceeded: (used) =>
          this.#limit(
            'memory_limit',
            `runtime used ${Math.round(used / MIB)} MiB, more than its cap of ${limits.memoryLimitMb} MiB (memoryLimitMb)`,
          ),
      });
    }
  }

  /** Whether the runtime's memory is capped here. */
  get memoryCapped(): boolean {
    return this.#memory !== undefined;
  }

  /** Starts pinging and measuring. */
  start(): void {
    this.#watchdog.start();
    this.#memory?.start();
  }

  /** The runtime answered a ping (a worker's answer carries its heap). */
  pong(message: { id: number; heapBytes?: number | undefined }): void {
    const confirmed = this.#watchdog.pong(message.id);
    if (confirmed === undefined) return;
    this.#budget.confirm(confirmed);
    if (this.#o.runtime.mode === 'worker' && message.heapBytes !== undefined) {
      this.#memory?.report(message.heapBytes);
    }
  }

  /** Bytes sent to the runtime that it has not confirmed taking. */
  get unconfirmedBytes(): number {
    return this.#budget.unconfirmed(this.#o.runtime.channel.sentBytes ?? 0);
  }

  /** True when its inbound queue is at the cap: frontend messages are refused for now. */
  inboundFull(): boolean {
    return this.#budget.full(this.#o.runtime.channel.sentBytes ?? 0);
  }

  /** Something was sent to the runtime: ping when enough has gone out since the last mark. */
  sent(): void {
    if (this.#budget.mark(this.#o.runtime.channel.sentBytes ?? 0)) this.#watchdog.ping();
  }

  /** Stops every timer. Idempotent. */
  stop(): void {
    this.#watchdog.stop();
    this.#memory?.stop();
  }

  #limit(reason: LimitReason, message: string): void {
    if (this.#reported) return;
    this.#reported = true;
    this.stop();
    this.#o.onLimit(reason, message);
  }
}
