/** Runtime-stats settings from the environment (docs/architecture.md, "Runtime modes"). */

/** Sampling period when stats are on and no period is configured. */
export const DEFAULT_SAMPLE_INTERVAL_MS = 30_000;

/** Shortest accepted sampling period; smaller positive values are raised to it. */
export const MIN_SAMPLE_INTERVAL_MS = 100;

/** Values of `LUMIVERSE_SPINDLE_RUNTIME_STATS` that turn stats on (case-insensitive). */
export const STATS_ON_VALUES: readonly string[] = ['true', '1', 'yes'];

/** Resolved stats settings. */
export interface StatsConfig {
  /** `LUMIVERSE_SPINDLE_RUNTIME_STATS` is `true`, `1` or `yes`. @default false */
  enabled: boolean;
  /**
   * Period of `sample` events; 0 means startup and shutdown events only. Always 0 when
   * disabled. @default 30000 when enabled
   */
  sampleIntervalMs: number;
}

/**
 * Reads `LUMIVERSE_SPINDLE_RUNTIME_STATS` and `LUMIVERSE_SPINDLE_RUNTIME_SAMPLE_INTERVAL_MS`.
 * An invalid period (not a whole number ≥ 0) falls back to the default with one warning; a
 * period below 100 ms is raised to 100 ms with a warning. When stats are off nothing is
 * validated and nothing is logged.
 */
export function readStatsConfig(
  env: Record<string, string | undefined> = process.env,
  warn: (message: string) => void = console.warn,
): StatsConfig {
  const flag = env.LUMIVERSE_SPINDLE_RUNTIME_STATS?.trim().toLowerCase() ?? '';
  if (!STATS_ON_VALUES.includes(flag)) return { enabled: false, sampleIntervalMs: 0 };
  const raw = env.LUMIVERSE_SPINDLE_RUNTIME_SAMPLE_INTERVAL_MS?.trim() ?? '';
  if (raw === '') return { enabled: true, sampleIntervalMs: DEFAULT_SAMPLE_INTERVAL_MS };
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value)) {
    warn(
      `[spindle] LUMIVERSE_SPINDLE_RUNTIME_SAMPLE_INTERVAL_MS="${raw}" is not a whole number of milliseconds; using ${DEFAULT_SAMPLE_INTERVAL_MS}`,
    );
    return { enabled: true, sampleIntervalMs: DEFAULT_SAMPLE_INTERVAL_MS };
  }
  if (value > 0 && value < MIN_SAMPLE_INTERVAL_MS) {
    warn(
      `[spindle] LUMIVERSE_SPINDLE_RUNTIME_SAMPLE_INTERVAL_MS=${value} is below ${MIN_SAMPLE_INTERVAL_MS}; using ${MIN_SAMPLE_INTERVAL_MS}`,
    );
    return { enabled: true, sampleIntervalMs: MIN_SAMPLE_INTERVAL_MS };
  }
  return { enabled: true, sampleIntervalMs: value };
}
