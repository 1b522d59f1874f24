/** Backend runtime modes (docs/architecture.md, "Runtime modes"). */
export type SpindleRuntimeMode = 'process' | 'sandbox' | 'worker';

/** All runtime modes, in documentation order. */
export const RUNTIME_MODES: readonly SpindleRuntimeMode[] = ['process', 'sandbox', 'worker'];

/** Sandbox layers that may be active for a runtime. */
export type SandboxLayer = 'bwrap' | 'landlock' | 'sandbox-exec';

/** Sandbox status reported in stats: the active layers, or `unavailable`. */
export type SandboxStatus = SandboxLayer[] | 'unavailable';

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
  /** Names of the fields this mode cannot measure, with the reason in `note`. */
  unmeasured?: string[];
  note?: string;
}
