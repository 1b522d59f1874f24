/**
 * Process DTOs, mirrored field for field from `lumiverse-spindle-types`.
 *
 * Timestamps are ISO-8601 strings, as upstream. Frontend and backend processes share the state
 * machine; the backend DTOs additionally carry the `entry` the subprocess was started from.
 */

/** States of a supervised process. `stopped`, `completed`, `failed` and `timed_out` are terminal. */
export type FrontendProcessStateDTO =
  | 'starting'
  | 'running'
  | 'stopping'
  | 'stopped'
  | 'completed'
  | 'failed'
  | 'timed_out';

/** Why a frontend process ended. */
export type FrontendProcessExitReasonDTO =
  | 'completed'
  | 'failed'
  | 'stopped'
  | 'timed_out'
  | 'frontend_unloaded'
  | 'backend_unloaded'
  | 'replaced';

/** Options of `spindle.frontendProcesses.spawn()`. */
export interface FrontendProcessSpawnOptionsDTO {
  /** Kind registered by the frontend half with `ctx.processes.register(kind, handler)`. */
  kind: string;
  /** Dedupe key: at most one live process per `(userId, kind, key)`. */
  key?: string;
  /** Arbitrary JSON handed to the handler as `ctx.payload`. */
  payload?: unknown;
  /** Arbitrary JSON kept on the process info and lifecycle events. */
  metadata?: Record<string, unknown>;
  /** Target user. Required for operator-scoped extensions, implicit for user-scoped ones. */
  userId?: string;
  /**
   * Deadline for `ready()`, clamped to [1000, 120000].
   * @default 15000
   */
  startupTimeoutMs?: number;
  /**
   * Deadline between heartbeats once ready, clamped to [0, 120000]; 0 disables the watchdog.
   * @default 15000
   */
  heartbeatTimeoutMs?: number;
  /** With a `key` already live: stop the old process (`replaced`) instead of rejecting. */
  replaceExisting?: boolean;
  /**
   * Run the process in this frontend session (our extension of the upstream options).
   * Without it the host picks the most recently active session that has the extension mounted.
   */
  frontendSessionId?: string;
}

/** Filter of `spindle.frontendProcesses.list()`. */
export interface FrontendProcessListOptionsDTO {
  userId?: string;
  kind?: string;
  key?: string;
  state?: FrontendProcessStateDTO;
}

/** Snapshot of a frontend process. */
export interface FrontendProcessInfoDTO {
  processId: string;
  kind: string;
  key?: string;
  state: FrontendProcessStateDTO;
  userId?: string;
  metadata?: Record<string, unknown>;
  /** When `spawn()` was accepted. */
  startedAt: string;
  /** When the process called `ready()`. */
  readyAt?: string;
  /** Last heartbeat (or `ready()`), when there was one. */
  lastHeartbeatAt?: string;
  /** When the process reached a terminal state. */
  endedAt?: string;
  exitReason?: FrontendProcessExitReasonDTO;
  /** Error message of a failed or timed-out process. */
  error?: string;
}

/** Emitted on every state change of a frontend process (never on a plain heartbeat). */
export interface FrontendProcessLifecycleEventDTO {
  processId: string;
  kind: string;
  key?: string;
  userId?: string;
  state: FrontendProcessStateDTO;
  /** State before this change; absent on the first event (`starting`). */
  previousState?: FrontendProcessStateDTO;
  /** ISO time of the change. */
  at: string;
  exitReason?: FrontendProcessExitReasonDTO;
  error?: string;
  metadata?: Record<string, unknown>;
}

/** Options of `spindle.frontendProcesses.stop()`. */
export interface FrontendProcessStopOptionsDTO {
  userId?: string;
  /** Free text handed to the process's `onStop` handlers. */
  reason?: string;
}

/** States of a backend subprocess (same machine as the frontend one). */
export type BackendProcessStateDTO = FrontendProcessStateDTO;

/** Why a backend subprocess ended. `frontend_unloaded` never applies to it. */
export type BackendProcessExitReasonDTO =
  | 'completed'
  | 'failed'
  | 'stopped'
  | 'timed_out'
  | 'backend_unloaded'
  | 'replaced';

/** Options of `spindle.backendProcesses.spawn()`. */
export interface BackendProcessSpawnOptionsDTO {
  /**
   * Built JS file of the extension, relative to its root, under `dist/`, without `..`, ending in
   * `.js`, `.mjs` or `.cjs`. It exports its handler as `default` or `run`.
   */
  entry: string;
  /** Free label; defaults to the entry. */
  kind?: string;
  key?: string;
  payload?: unknown;
  metadata?: Record<string, unknown>;
  userId?: string;
  /** @default 15000 (clamped to [1000, 120000]) */
  startupTimeoutMs?: number;
  /** @default 15000 (clamped to [0, 120000]; 0 disables) */
  heartbeatTimeoutMs?: number;
  replaceExisting?: boolean;
}

/** Filter of `spindle.backendProcesses.list()`. */
export interface BackendProcessListOptionsDTO {
  userId?: string;
  kind?: string;
  key?: string;
  state?: BackendProcessStateDTO;
}

/** Snapshot of a backend subprocess. */
export interface BackendProcessInfoDTO {
  processId: string;
  entry: string;
  kind: string;
  key?: string;
  state: BackendProcessStateDTO;
  userId?: string;
  metadata?: Record<string, unknown>;
  startedAt: string;
  readyAt?: string;
  lastHeartbeatAt?: string;
  endedAt?: string;
  exitReason?: BackendProcessExitReasonDTO;
  error?: string;
}

/** Emitted on every state change of a backend subprocess. */
export interface BackendProcessLifecycleEventDTO {
  processId: string;
  entry: string;
  kind: string;
  key?: string;
  userId?: string;
  state: BackendProcessStateDTO;
  previousState?: BackendProcessStateDTO;
  at: string;
  exitReason?: BackendProcessExitReasonDTO;
  error?: string;
  metadata?: Record<string, unknown>;
}

/** Options of `spindle.backendProcesses.stop()`. */
export interface BackendProcessStopOptionsDTO {
  userId?: string;
  reason?: string;
}

/** Terminal states, shared by both kinds. */
export const TERMINAL_PROCESS_STATES = ['stopped', 'completed', 'failed', 'timed_out'] as const;

/** True when `state` is terminal. */
export function isTerminalProcessState(state: FrontendProcessStateDTO): boolean {
  return (TERMINAL_PROCESS_STATES as readonly string[]).includes(state);
}

/** Defaults and bounds of docs/architecture.md ("Deadlines and defaults"), shared by host and SDK. */
export const PROCESS_DEFAULTS = {
  startupTimeoutMs: 15_000,
  minStartupTimeoutMs: 1_000,
  maxStartupTimeoutMs: 120_000,
  heartbeatTimeoutMs: 15_000,
  maxHeartbeatTimeoutMs: 120_000,
  backendStopGraceMs: 5_000,
  frontendStopGraceMs: 5_000,
  maxBackendProcessesPerExtension: 16,
} as const;
