/** Backend runtime modes (docs/architecture.md, "Runtime modes"). */
export type SpindleRuntimeMode = 'process' | 'sandbox' | 'worker';

/** All runtime modes, in documentation order. */
export const RUNTIME_MODES: readonly SpindleRuntimeMode[] = ['process', 'sandbox', 'worker'];

/**
 * Sandbox layers that may be active for a runtime: `bwrap` (namespaces and a minimal file
 * system view), `landlock` (kernel file and network rules), `seccomp` (system call filter, no
 * exec after start), `pids` (a cap on the tasks it may run), `sandbox-exec` (macOS Seatbelt).
 */
export type SandboxLayer = 'bwrap' | 'landlock' | 'seccomp' | 'pids' | 'sandbox-exec';

/** Sandbox status reported in stats: the active layers, or `unavailable`. */
export type SandboxStatus = SandboxLayer[] | 'unavailable';

/**
 * Why a backend runtime ended.
 * - `stopped`: it acknowledged `shutdown` and exited within the deadline.
 * - `killed`: a stop had to force it (SIGTERM / SIGKILL, or `terminate()` for a worker).
 * - `crashed`: it died by itself with a non-zero code or a signal while running.
 * - `exited_clean`: it exited by itself with code 0 while running.
 * - `import_failed`: the entry threw while importing (`init_failed`).
 * - `exited_before_ready`: it died before reporting `ready` or `init_failed`.
 * - `ready_timeout`: no `ready` within the ready deadline; it was killed.
 * - `launch_failed`: the runtime could not be started at all.
 * - `memory_limit`: it used more memory than its cap and was killed (the crash policy applies).
 * - `unresponsive`: it did not answer the host's ping within the deadline and was killed (the
 *   crash policy applies).
 * - `idle`: hibernated after `idleAfterMs` without a need (docs/operations.md).
 * - `evicted`: hibernated to make room at `maxActiveRuntimes` (the least recently used idle one).
 * - `hibernated`: hibernated because the operator asked.
 */
export type RuntimeExitReason =
  | 'stopped'
  | 'idle'
  | 'evicted'
  | 'hibernated'
  | 'killed'
  | 'crashed'
  | 'exited_clean'
  | 'import_failed'
  | 'exited_before_ready'
  | 'ready_timeout'
  | 'launch_failed'
  | 'memory_limit'
  | 'unresponsive';

/** Phase of a runtime-stats event. */
export type RuntimeStatsPhase = 'startup' | 'sample' | 'shutdown';

/**
 * Runtime-stats event, emitted when `LUMIVERSE_SPINDLE_RUNTIME_STATS` is enabled.
 * Fields that cannot be measured in a mode are absent (see `unmeasured`).
 */
export interface RuntimeStatsEvent {
  /** Extension identifier (this runtime's own name for the field). */
  extension: string;
  /** Extension id, as in upstream's `SPINDLE_RUNTIME_STATS` (the identifier here). */
  extensionId: string;
  /** Extension identifier, as in upstream's `SPINDLE_RUNTIME_STATS`. */
  identifier: string;
  /** Display name of the extension (its manifest `name`). */
  name: string;
  runtimeMode: SpindleRuntimeMode;
  phase: RuntimeStatsPhase;
  /** ISO time of the measurement. */
  at: string;
  /** OS pid of the runtime (the host's own pid in `worker` mode). */
  pid?: number;
  /** Resident set size in KiB (shared pages counted in full: it overstates many processes). */
  rssKb?: number;
  /**
   * Proportional set size in KiB (Linux): shared pages divided among the processes that map
   * them, so the PSS of several runtimes adds up to the memory they really use.
   */
  pssKb?: number;
  /** Unique set size in KiB (Linux): pages only this runtime's processes map. */
  ussKb?: number;
  /** Start → ready, on `startup` events. */
  startupMs?: number;
  /** User CPU time in ms since start (Linux, from /proc). */
  cpuUserMs?: number;
  /** System CPU time in ms since start (Linux, from /proc). */
  cpuSystemMs?: number;
  /** Only in `sandbox` mode. */
  sandbox?: SandboxStatus;
  /**
   * On `shutdown` events of a runtime that ended while running (a crash, or a kill for a limit:
   * `memory_limit`, `unresponsive`); absent for a deliberate stop, measured before the exit.
   */
  exitReason?: RuntimeExitReason;
  /** Names of the fields this mode cannot measure, with the reason in `note`. */
  unmeasured?: string[];
  note?: string;
}
