/**
 * The lifecycle of one extension's backend runtime: an explicit state machine over
 * `ExtensionStateDTO`, with every start and stop of the extension serialized through one queue
 * so that two runtimes of one extension never coexist. Medium-agnostic: the runtime comes from
 * an injected `launch()`, the clock from injected `timers`.
 */
import {
  type ExtensionStateDTO,
  errorMessage,
  type SerializedError,
  SpindleError,
} from '@spindle/types';
import { EXTENSION_TRANSITIONS, type ExtensionControllerOptions } from './controller-types.ts';
import { CrashPolicy } from './crash-policy.ts';
import type { LimitReason } from './runtime-guard.ts';
import { listenToRuntime } from './runtime-inbound.ts';
import { SerialQueue } from './serial-queue.ts';
import { type ResolvedRuntimeTiming, resolveTiming } from './timing.ts';
import {
  type RuntimeExitReason,
  type RuntimeExitStatus,
  type RuntimeInstance,
  realTimers,
  type Timers,
} from './types.ts';

type StartOutcome =
  | { kind: 'ready' }
  | { kind: 'init_failed'; error: SerializedError }
  | { kind: 'exit'; status: RuntimeExitStatus }
  | { kind: 'timeout' }
  | { kind: 'aborted' };

/** States in which `exitReason` tells how the last runtime ended. */
const ENDED_STATES: ReadonlySet<ExtensionStateDTO> = new Set(['failed', 'crashed', 'restarting']);

export {
  EXTENSION_TRANSITIONS,
  type ExtensionControllerOptions,
  type ExtensionStateChange,
  type RuntimeExitEvent,
} from './controller-types.ts';

/** Controls the runtime of one extension. */
export class ExtensionController {
  readonly #o: ExtensionControllerOptions;
  readonly #timing: ResolvedRuntimeTiming;
  readonly #timers: Timers;
  readonly #queue = new SerialQueue();
  readonly #crashes: CrashPolicy;
  /** Runtimes being ended on purpose: their exit is not a crash. */
  readonly #deliberate = new WeakSet<RuntimeInstance>();
  /** Runtimes killed for a limit: their exit is a crash with this reason. */
  readonly #limitKills = new WeakMap<RuntimeInstance, { reason: LimitReason; message: string }>();
  /** How the last runtime ended (reported while `failed`, `crashed` or `restarting`). */
  #exitReason: RuntimeExitReason | undefined;
  #state: ExtensionStateDTO = 'disabled';
  #error: string | undefined;
  #runtime: RuntimeInstance | null = null;
  #restartTimer: unknown;
  #closed = false;
  /** Ends the wait for `ready` of a start in progress (the host is closing). */
  #abortStart: (() => void) | undefined;

  constructor(options: ExtensionControllerOptions) {
    this.#o = options;
    this.#timing = resolveTiming(options.timing);
    this.#timers = options.timers ?? realTimers;
    this.#crashes = new CrashPolicy(this.#timing);
  }

  /** Current state. */
  get state(): ExtensionStateDTO {
    return this.#state;
  }

  /** Why the extension is `failed` or `crashed`. */
  get error(): string | undefined {
    return this.#error;
  }

  /** The live runtime, if any. */
  get runtime(): RuntimeInstance | null {
    return this.#runtime;
  }

