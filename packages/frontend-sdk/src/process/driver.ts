/**
 * The main-thread side of one frontend process: its state machine, its local deadlines and its
 * reports to the host. The handler itself runs on the other side of a `DriverToRealm` /
 * `RealmToDriver` seam (see `protocol.ts`), in this realm or in a Worker.
 */
import {
  type FrontendProcessExitReasonDTO,
  type FrontendProcessOutcome,
  type FrontendProcessStateDTO,
  type FrontendUplink,
  isTerminalProcessState,
  PROCESS_DEFAULTS,
} from '@spindle/types';
import type { TimerHandle, Timers } from '../timers.ts';
import type { DriverToRealm, RealmToDriver } from './protocol.ts';

/** Snapshot of a frontend process as the SDK sees it. */
export interface LocalProcessInfo {
  processId: string;
  extensionId: string;
  kind: string;
  key?: string;
  state: FrontendProcessStateDTO;
  exitReason?: FrontendProcessExitReasonDTO;
  error?: string;
}

/** Why a driver gave up on its handler side (worker isolation terminates the worker then). */
export type UnresponsiveReason = 'heartbeat' | 'end_ack';

/** Local deadline settings of a driver. */
export interface DriverDeadlines {
  /** Added to host deadlines so that the host, which started counting first, normally wins. */
  marginMs: number;
  /** Graceful stop → forced end when the handler does not finish. */
  stopGraceMs: number;
  /** Enforce the heartbeat deadline locally (worker isolation). */
  enforceHeartbeat: boolean;
  /** How long the handler side may take to acknowledge an `end` before it counts as hung. */
  endAckMs: number;
}

/** Default `DriverDeadlines`. */
export const DEFAULT_DRIVER_DEADLINES: DriverDeadlines = {
  marginMs: 1_000,
  stopGraceMs: PROCESS_DEFAULTS.frontendStopGraceMs,
  enforceHeartbeat: false,
  endAckMs: 1_000,
};

/** What a driver needs from its surroundings. */
export interface ProcessDriverDeps {
  timers: Timers;
  deadlines: DriverDeadlines;
  /** Report to the host (through the SDK's outbound queue). */
  uplink(message: FrontendUplink): void;
  /** Deliver to the handler side (through the extension's startup gate). */
  post(message: DriverToRealm): void;
  onChange(info: LocalProcessInfo, previous: FrontendProcessStateDTO | undefined): void;
  /** Something for or from this ended process was dropped. */
  onDrop(direction: 'in' | 'out'): void;
  onCleanupError(error: string): void;
  /** The handler side stopped answering; the process has already been ended locally. */
  onUnresponsive?(reason: UnresponsiveReason): void;
}

/** The `process_spawn` fields a driver starts from. */
export interface DriverSpawn {
  extensionId: string;
  processId: string;
  kind: string;
  key?: string;
  payload?: unknown;
  metadata?: Record<string, unknown>;
  startupTimeoutMs: number;
  heartbeatTimeoutMs: number;
}

const TRANSITIONS: Record<FrontendProcessStateDTO, readonly FrontendProcessStateDTO[]> = {
  starting: ['running', 'stopping', 'stopped', 'completed', 'failed', 'timed_out'],
  running: ['stopping', 'stopped', 'completed', 'failed', 'timed_out'],
  stopping: ['stopped', 'failed', 'timed_out'],
  stopped: [],
  completed: [],
  failed: [],
  timed_out: [],
};

function outcomeOf(state: FrontendProcessStateDTO): FrontendProcessOutcome {
  switch (state) {
    case 'completed':
      return 'completed';
    case 'stopped':
      return 'stopped';
    default:
      // The wire has no `timed_out` outcome: a local timeout is reported as a failure with
      // a message that says so.
      return 'failed';
  }
}

