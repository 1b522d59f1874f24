/**
 * The supervisor state machine of one process, shared by both process kinds. It owns the
 * deadlines (startup, heartbeat, stop grace, exit settle), the exactly-once settlement of the
 * spawn promise, the lifecycle events and the kill switch. What a "process" physically is (a Bun
 * subprocess, a handler in a browser tab) hides behind `ProcessDriver`.
 */
import type { SpindleErrorCode } from '@spindle/types';
import { SpindleError } from '@spindle/types';
import { isoTime } from './clock.ts';
import { Deadlines } from './deadlines.ts';
import {
  assertTransition,
  isTerminalState,
  type ProcessExitReason,
  type ProcessState,
  type StopExitReason,
  type TerminalProcessState,
} from './states.ts';
import type {
  MachineStopOptions,
  ProcessCounters,
  ProcessDriver,
  ProcessExit,
  ProcessInfo,
  ProcessLifecycleEvent,
  ProcessMachineOptions,
} from './types.ts';

const STOP_REJECT_CODES: Record<StopExitReason, SpindleErrorCode> = {
  stopped: 'STOPPED_BEFORE_READY',
  replaced: 'REPLACED',
  backend_unloaded: 'EXTENSION_UNLOADED',
  frontend_unloaded: 'EXTENSION_UNLOADED',
};

function noop(): void {}

/** One supervised process. Inputs are idempotent; nothing happens after the terminal state. */
export class ProcessMachine {
  readonly processId: string;
  readonly kind: string;
  readonly key: string | undefined;
  readonly userId: string | undefined;
  readonly counters: ProcessCounters = { droppedFromProcess: 0, droppedToProcess: 0 };
  /** Resolves with the info on `ready()`; rejects with a typed error if it ends first. */
  readonly spawned: Promise<ProcessInfo>;
  /** Resolves with the final info once the process is terminal. */
  readonly ended: Promise<ProcessInfo>;

  #state: ProcessState = 'starting';
  readonly #opts: ProcessMachineOptions;
  readonly #metadata: Record<string, unknown> | undefined;
  readonly #startedAt: number;
  #readyAt: number | undefined;
  #lastHeartbeatAt: number | undefined;
  #endedAt: number | undefined;
  #exitReason: ProcessExitReason | undefined;
  #error: string | undefined;
  #driver: ProcessDriver | undefined;
  #alive = false;
  #killed = false;
  #settled = false;
  #heartbeatHeld = false;
  #stopExitReason: StopExitReason = 'stopped';
  readonly #deadlines: Deadlines;
  #resolveSpawn: (info: ProcessInfo) => void = noop;
  #rejectSpawn: (error: SpindleError) => void = noop;
  #resolveEnded: (info: ProcessInfo) => void = noop;

  constructor(options: ProcessMachineOptions) {
    this.#opts = options;
    this.processId = options.processId;
    this.kind = options.kind;
    this.key = options.key;
    this.userId = options.userId;
    this.#metadata = options.metadata;
    this.#startedAt = options.timers.now();
    this.#deadlines = new Deadlines(options.timers);
    this.spawned = new Promise<ProcessInfo>((resolve, reject) => {
      this.#resolveSpawn = resolve;
      this.#rejectSpawn = reject;
    });
    // The owner may never await `spawned` (e.g. a replaced process nobody waits for).
    this.spawned.catch(noop);
    this.ended = new Promise<ProcessInfo>((resolve) => {
      this.#resolveEnded = resolve;
    });
  }

  /** Current state. */
  get state(): ProcessState {
    return this.#state;
  }

