/** Command-line options of `spindle-host`. */
import { parseArgs } from 'node:util';
import { RUNTIME_MODES, SpindleError, type SpindleRuntimeMode } from '@spindle/types';

/** Parsed options. */
export interface CliOptions {
  /** @default "./extensions" */
  extensionsDir: string;
  /** @default "./.spindle-data" */
  dataDir: string;
  /** Absent: `LUMIVERSE_SPINDLE_RUNTIME_MODE`, else `process`. */
  runtimeMode?: SpindleRuntimeMode;
  /** @default 0 (a free port) */
  port: number;
  /** @default "127.0.0.1" */
  hostname: string;
  /** @default "all" */
  enable: string[] | 'all';
  /** JSON token file `{ "<token>": { "userId": "...", "isAdmin": true } }`; absent: dev mode. */
  tokensFile?: string;
  help: boolean;
}

/** Usage text. */
export const USAGE = `Usage: spindle-host [options]
       spindle-host dev [options]     a development host that rebuilds and reloads (--help)
       spindle-host build [folders]   builds extension folders once (--help)

  --extensions <dir>   folder of extensions (sub-folders with spindle.json)  [./extensions]
  --data <dir>         folder for host data and extension storage            [./.spindle-data]
  --mode <mode>        runtime mode: process | sandbox | worker
                       [env LUMIVERSE_SPINDLE_RUNTIME_MODE, else process]
  --port <n>           port to listen on (0 picks a free one)                [0]
  --hostname <addr>    address to bind                                       [127.0.0.1]
  --enable <a,b,...>   enable only these extensions                          [all valid ones]
  --tokens <file>      token file: {"<token>": {"userId": "...", "isAdmin": true}}
                       [none: dev mode, prints a one-time admin token]
  -h, --help           show this text
`;

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
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new SpindleError(
      'INVALID_OPTIONS',
      `--port must be an integer in [0, 65535], got "${values.port}"`,
    );
  }
  const enable =
    values.enable === undefined
      ? 'all'
      : values.enable
          .split(',')
          .map((id) => id.trim())
          .filter((id) => id.length > 0);
  return {
    extensionsDir: values.extensions ?? './extensions',
    dataDir: values.data ?? './.spindle-data',
    ...(mode === undefined ? {} : { runtimeMode: mode as SpindleRuntimeMode }),
    port,
    hostname: values.hostname ?? '127.0.0.1',
    enable,
    ...(values.tokens === undefined ? {} : { tokensFile: values.tokens }),
    help: values.help ?? false,
  };
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      extensions: { type: 'string' },
      data: { type: 'string' },
      mode: { type: 'string' },
      port: { type: 'string' },
      hostname: { type: 'string' },
      enable: { type: 'string' },
      tokens: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
