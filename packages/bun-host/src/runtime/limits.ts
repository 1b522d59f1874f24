/**
 * What one extension's runtime may make the host hold or wait for (`docs/limits.md`): its memory,
 * how long it may leave a ping unanswered, the bytes of messages waiting for it, and the size and
 * rate of its log lines. Host-wide values come from the defaults, the environment and
 * `SpindleHostOptions.runtimeLimits`; `extensionLimits` overrides them per extension.
 */
import { SpindleError } from '@spindle/types';

/** Limits of one runtime. */
export interface RuntimeLimits {
  /**
   * Memory a runtime may use, in MiB: the resident set of its process tree (`process`,
   * `sandbox`), its JavaScript heap (`worker`). Past it the runtime is killed with exit reason
   * `memory_limit` and the crash policy applies. 0 turns the cap off.
   * @default 512
   */
  memoryLimitMb: number;
  /** How often a subprocess runtime's resident set is read from /proc, in ms. @default 500 */
  memorySampleMs: number;
  /** Pause between an answered ping and the next one, in ms. @default 1000 */
  pingIntervalMs: number;
  /**
   * How long a ping may go unanswered, in ms; past it the runtime is killed with exit reason
   * `unresponsive` and the crash policy applies. 0 turns the watchdog off.
   * @default 10000
   */
  pingTimeoutMs: number;
  /**
   * Bytes of JSON of the messages sent to a runtime that it has not taken yet (the bytes of a
   * starting runtime's waiting frontend messages, or those it has not confirmed by answering a
   * later ping). Past it, frontend messages to it are refused with `RUNTIME_BUSY`.
   * @default 33554432 (32 MiB)
   */
  inboundQueueBytes: number;
  /**
   * Longest log line, in bytes of UTF-8: a longer stdout/stderr line or `spindle.log` message is
   * cut into marked pieces.
   * @default 16384
   */
  maxLogLineBytes: number;
  /** Log lines of a runtime (stdout, stderr, `spindle.log`) that pass per window. @default 1000 */
  logBurst: number;
  /** The log rate limit's window, in ms. @default 10000 */
  logIntervalMs: number;
}

/** Overrides of `RuntimeLimits`; absent fields keep the value below them. */
export type RuntimeLimitOptions = Partial<RuntimeLimits>;

/** Default `RuntimeLimits`. */
export const RUNTIME_LIMIT_DEFAULTS: Readonly<RuntimeLimits> = Object.freeze({
  memoryLimitMb: 512,
  memorySampleMs: 500,
  pingIntervalMs: 1000,
  pingTimeoutMs: 10_000,
  inboundQueueBytes: 32 * 1024 * 1024,
  maxLogLineBytes: 16 * 1024,
  logBurst: 1000,
  logIntervalMs: 10_000,
});

/** Fields that must be at least 1 (the others may be 0: off). */
const POSITIVE: ReadonlySet<keyof RuntimeLimits> = new Set([
  'memorySampleMs',
  'pingIntervalMs',
  'inboundQueueBytes',
  'maxLogLineBytes',
  'logBurst',
  'logIntervalMs',
]);

/**
 * The limits of one runtime: the defaults, then each layer in order (later wins). Throws
 * `INVALID_OPTIONS` naming the field for a value that is not a whole number, is negative, or is
 * 0 where 0 means nothing.
 */
export function resolveRuntimeLimits(
  ...layers: (RuntimeLimitOptions | undefined)[]
): RuntimeLimits {
  const limits: RuntimeLimits = { ...RUNTIME_LIMIT_DEFAULTS };
  for (const layer of layers) {
    if (layer === undefined) continue;
    for (const key of Object.keys(RUNTIME_LIMIT_DEFAULTS) as (keyof RuntimeLimits)[]) {
      const value = layer[key];
      if (value === undefined) continue;
      if (!Number.isSafeInteger(value) || value < (POSITIVE.has(key) ? 1 : 0)) {
        throw new SpindleError(
          'INVALID_OPTIONS',
          `runtime limit ${key} must be a whole number ${POSITIVE.has(key) ? 'of at least 1' : '≥ 0 (0: off)'}, got ${String(value)}`,
          { details: { key, value } },
        );
      }
      limits[key] = value;
    }
  }
  return limits;
}

/** Environment variables that set host-wide runtime limits, by the field they set. */
export const RUNTIME_LIMIT_ENV: Readonly<Partial<Record<keyof RuntimeLimits, string>>> = {
  memoryLimitMb: 'LUMIVERSE_SPINDLE_MEMORY_LIMIT_MB',
  pingTimeoutMs: 'LUMIVERSE_SPINDLE_PING_TIMEOUT_MS',
  inboundQueueBytes: 'LUMIVERSE_SPINDLE_INBOUND_QUEUE_BYTES',
};

/**
 * The limits the environment sets (`RUNTIME_LIMIT_ENV`). A value that is not a whole number
 * ≥ 0 is ignored with one warning naming the variable (the default stays).
 */
export function readRuntimeLimitsEnv(
  env: Record<string, string | undefined>,
  warn: (message: string) => void,
): RuntimeLimitOptions {
  const out: RuntimeLimitOptions = {};
  for (const [key, name] of Object.entries(RUNTIME_LIMIT_ENV) as [keyof RuntimeLimits, string][]) {
    const raw = env[name]?.trim();
    if (raw === undefined || raw === '') continue;
    const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
    const minimum = POSITIVE.has(key) ? 1 : 0;
    if (!Number.isSafeInteger(value) || value < minimum) {
      warn(
        `[spindle] ${name}="${raw.slice(0, 40)}" is not a whole number ≥ ${minimum}; using ${RUNTIME_LIMIT_DEFAULTS[key]}`,
      );
      continue;
    }
    out[key] = value;
  }
  return out;
}

/**
 * The limits of each extension: `host` over `env` over the defaults, and `perExtension[id]`
 * over them. Every layer is checked at once, so invalid limits fail before anything starts.
 */
export function runtimeLimitsResolver(
  env: RuntimeLimitOptions,
  host: RuntimeLimitOptions | undefined,
  perExtension: Record<string, RuntimeLimitOptions> | undefined = {},
): (identifier: string) => RuntimeLimits {
  const base = resolveRuntimeLimits(env, host);
  const resolved = new Map<string, RuntimeLimits>();
  for (const [identifier, limits] of Object.entries(perExtension)) {
    resolved.set(identifier, resolveRuntimeLimits(base, limits));
  }
  return (identifier) => resolved.get(identifier) ?? base;
}