  /** True once the process reached a terminal state. */
  get isTerminal(): boolean {
    return isTerminalState(this.#state);
  }

  /** True while the physical process may still be running (started, no exit seen, not killed). */
  get isAlive(): boolean {
    return this.#alive;
  }

  /** Snapshot, as the DTO. */
  info(): ProcessInfo {
    const info: ProcessInfo = {
      processId: this.processId,
      kind: this.kind,
      state: this.#state,
      startedAt: isoTime(this.#startedAt),
    };
    if (this.key !== undefined) info.key = this.key;
    if (this.userId !== undefined) info.userId = this.userId;
    if (this.#metadata !== undefined) info.metadata = this.#metadata;
    if (this.#readyAt !== undefined) info.readyAt = isoTime(this.#readyAt);
    if (this.#lastHeartbeatAt !== undefined) info.lastHeartbeatAt = isoTime(this.#lastHeartbeatAt);
    if (this.#endedAt !== undefined) info.endedAt = isoTime(this.#endedAt);
    if (this.#exitReason !== undefined) info.exitReason = this.#exitReason;
    if (this.#error !== undefined) info.error = this.#error;
    return info;
  }

  /**
   * Emits `starting`, arms the startup deadline and starts the physical process. A factory that
   * throws ends the process `failed` and rejects the spawn with `FAILED_BEFORE_READY`.
   */
  start(createDriver: (machine: ProcessMachine) => ProcessDriver): void {
    if (this.#driver !== undefined || this.isTerminal) return;
    this.#emit(undefined);
    const ms = this.#opts.startupTimeoutMs;
    this.#deadlines.arm('startup', ms, () =>
      this.#end('timed_out', 'timed_out', `no ready() within ${ms} ms`, {
        code: 'SPAWN_TIMEOUT',
        message: `timed out in state starting: no ready() within ${ms} ms`,
      }),
    );
    try {
      this.#driver = createDriver(this);
      this.#alive = true;
    } catch (error) {
      this.#end('failed', 'failed', `could not start: ${messageOf(error)}`, {
        code: 'FAILED_BEFORE_READY',
        cause: error,
      });
    }
  }

  /** The process reported `ready()`: `running`, the spawn resolves, the heartbeat is armed. */
  ready(): boolean {
    if (this.#state !== 'starting') return false;
    const now = this.#opts.timers.now();
    this.#deadlines.clear('startup');
    this.#readyAt = now;
    this.#lastHeartbeatAt = now;
    this.#transition('running');
    if (!this.#heartbeatHeld) this.#armHeartbeat();
    this.#settle(undefined);
    return true;
  }

  /** A heartbeat: re-arms the watchdog, never emits an event. Ignored before ready and after the end. */
  heartbeat(): boolean {
    if (this.#state !== 'running' && this.#state !== 'stopping') return false;
    this.#lastHeartbeatAt = this.#opts.timers.now();
    if (this.#state === 'running' && !this.#heartbeatHeld) this.#armHeartbeat();
    return true;
  }

  /**
   * Suspends the heartbeat watchdog while the channel to the process is down for a reason the
   * process cannot help (its frontend session is disconnected): heartbeats it sends meanwhile are
   * queued on its side, not lost. The owner must arm its own deadline for the outage.
   */
  holdHeartbeat(): void {
    if (this.isTerminal || this.#heartbeatHeld) return;
    this.#heartbeatHeld = true;
    this.#deadlines.clear('heartbeat');
  }

  /** Ends `holdHeartbeat`: the watchdog restarts with a full deadline from now. */
  releaseHeartbeat(): void {
    if (!this.#heartbeatHeld) return;
    this.#heartbeatHeld = false;
    if (this.#state === 'running') this.#armHeartbeat();
  }

  /** Whether a message from the process may be delivered; a refused one is counted. */
  acceptFromProcess(): boolean {
    if (this.isTerminal) {
      this.counters.droppedFromProcess += 1;
      return false;
    }
    return true;
  }

  /** Whether a message to the process may be sent; a refused one is counted. */
  acceptToProcess(): boolean {
    if (this.isTerminal || !this.#alive) {
      this.counters.droppedToProcess += 1;
      return false;
    }
    return true;
  }

  /** `complete()`: `completed`, or `stopped` after a stop request. */
  complete(): boolean {
    if (this.isTerminal) return false;
    if (this.#state === 'stopping') return this.#end('stopped', this.#stopExitReason);
    return this.#end('completed', 'completed', undefined, {
      code: 'EXITED_BEFORE_READY',
      message: 'completed before ready',
    });
  }

  /**
   * `fail(error)`: `failed`, in any live state. The host passes `frontend_unloaded` or
   * `backend_unloaded` when the failure is the loss of the process's side, not its own error.
   */
  fail(
    error: string,
    exitReason: Extract<
      ProcessExitReason,
      'failed' | 'frontend_unloaded' | 'backend_unloaded'
    > = 'failed',
  ): boolean {
    if (this.isTerminal) return false;
    return this.#end('failed', exitReason, error, { code: 'FAILED_BEFORE_READY' });
  }

  /** The process answered a stop request (or stopped on its own): `stopped`. */
  stopped(): boolean {
    if (this.isTerminal) return false;
    return this.#end('stopped', this.#state === 'stopping' ? this.#stopExitReason : 'stopped');
  }

  /**
   * Stop request: `stopping`, a stop message, the forced end after the grace. Pending spawns
   * reject at once. Calling it again (double stop) returns the same `ended` promise.
   */
  stop(options: MachineStopOptions = {}): Promise<ProcessInfo> {
    if (this.isTerminal || this.#state === 'stopping') return this.ended;
    const exitReason = options.exitReason ?? 'stopped';
    this.#stopExitReason = exitReason;
    this.#deadlines.clear('startup');
    this.#deadlines.clear('heartbeat');
    const wasReady = this.#state === 'running';
    this.#transition('stopping');
    if (!wasReady) {
      this.#settle({
        code: options.rejectCode ?? STOP_REJECT_CODES[exitReason],
        message: `${exitReason} before ready`,
      });
    }
    const graceMs = options.graceMs ?? this.#opts.stopGraceMs;
    if (this.#alive && graceMs > 0) {
      try {
        this.#driver?.requestStop(options.reason);
      } catch {
        // A stop message that cannot be sent changes nothing: the grace timer still ends it.
      }
      this.#deadlines.arm('grace', graceMs, () => this.#end('stopped', exitReason));
    } else if (!this.#deadlines.armed('settle')) {
      this.#end('stopped', exitReason);
    }
    return this.ended;
  }

  /**
   * The transport reports the process gone. A terminal message may still be in flight, so the
   * outcome is decided after `exitSettleMs`: a stop request → `stopped`, otherwise `failed`.
   */
  exited(exit: ProcessExit = {}): void {
    if (this.isTerminal || !this.#alive) return;
    this.#alive = false;
    this.#deadlines.clear('startup');
    this.#deadlines.clear('heartbeat');
    this.#deadlines.clear('grace');
    const decide = (): void => {
      if (this.#state === 'stopping') {
        this.#end('stopped', this.#stopExitReason);
        return;
      }
      const how =
        exit.signal != null
          ? `signal ${exit.signal}`
          : `code ${String(exit.exitCode ?? 'unknown')}`;
      this.#end('failed', 'failed', `exited with ${how} without a terminal message`, {
        code: 'EXITED_BEFORE_READY',
        message: `exited before ready (${how})`,
        details: {
          exitCode: exit.exitCode ?? null,
          signal: exit.signal ?? null,
          stderrTail: exit.stderrTail ?? '',
        },
      });
    };
    const settleMs = this.#opts.exitSettleMs ?? 0;
    if (settleMs > 0) this.#deadlines.arm('settle', settleMs, decide);
    else decide();
  }

  /** The channel to the process broke without an exit: `failed` at once, the process is killed. */
  transportLost(error: string): boolean {
    if (this.isTerminal) return false;
    return this.#end('failed', 'failed', error, { code: 'FAILED_BEFORE_READY' });
  }

  /**
   * Ends the process at once by force: used by `close()`. Emits `stopping` then `stopped` so the
   * table holds; pending spawns reject with `rejectCode`.
   */
  terminate(exitReason: StopExitReason, rejectCode: SpindleErrorCode): Promise<ProcessInfo> {
    if (this.#state === 'stopping') {
      this.#end('stopped', this.#stopExitReason);
      return this.ended;
    }
    return this.stop({ exitReason, rejectCode, graceMs: 0 });
  }

  #armHeartbeat(): void {
    this.#deadlines.clear('heartbeat');
    const ms = this.#opts.heartbeatTimeoutMs;
    if (ms <= 0) return;
    this.#deadlines.arm('heartbeat', ms, () =>
      this.#end('timed_out', 'timed_out', `no heartbeat within ${ms} ms`),
    );
  }

  #transition(to: ProcessState, reason?: ProcessExitReason): void {
    assertTransition(this.processId, this.#state, to, reason);
    const from = this.#state;
    this.#state = to;
    this.#emit(from);
  }

  #end(
    state: TerminalProcessState,
    reason: ProcessExitReason,
    error?: string,
    rejection?: RejectionSpec,
  ): boolean {
    if (this.isTerminal) return false;
    this.#deadlines.clearAll();
    if (this.#alive && !this.#killed) {
      this.#killed = true;
      this.#alive = false;
      try {
        this.#driver?.kill();
      } catch {
        // The process may already be gone; the exit event would have been ignored anyway.
      }
    }
    this.#alive = false;
    this.#endedAt = this.#opts.timers.now();
    this.#exitReason = reason;
    if (error !== undefined) this.#error = error;
    this.#transition(state, reason);
    this.#settle(
      rejection ?? { code: 'EXITED_BEFORE_READY', message: `ended ${state} before ready` },
    );
    const driver = this.#driver;
    this.#driver = undefined;
    try {
      driver?.dispose();
    } catch {
      // Disposal is best effort; the process is already terminal.
    }
    this.#resolveEnded(this.info());
    return true;
  }

  /** Settles the spawn once: resolves when `rejection` is undefined, else rejects. */
  #settle(rejection: RejectionSpec | undefined): void {
    if (this.#settled) return;
    this.#settled = true;
    if (rejection === undefined) {
      this.#resolveSpawn(this.info());
      return;
    }
    const noun = this.#opts.noun ?? 'process';
    const message = rejection.message ?? this.#error ?? `ended ${this.#state}`;
    this.#rejectSpawn(
      new SpindleError(rejection.code, `${noun} ${this.processId} ${message}`, {
        cause: rejection.cause,
        details: {
          processId: this.processId,
          kind: this.kind,
          state: this.#state,
          ...(this.#exitReason === undefined ? {} : { exitReason: this.#exitReason }),
          ...(this.#error === undefined ? {} : { error: this.#error }),
          ...rejection.details,
        },
      }),
    );
  }

  #emit(previousState: ProcessState | undefined): void {
    const event: ProcessLifecycleEvent = {
      processId: this.processId,
      kind: this.kind,
      state: this.#state,
      at: isoTime(this.#opts.timers.now()),
    };
    if (this.key !== undefined) event.key = this.key;
    if (this.userId !== undefined) event.userId = this.userId;
    if (previousState !== undefined) event.previousState = previousState;
    if (this.#exitReason !== undefined && isTerminalState(this.#state)) {
      event.exitReason = this.#exitReason;
    }
    if (this.#error !== undefined && isTerminalState(this.#state)) event.error = this.#error;
    if (this.#metadata !== undefined) event.metadata = this.#metadata;
    try {
      this.#opts.onLifecycle(event);
    } catch {
      // A listener's bug must not break the supervisor.
    }
  }
}

interface RejectionSpec {
  code: SpindleErrorCode;
  message?: string;
  cause?: unknown;
  details?: Record<string, unknown>;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
