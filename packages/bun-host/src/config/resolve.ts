/**
 * The host's settings from the three places that give them, in precedence order
 * (docs/operations.md, "Configuration"): command-line flags, then environment variables, then the
 * configuration file, then the defaults.
 */
import type { SpindleRuntimeMode } from '@spindle/types';
import type { ActivationSettings } from '../activation/types.ts';
import type { CliOptions } from '../cli/args.ts';
import type { LogFormat, LogThreshold } from '../log/logger.ts';
import { DEFAULT_DRAIN_DEADLINE_MS } from '../ops/drain.ts';
import type { MetricsAccess } from '../ops/routes.ts';
import { activationOf, type SpindleConfig } from './schema.ts';

/** Everything the command runs with. */
export interface HostSettings {
  /** @default "./extensions" */
  extensionsDir: string;
  /** @default "./.spindle-data" */
  dataDir: string;
  /** Absent: `process` (the host reads `LUMIVERSE_SPINDLE_RUNTIME_MODE` itself). */
  runtimeMode?: SpindleRuntimeMode;
  /** @default "127.0.0.1" */
  hostname: string;
  /** @default 0 */
  port: number;
  /** @default "all" */
  enable: string[] | 'all';
  /** Absent: development mode (one printed admin token). */
  tokensFile?: string;
  /** Absent: loopback origins only. */
  allowedOrigins?: string[];
  lumiverseVersion?: string;
  /** @default { level: "info", format: pretty on a terminal, else json } */
  log: { level: LogThreshold; format: LogFormat };
  /** @default "loopback-or-admin" */
  metricsAccess: MetricsAccess;
  /** @default 30000 */
  drainDeadlineMs: number;
  activation: ActivationSettings;
  /**
   * The environment the host reads and scrubs into runtimes, with the file's `stats` settings
   * where the environment sets none.
   */
  env: Record<string, string | undefined>;
}

/** Merges flags, environment and file (see the module comment). */
export function resolveSettings(
  cli: CliOptions,
  env: Record<string, string | undefined>,
  file: SpindleConfig,
  terminal: boolean,
): HostSettings {
  const hostEnv = { ...env };
  if (file.stats?.enabled !== undefined && hostEnv.LUMIVERSE_SPINDLE_RUNTIME_STATS === undefined) {
    hostEnv.LUMIVERSE_SPINDLE_RUNTIME_STATS = String(file.stats.enabled);
  }
  if (
    file.stats?.sampleIntervalMs !== undefined &&
    hostEnv.LUMIVERSE_SPINDLE_RUNTIME_SAMPLE_INTERVAL_MS === undefined
  ) {
    hostEnv.LUMIVERSE_SPINDLE_RUNTIME_SAMPLE_INTERVAL_MS = String(file.stats.sampleIntervalMs);
  }
  const envMode = env.LUMIVERSE_SPINDLE_RUNTIME_MODE?.trim() || undefined;
  const runtimeMode =
    cli.runtimeMode ?? (envMode as SpindleRuntimeMode | undefined) ?? file.runtimeMode;
  const tokensFile = cli.tokensFile ?? file.tokensFile;
  const allowedOrigins = cli.allowedOrigins ?? file.allowedOrigins;
  const lumiverseVersion = file.lumiverseVersion;
  return {
    extensionsDir: cli.extensionsDir ?? file.extensionsDir ?? './extensions',
    dataDir: cli.dataDir ?? file.dataDir ?? './.spindle-data',
    ...(runtimeMode === undefined ? {} : { runtimeMode }),
    hostname: cli.hostname ?? file.hostname ?? '127.0.0.1',
    port: cli.port ?? file.port ?? 0,
    enable: cli.enable ?? file.enable ?? 'all',
    ...(tokensFile === undefined ? {} : { tokensFile }),
    ...(allowedOrigins === undefined ? {} : { allowedOrigins }),
    ...(lumiverseVersion === undefined ? {} : { lumiverseVersion }),
    log: {
      level: cli.logLevel ?? file.log?.level ?? 'info',
      format: cli.logFormat ?? file.log?.format ?? (terminal ? 'pretty' : 'json'),
    },
    metricsAccess: file.metrics?.access ?? 'loopback-or-admin',
    drainDeadlineMs: file.drain?.deadlineMs ?? DEFAULT_DRAIN_DEADLINE_MS,
    activation: activationOf(file),
    env: hostEnv,
  };
}

/** Settings a running host cannot take without a restart. */
export const RESTART_SETTINGS = [
  'extensionsDir',
  'dataDir',
  'runtimeMode',
  'hostname',
  'port',
  'enable',
  'lumiverseVersion',
] as const satisfies readonly (keyof HostSettings)[];