  /** How the last runtime ended, while the extension is `failed`, `crashed` or `restarting`. */
  get exitReason(): RuntimeExitReason | undefined {
    return ENDED_STATES.has(this.#state) ? this.#exitReason : undefined;
  }

  /**
   * Kills the running `runtime` for breaking a limit (its memory cap, the ping deadline). Its
   * exit is then a crash with `reason` as exit reason, and the crash policy applies. Ignored
   * for a runtime that is not the running one or is already being stopped.
   */
  endForLimit(runtime: RuntimeInstance, reason: LimitReason, message: string): void {
    if (this.#runtime !== runtime || this.#state !== 'running' || this.#deliberate.has(runtime)) {
      return;
    }
    if (this.#limitKills.has(runtime)) return;
    this.#limitKills.set(runtime, { reason, message });
    this.#o.onLog('error', `${message}: killing it (${reason})`);
    runtime.kill('SIGKILL');
  }

  /** Starts the runtime unless it is starting or running. After `crashed`, the crash count restarts. */
  enable(): Promise<void> {
    return this.#queue.run(async () => {
      this.#assertOpen('enable');
      if (this.#state === 'running' || this.#state === 'starting') return;
      this.#cancelRestart();
      if (this.#state === 'crashed' || this.#state === 'failed') this.#crashes.reset();
      await this.#start();
    });
  }

  /**
   * Enables the extension without starting its runtime: it is `hibernated` until `wake()` (lazy
   * activation). A running or starting runtime is left as it is.
   */
  enableDormant(): Promise<void> {
    return this.#queue.run(async () => {
      this.#assertOpen('enable');
      if (this.#state !== 'disabled' && this.#state !== 'failed' && this.#state !== 'crashed') {
        return;
      }
      this.#cancelRestart();
      this.#crashes.reset();
      this.#setState('hibernated');
    });
  }

