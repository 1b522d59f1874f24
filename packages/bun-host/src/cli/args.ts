/**
 * Command-line options of `spindle-host` (running the host; `spindle-host ctl` has its own in
 * `ctl.ts`). A flag that is not given stays absent, so that the environment and the
 * configuration file can supply it (docs/operations.md, "Configuration").
 */
import { parseArgs } from 'node:util';
import { RUNTIME_MODES, SpindleError, type SpindleRuntimeMode } from '@spindle/types';
import { LOG_THRESHOLDS, type LogFormat, type LogThreshold } from '../log/logger.ts';

/** Parsed options; absent ones come from the environment, the config file or the defaults. */
export interface CliOptions {
  /** `--config`: the configuration file. */
  configFile?: string;
  extensionsDir?: string;
  dataDir?: string;
  runtimeMode?: SpindleRuntimeMode;
  port?: number;
  hostname?: string;
  enable?: string[] | 'all';
  /** JSON token file `{ "<token>": { "userId": "...", "isAdmin": true } }`. */
  tokensFile?: string;
  /** Cache folder (`LaunchOptions.cacheDir`). Absent: env, else `<data>/cache`. */
  cacheDir?: string;
  /** User runtimes run as when the host is root (`LaunchOptions.runtimeUser`). */
  runtimeUser?: string;
  /** `LaunchOptions.allowRootRuntimes`; absent: env, else false. */
  allowRootRuntimes?: boolean;
  /** `LaunchOptions.allowWeakerSandbox`; absent: env, else false. */
  allowWeakerSandbox?: boolean;
  /** `--origins a,b`: the browser origins allowed (without it: loopback origins only). */
  allowedOrigins?: string[];
  logLevel?: LogThreshold;
  logFormat?: LogFormat;
  help: boolean;
}

/** Usage text. */
export const USAGE = `Usage: spindle-host [options]
       spindle-host ctl <command> [extension] [options]   (spindle-host ctl --help)
       spindle-host dev [options]     a development host that rebuilds and reloads (--help)
       spindle-host build [folders]   builds extension folders once (--help)

  --config <file>      configuration file          [env SPINDLE_CONFIG, else ./spindle.config.json if present]
  --extensions <dir>   folder of extensions (sub-folders with spindle.json)  [./extensions]
  --data <dir>         folder for host data and extension storage            [./.spindle-data]
  --mode <mode>        runtime mode: process | sandbox | worker
                       [env LUMIVERSE_SPINDLE_RUNTIME_MODE, else process]
  --port <n>           port to listen on (0 picks a free one)                [0]
  --hostname <addr>    address to bind                                       [127.0.0.1]
  --enable <a,b,...>   enable only these extensions                          [all valid ones]
  --tokens <file>      token file: {"<token>": {"userId": "...", "isAdmin": true}}
                       [none: dev mode, prints a one-time admin token]
  --cache <dir>        folder for run-time caches   [env LUMIVERSE_SPINDLE_CACHE_DIR, else <data>/cache]
  --runtime-user <u>   when run as root, run extensions as this user (name or uid:gid)
                       [env LUMIVERSE_SPINDLE_RUNTIME_USER; without it a root host refuses]
  --allow-root-runtimes      let a root host run extensions as root       [off]
  --allow-weaker-sandbox     start sandboxed extensions even when a layer is missing
                             (logged as an error)                         [off]
  --origins <a,b,...>  browser origins allowed to connect                    [loopback only]
  --log-level <level>  debug | info | warn | error | silent                  [info]
  --log-format <fmt>   json | pretty                     [pretty on a terminal, else json]
  -h, --help           show this text

Flags win over environment variables, which win over the config file (docs/operations.md).
Signals: SIGTERM / SIGINT drain and stop (a second one exits at once); SIGHUP reloads the
config file and the token file without dropping sessions.
`;

function list(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

/** Parses `argv` (without the runtime and script); throws `INVALID_OPTIONS` with a clear message. */
export function parseCliArgs(argv: string[]): CliOptions {
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse(argv).values;
  } catch (error) {
    throw new SpindleError('INVALID_OPTIONS', (error as Error).message, { cause: error });
  }
  const mode = values.mode;
  if (mode !== undefined && !(RUNTIME_MODES as readonly string[]).includes(mode)) {
    throw new SpindleError(
      'INVALID_OPTIONS',
      `--mode must be one of ${RUNTIME_MODES.join(', ')}, got "${mode}"`,
    );
  }
  let port: number | undefined;
  if (values.port !== undefined) {
    port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65_535 || values.port.trim() === '') {
      throw new SpindleError(
        'INVALID_OPTIONS',
        `--port must be an integer in [0, 65535], got "${values.port}"`,
      );
    }
  }
  const level = values['log-level'];
  if (level !== undefined && !(LOG_THRESHOLDS as readonly string[]).includes(level)) {
    throw new SpindleError(
      'INVALID_OPTIONS',
      `--log-level must be one of ${LOG_THRESHOLDS.join(', ')}, got "${level}"`,
    );
  }
  const format = values['log-format'];
  if (format !== undefined && format !== 'json' && format !== 'pretty') {
    throw new SpindleError(
      'INVALID_OPTIONS',
      `--log-format must be json or pretty, got "${format}"`,
    );
  }
  return {
    ...(values.config === undefined ? {} : { configFile: values.config }),
    ...(values.extensions === undefined ? {} : { extensionsDir: values.extensions }),
    ...(values.data === undefined ? {} : { dataDir: values.data }),
    ...(mode === undefined ? {} : { runtimeMode: mode as SpindleRuntimeMode }),
    ...(port === undefined ? {} : { port }),
    ...(values.hostname === undefined ? {} : { hostname: values.hostname }),
    ...(values.enable === undefined ? {} : { enable: list(values.enable) }),
    ...(values.tokens === undefined ? {} : { tokensFile: values.tokens }),
    ...(values.cache === undefined ? {} : { cacheDir: values.cache }),
    ...(values['runtime-user'] === undefined ? {} : { runtimeUser: values['runtime-user'] }),
    ...(values['allow-root-runtimes'] ? { allowRootRuntimes: true } : {}),
    ...(values['allow-weaker-sandbox'] ? { allowWeakerSandbox: true } : {}),
    ...(values.origins === undefined ? {} : { allowedOrigins: list(values.origins) }),
    ...(level === undefined ? {} : { logLevel: level as LogThreshold }),
    ...(format === undefined ? {} : { logFormat: format }),
    help: values.help ?? false,
  };
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      config: { type: 'string' },
      extensions: { type: 'string' },
      data: { type: 'string' },
      mode: { type: 'string' },
      port: { type: 'string' },
      hostname: { type: 'string' },
      enable: { type: 'string' },
      tokens: { type: 'string' },
      cache: { type: 'string' },
      'runtime-user': { type: 'string' },
      'allow-root-runtimes': { type: 'boolean' },
      'allow-weaker-sandbox': { type: 'boolean' },
      origins: { type: 'string' },
      'log-level': { type: 'string' },
      'log-format': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
