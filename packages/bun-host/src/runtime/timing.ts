/** Deadlines of the runtime lifecycle (docs/architecture.md, "Deadlines and defaults"), with their documented figures. */
import type { CrashPolicyOptions } from './crash-policy.ts';

/** Lifecycle deadlines; tests compress them. */
export interface RuntimeTimingOptions extends CrashPolicyOptions {
  /** Start → `ready` (the entry's import included); past it the runtime is killed. @default 10000 */
  readyTimeoutMs?: number;
  /** `shutdown` sent → the runtime has exited by itself. @default 5000 */
  shutdownTimeoutMs?: number;
  /** SIGTERM → SIGKILL when a runtime ignored `shutdown`. @default 2000 */
  killGraceMs?: number;
  /** Ending the extension's processes (`backend_unloaded`) before `shutdown`. @default 10000 */
  unloadTimeoutMs?: number;
}

/** Default lifecycle deadlines. */
export const RUNTIME_TIMING_DEFAULTS = {
  readyTimeoutMs: 10_000,
  shutdownTimeoutMs: 5_000,
  killGraceMs: 2_000,
  unloadTimeoutMs: 10_000,
} as const;

/** Resolved deadlines. */
export type ResolvedRuntimeTiming = CrashPolicyOptions & {
  readyTimeoutMs: number;
  shutdownTimeoutMs: number;
  killGraceMs: number;
  unloadTimeoutMs: number;
};

/** Fills in defaults. */
export function resolveTiming(options: RuntimeTimingOptions = {}): ResolvedRuntimeTiming {
  return {
    ...options,
    readyTimeoutMs: options.readyTimeoutMs ?? RUNTIME_TIMING_DEFAULTS.readyTimeoutMs,
    shutdownTimeoutMs: options.shutdownTimeoutMs ?? RUNTIME_TIMING_DEFAULTS.shutdownTimeoutMs,
    killGraceMs: options.killGraceMs ?? RUNTIME_TIMING_DEFAULTS.killGraceMs,
    unloadTimeoutMs: options.unloadTimeoutMs ?? RUNTIME_TIMING_DEFAULTS.unloadTimeoutMs,
  };
}
