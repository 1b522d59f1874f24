/**
 * Shapes shared by the runtime layer: a running runtime instance (one per medium), its exit,
 * the structured exit reasons, and the injected clock.
 */
import type { HostToWorker, SandboxStatus, SpindleRuntimeMode } from '@spindle/types';
import type { Channel } from './channel.ts';

/**
 * Why a runtime ended.
 * - `stopped`: it acknowledged `shutdown` and exited within the deadline.
 * - `killed`: a stop had to force it (SIGTERM / SIGKILL, or `terminate()` for a worker).
 * - `crashed`: it died by itself with a non-zero code or a signal while running.
 * - `exited_clean`: it exited by itself with code 0 while running.
 * - `import_failed`: the entry threw while importing (`init_failed`).
 * - `exited_before_ready`: it died before reporting `ready` or `init_failed`.
 * - `ready_timeout`: no `ready` within the ready deadline; it was killed.
 * - `launch_failed`: the runtime could not be started at all.
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
  | 'launch_failed';

/** How the medium reported the end of a runtime. */
export interface RuntimeExitStatus {
  /** Exit code, when it exited (a worker's `close` code). */
  code: number | null;
  /** Signal name, when a signal ended it (`terminate` for a terminated worker). */
  signal: string | null;
}

/** Signals the host may send to a runtime. A worker treats both as `terminate()`. */
export type RuntimeSignal = 'SIGTERM' | 'SIGKILL';

/** One started runtime, whatever its medium. */
export interface RuntimeInstance {
  readonly mode: SpindleRuntimeMode;
  /** OS pid (the host's own pid in `worker` mode). */
  readonly pid: number;
  /** Sandbox layers in `sandbox` mode. */
  readonly sandbox?: SandboxStatus;
  /** Branded channel to the runtime. */
  readonly channel: Channel<HostToWorker, unknown>;
  /** Settles once, when the runtime is gone. */
  readonly exited: Promise<RuntimeExitStatus>;
  /** Sends a signal (process modes) or terminates the worker. */
  kill(signal: RuntimeSignal): void;
  /** Last lines the runtime wrote to stderr (empty in `worker` mode). */
  stderrTail(): string;
  /** `init` was handed over at start; the controller must not send it again. @default false */
  readonly initDelivered?: boolean;
}

/** Injected clock (STYLE item 9); defaults to the global timers. */
export interface Timers {
  setTimeout(handler: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
}

/** The real clock. Every timer the runtime layer sets is cleared by `close()`. */
export const realTimers: Timers = {
  setTimeout: (handler, ms) => setTimeout(handler, ms),
  clearTimeout(handle) {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
  now: () => Date.now(),
};