/** One frontend process, driven from the main thread. */
export class ProcessDriver {
  private stateValue: FrontendProcessStateDTO = 'starting';
  private exitReason: FrontendProcessExitReasonDTO | undefined;
  private error: string | undefined;
  private readySent = false;
  private deadline: TimerHandle | undefined;
  private endAck: TimerHandle | undefined;

  constructor(
    readonly spawnInfo: DriverSpawn,
    private readonly deps: ProcessDriverDeps,
  ) {}

  /** Current state. */
  get state(): FrontendProcessStateDTO {
    return this.stateValue;
  }

  /** True once the process reached a terminal state. */
  get ended(): boolean {
    return isTerminalProcessState(this.stateValue);
  }

  /** True while an `end` was posted to the handler side and not yet acknowledged. */
  get awaitingEndAck(): boolean {
    return this.endAck !== undefined;
  }

  /** Snapshot for events and listings. */
  info(): LocalProcessInfo {
    const { processId, extensionId, kind, key } = this.spawnInfo;
    const out: LocalProcessInfo = { processId, extensionId, kind, state: this.stateValue };
    if (key !== undefined) out.key = key;
    if (this.exitReason !== undefined) out.exitReason = this.exitReason;
    if (this.error !== undefined) out.error = this.error;
    return out;
  }

  /** Starts the process: arms the startup deadline and hands the spawn to the handler side. */
  start(): void {
    const { processId, kind, key, payload, metadata, startupTimeoutMs } = this.spawnInfo;
    this.deps.onChange(this.info(), undefined);
    this.arm(startupTimeoutMs + this.deps.deadlines.marginMs, () =>
      this.end('timed_out', 'timed_out', {
        error: `[spindle] process ${processId} (${kind}) did not call ready() within ${startupTimeoutMs} ms`,
      }),
    );
    const spawn: DriverToRealm = { type: 'spawn', processId, kind };
    if (key !== undefined) spawn.key = key;
    if (payload !== undefined) spawn.payload = payload;
    if (metadata !== undefined) spawn.metadata = metadata;
    this.deps.post(spawn);
  }

  /** A `process_message` from the host. */
  deliver(payload: unknown): void {
    if (this.ended) {
      this.deps.onDrop('in');
      return;
    }
    this.deps.post({ type: 'message', processId: this.spawnInfo.processId, payload });
  }

  /** A `process_stop` from the host. */
  stop(reason: string | undefined, force: boolean): void {
    if (this.ended) return;
    if (force) {
      this.end('stopped', 'stopped', {});
      return;
    }
    if (this.stateValue === 'stopping') return;
    this.transition('stopping');
    this.arm(this.deps.deadlines.stopGraceMs + this.deps.deadlines.marginMs, () =>
      this.end('stopped', 'stopped', {}),
    );
    const stop: DriverToRealm = { type: 'stop', processId: this.spawnInfo.processId };
    if (reason !== undefined) stop.reason = reason;
    this.deps.post(stop);
  }

  /** A `process_terminated` from the host: end without reporting back. */
  terminate(
    state: FrontendProcessStateDTO,
    exitReason: FrontendProcessExitReasonDTO,
    error?: string,
  ): void {
    const terminal = isTerminalProcessState(state) ? state : 'stopped';
    this.end(terminal, exitReason, { silent: true, error });
  }

  /** The extension is unloading; its whole realm goes, so no acknowledgement is awaited. */
  unload(): void {
    this.end('stopped', 'frontend_unloaded', { realmGoing: true });
  }

  /** Fails the process from the SDK side (e.g. the startup queue overflowed). */
  failLocally(error: string): void {
    this.end('failed', 'failed', { error });
  }

