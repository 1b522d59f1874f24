/**
 * Run-time lists of the string unions the protocols use, each checked against its type at
 * compile time so that a value added to the union cannot be forgotten here.
 */
import type {
  BackendProcessExitReasonDTO,
  FrontendProcessExitReasonDTO,
  FrontendProcessStateDTO,
} from '../dto.ts';
import type { SpindleErrorCode } from '../errors.ts';
import type { ActivationPolicy } from '../manifest.ts';
import type {
  RuntimeExitReason,
  RuntimeStatsPhase,
  SandboxLayer,
  SpindleRuntimeMode,
} from '../runtime.ts';
import type { ExtensionStateDTO, FrontendProcessOutcome } from '../wire-protocol.ts';
import type { LogLevel, StorageOp } from '../worker-protocol.ts';
import type { Expect, Mutual } from './sync.ts';

/** Every `SpindleErrorCode`, in declaration order. */
export const SPINDLE_ERROR_CODES = [
  'INVALID_JSON',
  'INVALID_FRAME',
  'UNKNOWN_TYPE',
  'FRAME_TOO_LARGE',
  'PROTOCOL_VERSION_MISMATCH',
  'HANDSHAKE_REQUIRED',
  'RATE_LIMITED',
  'SESSION_LIMIT',
  'INVALID_OPTIONS',
  'INVALID_MANIFEST',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'SPAWN_TIMEOUT',
  'EXITED_BEFORE_READY',
  'FAILED_BEFORE_READY',
  'STOPPED_BEFORE_READY',
  'REPLACED',
  'DUPLICATE_PROCESS',
  'PROCESS_LIMIT',
  'PROCESS_NOT_FOUND',
  'PROCESS_ENDED',
  'NO_FRONTEND_SESSION',
  'UNKNOWN_KIND',
  'EXTENSION_NOT_FOUND',
  'EXTENSION_INACTIVE',
  'EXTENSION_UNLOADED',
  'IMPORT_FAILED',
  'SETUP_FAILED',
  'IMPORT_TIMEOUT',
  'READY_TIMEOUT',
  'RUNTIME_GONE',
  'RUNTIME_BUSY',
  'HOST_CLOSING',
  'DRAINING',
  'CAPACITY_EXCEEDED',
  'PERMISSION_DENIED',
  'SERVICE_ERROR',
  'SERVICE_TIMEOUT',
  'SERVICE_UNAVAILABLE',
  'QUEUE_FULL',
  'NOT_CONNECTED',
  'STORAGE_PATH',
  'STORAGE_IO',
  'STORAGE_QUOTA',
  'TIMEOUT',
  'LAUNCH_REFUSED',
  'INTERNAL',
] as const satisfies readonly SpindleErrorCode[];

/** Every `FrontendProcessStateDTO` (also the backend states). */
export const PROCESS_STATES = [
  'starting',
  'running',
  'stopping',
  'stopped',
  'completed',
  'failed',
  'timed_out',
] as const satisfies readonly FrontendProcessStateDTO[];

/** Every `FrontendProcessExitReasonDTO`. */
export const FRONTEND_EXIT_REASONS = [
  'completed',
  'failed',
  'stopped',
  'timed_out',
  'frontend_unloaded',
  'backend_unloaded',
  'replaced',
] as const satisfies readonly FrontendProcessExitReasonDTO[];

/** Every `BackendProcessExitReasonDTO`. */
export const BACKEND_EXIT_REASONS = [
  'completed',
  'failed',
  'stopped',
  'timed_out',
  'backend_unloaded',
  'replaced',
] as const satisfies readonly BackendProcessExitReasonDTO[];

/** Every `FrontendProcessOutcome`. */
export const FRONTEND_OUTCOMES = [
  'completed',
  'failed',
  'stopped',
  'frontend_unloaded',
] as const satisfies readonly FrontendProcessOutcome[];

/** Every `ExtensionStateDTO`. */
export const EXTENSION_STATES = [
  'disabled',
  'starting',
  'running',
  'stopping',
  'restarting',
  'failed',
  'crashed',
  'hibernated',
  'error',
] as const satisfies readonly ExtensionStateDTO[];

/** Every `ActivationPolicy`. */
export const ACTIVATION_POLICIES = ['eager', 'lazy'] as const satisfies readonly ActivationPolicy[];

/** Every `SpindleRuntimeMode`, as a tuple for `v.picklist`. */
export const RUNTIME_MODE_VALUES = [
  'process',
  'sandbox',
  'worker',
] as const satisfies readonly SpindleRuntimeMode[];
/** Every `SandboxLayer`. */
export const SANDBOX_LAYERS = [
  'bwrap',
  'landlock',
  'seccomp',
  'pids',
  'sandbox-exec',
] as const satisfies readonly SandboxLayer[];
/** Every `RuntimeStatsPhase`. */
export const STATS_PHASES = [
  'startup',
  'sample',
  'shutdown',
] as const satisfies readonly RuntimeStatsPhase[];
/** Every `RuntimeExitReason`. */
export const RUNTIME_EXIT_REASONS = [
  'stopped',
  'idle',
  'evicted',
  'hibernated',
  'killed',
  'crashed',
  'exited_clean',
  'import_failed',
  'exited_before_ready',
  'ready_timeout',
  'launch_failed',
  'memory_limit',
  'unresponsive',
] as const satisfies readonly RuntimeExitReason[];
/** Every `LogLevel`. */
export const LOG_LEVELS = ['info', 'warn', 'error'] as const satisfies readonly LogLevel[];
/** Every `StorageOp`. */
export const STORAGE_OPS = [
  'read',
  'write',
  'read_binary',
  'write_binary',
  'delete',
  'exists',
  'list',
  'mkdir',
  'move',
  'stat',
] as const satisfies readonly StorageOp[];

type _Lists = [
  Expect<Mutual<(typeof SPINDLE_ERROR_CODES)[number], SpindleErrorCode>>,
  Expect<Mutual<(typeof PROCESS_STATES)[number], FrontendProcessStateDTO>>,
  Expect<Mutual<(typeof FRONTEND_EXIT_REASONS)[number], FrontendProcessExitReasonDTO>>,
  Expect<Mutual<(typeof BACKEND_EXIT_REASONS)[number], BackendProcessExitReasonDTO>>,
  Expect<Mutual<(typeof FRONTEND_OUTCOMES)[number], FrontendProcessOutcome>>,
  Expect<Mutual<(typeof EXTENSION_STATES)[number], ExtensionStateDTO>>,
  Expect<Mutual<(typeof ACTIVATION_POLICIES)[number], ActivationPolicy>>,
  Expect<Mutual<(typeof RUNTIME_MODE_VALUES)[number], SpindleRuntimeMode>>,
  Expect<Mutual<(typeof SANDBOX_LAYERS)[number], SandboxLayer>>,
  Expect<Mutual<(typeof STATS_PHASES)[number], RuntimeStatsPhase>>,
  Expect<Mutual<(typeof RUNTIME_EXIT_REASONS)[number], RuntimeExitReason>>,
  Expect<Mutual<(typeof LOG_LEVELS)[number], LogLevel>>,
  Expect<Mutual<(typeof STORAGE_OPS)[number], StorageOp>>,
];
