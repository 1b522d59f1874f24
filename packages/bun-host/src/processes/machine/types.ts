/** Types of the supervisor state machine: snapshots, events, the driver seam, options. */
import type { FrontendProcessInfoDTO, SpindleErrorCode } from '@spindle/types';
import type { SupervisorTimers } from './clock.ts';
import type { ProcessExitReason, ProcessState, StopExitReason } from './states.ts';

/** Snapshot of a process, kind-agnostic (the backend adds `entry`). */
export type ProcessInfo = FrontendProcessInfoDTO;

/** A state change, kind-agnostic (the backend adds `entry`). */
export interface ProcessLifecycleEvent {
  processId: string;
  kind: string;
  key?: string;
  userId?: string;
  state: ProcessState;
  /** Absent on the first event (`starting`). */
  previousState?: ProcessState;
  at: string;
  exitReason?: ProcessExitReason;
  error?: string;
  metadata?: Record<string, unknown>;
}

/** The physical side of a process, driven by the machine. */
export interface ProcessDriver {
  /** Asks the process to stop gracefully (`stop` message). Called at most once. */
  requestStop(reason: string | undefined): void;
  /** Ends the process by force (SIGKILL, forced stop). At most once, only while it is alive. */
  kill(): void;
  /** Releases listeners and handles. Exactly once, right after the terminal state. */
  dispose(): void;
}

/** How the transport ended, as far as it knows. */
export interface ProcessExit {
  exitCode?: number | null;
  signal?: string | null;
  /** Last bytes of stderr, when captured. */
  stderrTail?: string;
}

/** Construction options of a `ProcessMachine`. */
export interface ProcessMachineOptions {
  processId: string;
  kind: string;
  key?: string;
  userId?: string;
  metadata?: Record<string, unknown>;
  /** Already clamped. */
  startupTimeoutMs: number;
  /** Already clamped; 0 disables the heartbeat watchdog. */
  heartbeatTimeoutMs: number;
  /** Stop message → forced end. */
  stopGraceMs: number;
  /** After an exit, how long a terminal message may still arrive and win. @default 0 */
  exitSettleMs?: number;
  timers: SupervisorTimers;
  /** Called synchronously on every state change; errors it throws are swallowed. */
  onLifecycle(event: ProcessLifecycleEvent): void;
  /** Noun used in error messages. @default 'process' */
  noun?: string;
}

/** Options of `ProcessMachine.stop`. */
export interface MachineStopOptions {
  /** Free text for the process's `onStop` handlers. */
  reason?: string;
  /** Exit reason of the terminal `stopped` state. @default 'stopped' */
  exitReason?: StopExitReason;
  /** Grace before the forced end; 0 ends at once. Defaults to the machine's `stopGraceMs`. */
  graceMs?: number;
  /** Code a still-pending spawn rejects with. Derived from `exitReason` when absent. */
  rejectCode?: SpindleErrorCode;
}

/** Counters of one process. */
export interface ProcessCounters {
  /** Messages from the process that arrived after its end. */
  droppedFromProcess: number;
  /** Messages to the process refused because it had ended. */
  droppedToProcess: number;
}