  /** A message from the handler side. */
  receive(message: RealmToDriver): void {
    switch (message.type) {
      case 'ready':
        if (this.ended || this.readySent) return;
        this.readySent = true;
        this.deps.uplink({ type: 'process_ready', processId: this.spawnInfo.processId });
        if (this.stateValue === 'starting') {
          this.transition('running');
          this.armHeartbeat();
        }
        return;
      case 'heartbeat':
        if (this.ended) return;
        this.deps.uplink({ type: 'process_heartbeat', processId: this.spawnInfo.processId });
        if (this.stateValue === 'running') this.armHeartbeat();
        return;
      case 'message':
        if (this.ended) {
          this.deps.onDrop('out');
          return;
        }
        this.deps.uplink({
          type: 'process_message',
          processId: this.spawnInfo.processId,
          payload: message.payload,
        });
        return;
      case 'completed':
        this.end(this.stateValue === 'stopping' ? 'stopped' : 'completed', undefined, {
          fromRealm: true,
        });
        return;
      case 'failed':
        this.end('failed', 'failed', { error: message.error, fromRealm: true });
        return;
      case 'ended':
        this.clearEndAck();
        return;
      case 'cleanup_error':
        this.deps.onCleanupError(message.error);
        return;
      case 'dropped':
        this.deps.onDrop(message.direction);
        return;
    }
  }

  private end(
    state: FrontendProcessStateDTO,
    exitReason: FrontendProcessExitReasonDTO | undefined,
    options: {
      error?: string | undefined;
      silent?: boolean;
      fromRealm?: boolean;
      realmGoing?: boolean;
    },
  ): boolean {
    if (this.ended) return false;
    this.clearDeadline();
    this.exitReason = exitReason ?? (state as FrontendProcessExitReasonDTO);
    if (options.error !== undefined) this.error = options.error;
    this.transition(state);
    const { processId } = this.spawnInfo;
    if (!options.silent) {
      const ended: FrontendUplink = {
        type: 'process_ended',
        processId,
        outcome: this.exitReason === 'frontend_unloaded' ? 'frontend_unloaded' : outcomeOf(state),
      };
      if (this.error !== undefined) ended.error = this.error;
      this.deps.uplink(ended);
    }
    if (!options.fromRealm) {
      this.deps.post({ type: 'end', processId, reason: this.exitReason });
      if (this.deps.onUnresponsive && !options.realmGoing) {
        const onUnresponsive = this.deps.onUnresponsive;
        this.endAck = this.deps.timers.setTimeout(() => {
          this.endAck = undefined;
          onUnresponsive('end_ack');
        }, this.deps.deadlines.endAckMs);
      }
    }
    return true;
  }

  private transition(next: FrontendProcessStateDTO): void {
    const previous = this.stateValue;
    if (!TRANSITIONS[previous].includes(next)) {
      throw new Error(
        `[spindle] process ${this.spawnInfo.processId}: no transition ${previous} → ${next}`,
      );
    }
    this.stateValue = next;
    this.deps.onChange(this.info(), previous);
  }

  private armHeartbeat(): void {
    const { heartbeatTimeoutMs, processId } = this.spawnInfo;
    if (!this.deps.deadlines.enforceHeartbeat || heartbeatTimeoutMs <= 0) {
      this.clearDeadline();
      return;
    }
    this.arm(heartbeatTimeoutMs + this.deps.deadlines.marginMs, () => {
      this.end('timed_out', 'timed_out', {
        error: `[spindle] process ${processId} missed its heartbeat deadline (${heartbeatTimeoutMs} ms)`,
      });
      // A live handler side would have beaten; assume it is stuck rather than wait for an ack.
      this.clearEndAck();
      this.deps.onUnresponsive?.('heartbeat');
    });
  }

  private arm(ms: number, onExpire: () => void): void {
    this.clearDeadline();
    this.deadline = this.deps.timers.setTimeout(() => {
      this.deadline = undefined;
      onExpire();
    }, ms);
  }

  private clearDeadline(): void {
    if (this.deadline === undefined) return;
    this.deps.timers.clearTimeout(this.deadline);
    this.deadline = undefined;
  }

  private clearEndAck(): void {
    if (this.endAck === undefined) return;
    this.deps.timers.clearTimeout(this.endAck);
    this.endAck = undefined;
  }
}
