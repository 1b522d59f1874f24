/** Command-line options of `spindle-host dev` and `spindle-host build`. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { RUNTIME_MODES, SpindleError, type SpindleRuntimeMode } from '@spindle/types';

/** Parsed options of `spindle-host dev`. */
export interface DevCliOptions {
  /** A folder of extensions; absent when `extensionDirs` is given. */
  extensionsDir?: string;
  /** Single extension folders (`--extension`, repeatable). @default [] */
  extensionDirs: string[];
  /** @default "./.spindle-data" */
  dataDir: string;
  /** Absent: `LUMIVERSE_SPINDLE_RUNTIME_MODE`, else `process`. */
  runtimeMode?: SpindleRuntimeMode;
  /** @default 0 (a free port) */
  port: number;
  /** @default "127.0.0.1" */
  hostname: string;
  /** JSON token file; absent: a one-time admin token is printed. */
  tokensFile?: string;
  help: boolean;
}

/** Parsed options of `spindle-host build`. */
export interface BuildCliOptions {
  /** Extension folders to build. @default ["."] */
  dirs: string[];
  /** Inline source maps. @default false */
  sourcemap: boolean;
  /** Minified outputs. @default false */
  minify: boolean;
  help: boolean;
}

/** Usage of `spindle-host dev`. */
export const DEV_USAGE = `Usage: spindle-host dev [options]

Runs a host for development: builds each extension (src/ → dist/), watches its files, and on a
change rebuilds it, restarts only its runtime (sessions stay connected) or, when only its
frontend changed, tells connected pages to reload that frontend. Build errors are shown and the
previous version keeps running.

  --extensions <dir>   folder of extensions (sub-folders or links to them)
                       [the current folder when it holds a spindle.json, else ./extensions]
  --extension <dir>    one extension folder; repeat for more (instead of --extensions)
  --data <dir>         folder for host data and extension storage            [./.spindle-data]
  --mode <mode>        runtime mode: process | sandbox | worker
                       [env LUMIVERSE_SPINDLE_RUNTIME_MODE, else process]
  --port <n>           port to listen on (0 picks a free one)                [0]
  --hostname <addr>    address to bind                                       [127.0.0.1]
  --tokens <file>      token file: {"<token>": {"userId": "...", "isAdmin": true}}
                       [none: prints a one-time admin token]
  -h, --help           show this text
`;

/** Usage of `spindle-host build`. */
export const BUILD_USAGE = `Usage: spindle-host build [options] [<extension folder>...]

Builds each extension folder [the current folder] with Bun's bundler:
src/frontend.ts → dist/frontend.js (browser), src/backend.ts → dist/backend.js (Bun),
src/children/<name>.ts → dist/children/<name>.js (backend processes); entry_frontend and
entry_backend in spindle.json name other outputs. Nothing is written when any part fails.

  --sourcemap          inline source maps                                    [off]
  --minify             minify the outputs                                    [off]
  -h, --help           show this text
`;

function fail(error: unknown): never {
  throw new SpindleError('INVALID_OPTIONS', (error as Error).message, { cause: error });
}

/**
 * Parses the arguments after `dev`; throws `INVALID_OPTIONS` with a clear message.
 * `cwd` decides the default folder.
 */
export function parseDevArgs(argv: string[], cwd: string = process.cwd()): DevCliOptions {
  let values: ReturnType<typeof parseDev>['values'];
  try {
    values = parseDev(argv).values;
  } catch (error) {
    fail(error);
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
  const extensionDirs = values.extension ?? [];
  if (values.extensions !== undefined && extensionDirs.length > 0) {
    throw new SpindleError('INVALID_OPTIONS', 'give --extensions or --extension, not both');
  }
  const single = extensionDirs.length === 0 && values.extensions === undefined;
  const here = single && existsSync(join(cwd, 'spindle.json'));
  return {
    ...(extensionDirs.length > 0 || here
      ? {}
      : { extensionsDir: values.extensions ?? './extensions' }),
    extensionDirs: here ? ['.'] : extensionDirs,
    dataDir: values.data ?? './.spindle-data',
    ...(mode === undefined ? {} : { runtimeMode: mode as SpindleRuntimeMode }),
    port,
    hostname: values.hostname ?? '127.0.0.1',
    ...(values.tokens === undefined ? {} : { tokensFile: values.tokens }),
    help: values.help ?? false,
  };
}

/** Parses the arguments after `build`; throws `INVALID_OPTIONS` with a clear message. */
export function parseBuildArgs(argv: string[]): BuildCliOptions {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: true,
      options: {
        sourcemap: { type: 'boolean' },
        minify: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    return {
      dirs: positionals.length > 0 ? positionals : ['.'],
      sourcemap: values.sourcemap ?? false,
      minify: values.minify ?? false,
      help: values.help ?? false,
    };
  } catch (error) {
    fail(error);
  }
}

function parseDev(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      extensions: { type: 'string' },
      extension: { type: 'string', multiple: true },
      data: { type: 'string' },
      mode: { type: 'string' },
      port: { type: 'string' },
      hostname: { type: 'string' },
      tokens: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