  /** Starts the runtime of a `hibernated` extension; does nothing in any other state. */
  wake(): Promise<void> {
    return this.#queue.run(async () => {
      if (this.#closed || this.#state !== 'hibernated') return;
      await this.#start();
    });
  }

  /**
   * Stops a running runtime with exit reason `reason` and leaves the extension `hibernated`;
   * resolves false when it was not running.
   */
  hibernate(reason: 'idle' | 'evicted' | 'hibernated'): Promise<boolean> {
    return this.#queue.run(async () => {
      if (this.#closed || this.#state !== 'running' || !this.#runtime) return false;
      await this.#stop(this.#runtime, reason, reason);
      this.#setState('hibernated');
      return true;
    });
  }

  /** Stops the runtime (if any) and leaves the extension `disabled`. Idempotent. */
  disable(reason = 'disabled'): Promise<void> {
    return this.#queue.run(() => this.#disable(reason));
  }

  /** Stops the runtime (if any) and starts a fresh one. */
  restart(): Promise<void> {
    return this.#queue.run(async () => {
      this.#assertOpen('restart');
      this.#cancelRestart();
      if (this.#runtime) await this.#stop(this.#runtime, 'restart');
      this.#crashes.reset();
      await this.#start();
    });
  }

  /**
   * Stops for good; a start waiting for `ready` is cut short. Later `enable`/`restart` calls
   * fail with `HOST_CLOSING`.
   */
  close(): Promise<void> {
    this.#closed = true;
    this.#cancelRestart();
    this.#abortStart?.();
    return this.#queue.run(() => this.#disable('host closing'));
  }

  async #disable(reason: string): Promise<void> {
    this.#cancelRestart();
    if (this.#runtime) await this.#stop(this.#runtime, reason);
    this.#error = undefined;
    if (this.#state !== 'disabled') this.#setState('disabled');
  }

  #assertOpen(action: string): void {
    if (this.#closed) {
      throw new SpindleError(
        'HOST_CLOSING',
        `cannot ${action} ${this.#o.extensionId}: the host is closing`,
      );
    }
  }

  #setState(state: ExtensionStateDTO, error?: string): void {
    const previousState = this.#state;
    if (!EXTENSION_TRANSITIONS[previousState].includes(state)) {
      throw new SpindleError(
        'INTERNAL',
        `extension ${this.#o.extensionId}: no transition ${previousState} → ${state}`,
      );
    }
    this.#state = state;
    this.#error = error;
    const exitReason = this.exitReason;
    this.#o.onStateChange({
      extensionId: this.#o.extensionId,
      state,
      previousState,
      ...(error === undefined ? {} : { error }),
      ...(exitReason === undefined ? {} : { exitReason }),
      at: this.#timers.now(),
    });
  }

  async #start(): Promise<void> {
    this.#setState('starting');
    const startedAt = this.#timers.now();
    let runtime: RuntimeInstance;
    const init = this.#o.buildInit();
    try {
      runtime = await this.#o.launch(init);
    } catch (error) {
      const message = `cannot start the runtime: ${errorMessage(error)}`;
      this.#exitReason = 'launch_failed';
      this.#o.onExit({
        extensionId: this.#o.extensionId,
        reason: 'launch_failed',
        code: null,
        signal: null,
        error: message,
      });
      this.#setState('failed', message);
      return;
    }
    this.#runtime = runtime;
    const signals = listenToRuntime(runtime, {
      isCurrent: () => this.#runtime === runtime,
      onMessage: (message, from) => this.#o.onMessage(message, from),
      onLog: (level, message) => this.#o.onLog(level, message),
    });
    if (!runtime.initDelivered) runtime.channel.send(init);
    const deadline = this.#delay(this.#timing.readyTimeoutMs);
    const aborted = new Promise<StartOutcome>((resolve) => {
      this.#abortStart = () => resolve({ kind: 'aborted' });
    });
    if (this.#closed) this.#abortStart?.();
    const outcome = await Promise.race<StartOutcome>([
      signals.ready.then(() => ({ kind: 'ready' })),
      signals.initFailed.then((error) => ({ kind: 'init_failed', error })),
      runtime.exited.then((status) => ({ kind: 'exit', status })),
      deadline.promise.then(() => ({ kind: 'timeout' })),
      aborted,
    ]);
    deadline.cancel();
    this.#abortStart = undefined;
    if (outcome.kind === 'aborted') {
      await this.#stop(runtime, 'host closing');
      this.#setState('disabled');
      return;
    }
    if (outcome.kind === 'ready') {
      this.#setState('running');
      this.#o.onReady?.(runtime, this.#timers.now() - startedAt);
      void runtime.exited.then((status) => this.#onUnexpectedExit(runtime, status));
      return;
    }
    this.#deliberate.add(runtime);
    let reason: RuntimeExitReason;
    let message: string;
    let status: RuntimeExitStatus;
    if (outcome.kind === 'init_failed') {
      reason = 'import_failed';
      message = `backend entry failed to import: ${outcome.error.message}`;
      status = await this.#awaitExit(runtime, this.#timing.killGraceMs);
    } else if (outcome.kind === 'exit') {
      reason = 'exited_before_ready';
      message = `runtime exited before ready (${describeExit(outcome.status)})`;
      status = outcome.status;
    } else {
      reason = 'ready_timeout';
      message = `runtime did not report ready within ${this.#timing.readyTimeoutMs} ms`;
      runtime.kill('SIGKILL');
      status = await this.#awaitExit(runtime, this.#timing.killGraceMs);
    }
    const stderrTail = runtime.stderrTail();
    const error = stderrTail ? `${message}\nstderr:\n${stderrTail}` : message;
    this.#endRuntime(runtime, reason, status, error, stderrTail);
    this.#setState('failed', error);
  }

  /** Waits up to `ms` for a voluntary exit, then SIGKILLs and waits again. */
  async #awaitExit(runtime: RuntimeInstance, ms: number): Promise<RuntimeExitStatus> {
    const first = await this.#within(runtime.exited, ms);
    if (first) return first;
    runtime.kill('SIGKILL');
    return (await this.#within(runtime.exited, ms)) ?? { code: null, signal: 'SIGKILL' };
  }

  #onUnexpectedExit(runtime: RuntimeInstance, status: RuntimeExitStatus): void {
    if (this.#runtime !== runtime || this.#deliberate.has(runtime)) return;
    const clean = status.code === 0 && status.signal === null;
    const stderrTail = runtime.stderrTail();
    const limit = this.#limitKills.get(runtime);
    const reason: RuntimeExitReason = limit?.reason ?? (clean ? 'exited_clean' : 'crashed');
    const message = limit
      ? `${limit.message} (${reason}, ${describeExit(status)})`
      : `runtime ${clean ? 'exited by itself' : 'crashed'} (${describeExit(status)})`;
    this.#endRuntime(runtime, reason, status, message, stderrTail);
    const decision = this.#crashes.recordCrash(this.#timers.now());
    if (decision.action === 'give_up') {
      const error = `${message}; ${decision.crashesInWindow} crashes in a row, giving up until enabled again`;
      this.#o.onLog('error', error);
      this.#setState('crashed', stderrTail ? `${error}\nstderr:\n${stderrTail}` : error);
      return;
    }
    this.#o.onLog('warn', `${message}; restarting in ${decision.delayMs} ms`);
    this.#setState('restarting', message);
    this.#restartTimer = this.#timers.setTimeout(() => {
      this.#restartTimer = undefined;
      void this.#queue
        .run(async () => {
          if (this.#state === 'restarting' && !this.#closed) await this.#start();
        })
        .catch((error) => this.#o.onLog('error', `restart failed: ${errorMessage(error)}`));
    }, decision.delayMs);
  }

  #cancelRestart(): void {
    if (this.#restartTimer === undefined) return;
    this.#timers.clearTimeout(this.#restartTimer);
    this.#restartTimer = undefined;
  }

  async #stop(
    runtime: RuntimeInstance,
    reason: string,
    cleanReason: RuntimeExitReason = 'stopped',
  ): Promise<void> {
    this.#deliberate.add(runtime);
    this.#setState('stopping');
    this.#o.onStopping?.(runtime);
    const unload = this.#o.unloadProcesses().catch((error) => {
      this.#o.onLog('error', `ending the extension's processes failed: ${errorMessage(error)}`);
    });
    if (
      (await this.#within(
        unload.then(() => true),
        this.#timing.unloadTimeoutMs,
      )) === undefined
    ) {
      this.#o.onLog('warn', `processes did not end within ${this.#timing.unloadTimeoutMs} ms`);
    }
    runtime.channel.send({ type: 'shutdown', reason });
    let exitReason: RuntimeExitReason = cleanReason;
    let status = await this.#within(runtime.exited, this.#timing.shutdownTimeoutMs);
    if (!status) {
      exitReason = 'killed';
      this.#o.onLog(
        'warn',
        `runtime ignored shutdown for ${this.#timing.shutdownTimeoutMs} ms; sending SIGTERM`,
      );
      runtime.kill('SIGTERM');
      status = await this.#awaitExit(runtime, this.#timing.killGraceMs);
    }
    this.#endRuntime(runtime, exitReason, status);
  }

  #endRuntime(
    runtime: RuntimeInstance,
    reason: RuntimeExitReason,
    status: RuntimeExitStatus,
    error?: string,
    stderrTail?: string,
  ): void {
    if (this.#runtime === runtime) this.#runtime = null;
    this.#exitReason = reason;
    runtime.channel.close();
    this.#o.onExit({
      extensionId: this.#o.extensionId,
      reason,
      code: status.code,
      signal: status.signal,
      pid: runtime.pid,
      ...(error === undefined ? {} : { error }),
      ...(stderrTail ? { stderrTail } : {}),
    });
    this.#o.onGone?.(runtime);
  }

  #delay(ms: number): { promise: Promise<void>; cancel(): void } {
    let handle: unknown;
    const promise = new Promise<void>((resolve) => {
      handle = this.#timers.setTimeout(resolve, ms);
    });
    return { promise, cancel: () => this.#timers.clearTimeout(handle) };
  }

  /** `promise`'s value if it settles within `ms`, else `undefined`. */
  async #within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
    const deadline = this.#delay(ms);
    try {
      return await Promise.race([promise, deadline.promise.then(() => undefined)]);
    } finally {
      deadline.cancel();
    }
  }
}

function describeExit(status: RuntimeExitStatus): string {
  if (status.signal) return `signal ${status.signal}`;
  return `exit code ${status.code ?? 'unknown'}`;
}
