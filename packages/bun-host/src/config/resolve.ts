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
import { RUNTIME_LIMIT_ENV, type RuntimeLimitOptions } from '../runtime/limits.ts';
import type { LaunchOptions } from '../sandbox/settings.ts';
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
   * Launch settings given by a flag or by the file; one the environment sets is left out here
   * (the host reads `LUMIVERSE_SPINDLE_*` itself, under the flags and over the file).
   */
  launch: LaunchOptions;
  /** The file's `runtimeLimits`, without those the environment sets (see `launch`). */
  runtimeLimits: RuntimeLimitOptions;
  /**
   * The environment the host reads and scrubs into runtimes, with the file's `stats` settings
   * where the environment sets none.
   */
  env: Record<string, string | undefined>;
}

/** Environment variables of the launch settings (`sandbox/settings.ts`). */
const LAUNCH_ENV: Record<keyof LaunchOptions, string> = {
  cacheDir: 'LUMIVERSE_SPINDLE_CACHE_DIR',
  runtimeUser: 'LUMIVERSE_SPINDLE_RUNTIME_USER',
  allowRootRuntimes: 'LUMIVERSE_SPINDLE_ALLOW_ROOT_RUNTIMES',
  allowWeakerSandbox: 'LUMIVERSE_SPINDLE_ALLOW_WEAKER_SANDBOX',
  pidsMax: 'LUMIVERSE_SPINDLE_PIDS_MAX',
};

/** `values` without the keys whose variable (`names`) the environment sets. */
function underEnv<T extends object>(
  values: T,
  names: Partial<Record<keyof T, string>>,
  env: Record<string, string | undefined>,
): Partial<T> {
  const out: Partial<T> = {};
  for (const key of Object.keys(values) as (keyof T)[]) {
    const name = names[key];
    if (values[key] === undefined || (name !== undefined && env[name]?.trim())) continue;
    out[key] = values[key];
  }
  return out;
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
    launch: {
      ...underEnv(
        {
          cacheDir: file.cacheDir,
          runtimeUser: file.runtimeUser,
          allowRootRuntimes: file.allowRootRuntimes,
          allowWeakerSandbox: file.allowWeakerSandbox,
          pidsMax: file.pidsMax,
        },
        LAUNCH_ENV,
        env,
      ),
      ...(cli.cacheDir === undefined ? {} : { cacheDir: cli.cacheDir }),
      ...(cli.runtimeUser === undefined ? {} : { runtimeUser: cli.runtimeUser }),
      ...(cli.allowRootRuntimes ? { allowRootRuntimes: true } : {}),
      ...(cli.allowWeakerSandbox ? { allowWeakerSandbox: true } : {}),
    },
    runtimeLimits: underEnv(file.runtimeLimits ?? {}, RUNTIME_LIMIT_ENV, env),
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
  'launch',
  'runtimeLimits',
] as const satisfies readonly (keyof HostSettings)[];
