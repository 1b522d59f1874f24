/**
 * Defaults and clamping of process deadlines (docs/architecture.md, "Deadlines and defaults"), in one place.
 *
 * With the default rules the clamps of `@spindle/types` apply (one definition for host and SDK).
 * Tests may pass narrower bounds: a 1 s minimum startup deadline is too slow for a fault matrix
 * with real children.
 */
import { clampHeartbeatTimeout, clampStartupTimeout, PROCESS_DEFAULTS } from '@spindle/types';

/** Inclusive bounds of a deadline, in ms. */
export interface DeadlineBounds {
  min: number;
  max: number;
}

/** Bounds and defaults of both deadlines; `heartbeat.min` is 0 (0 disables the watchdog). */
export interface DeadlineRules {
  /** @default { min: 1000, max: 120000 } */
  startup: DeadlineBounds;
  /** @default 15000 */
  startupDefault: number;
  /** @default { min: 0, max: 120000 } */
  heartbeat: DeadlineBounds;
  /** @default 15000 */
  heartbeatDefault: number;
}

/** The rules of docs/architecture.md, "Process lifecycle". */
export const DEFAULT_DEADLINE_RULES: DeadlineRules = {
  startup: {
    min: PROCESS_DEFAULTS.minStartupTimeoutMs,
    max: PROCESS_DEFAULTS.maxStartupTimeoutMs,
  },
  startupDefault: PROCESS_DEFAULTS.startupTimeoutMs,
  heartbeat: { min: 0, max: PROCESS_DEFAULTS.maxHeartbeatTimeoutMs },
  heartbeatDefault: PROCESS_DEFAULTS.heartbeatTimeoutMs,
};

/** Clamps a requested value; a missing or non-finite value takes the default. */
function clamp(value: number | undefined, bounds: DeadlineBounds, fallback: number): number {
  if (value === undefined || !Number.isFinite(value)) return fallback;
  return Math.min(bounds.max, Math.max(bounds.min, Math.round(value)));
}

/** Startup deadline: default 15000, clamped to [1000, 120000] (or the given rules). */
export function clampStartupTimeoutMs(
  ms: number | undefined,
  rules: DeadlineRules = DEFAULT_DEADLINE_RULES,
): number {
  if (rules === DEFAULT_DEADLINE_RULES) return clampStartupTimeout(ms);
  return clamp(ms, rules.startup, rules.startupDefault);
}

/** Heartbeat deadline: default 15000, clamped to [0, 120000]; 0 disables (or the given rules). */
export function clampHeartbeatTimeoutMs(
  ms: number | undefined,
  rules: DeadlineRules = DEFAULT_DEADLINE_RULES,
): number {
  if (rules === DEFAULT_DEADLINE_RULES) return clampHeartbeatTimeout(ms);
  return clamp(ms, rules.heartbeat, rules.heartbeatDefault);
}

/** Limits of one supervisor, all overridable per service. */
export interface SupervisorLimits {
  /** @default 16 */
  maxProcessesPerExtension: number;
  /** Stop message → forced end. @default 5000 */
  stopGraceMs: number;
  /**
   * After the transport reports an exit, how long a terminal message may still arrive and win
   * (IPC messages and the exit event are not ordered). @default 50
   */
  exitSettleMs: number;
  /** Ended processes kept per extension for `get`/`list`. @default 64 */
  historyPerExtension: number;
  deadlines: DeadlineRules;
}

/** Defaults of `SupervisorLimits`. */
export const DEFAULT_SUPERVISOR_LIMITS: SupervisorLimits = {
  maxProcessesPerExtension: PROCESS_DEFAULTS.maxBackendProcessesPerExtension,
  stopGraceMs: PROCESS_DEFAULTS.backendStopGraceMs,
  exitSettleMs: 50,
  historyPerExtension: 64,
  deadlines: DEFAULT_DEADLINE_RULES,
};

/** Fills missing limits with the defaults. */
export function resolveLimits(partial: Partial<SupervisorLimits> = {}): SupervisorLimits {
  return { ...DEFAULT_SUPERVISOR_LIMITS, ...partial };
}
