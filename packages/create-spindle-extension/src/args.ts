/** Command-line options of `create-spindle-extension`. */
import { parseArgs } from 'node:util';
import type { Variant } from './generate.ts';
import type { PackageManager } from './package-manager.ts';

/** Parsed options. */
export interface CreateOptions {
  /** Folder of the new project (absent: asked for on a terminal). */
  dir?: string;
  /** @default "full" */
  variant: Variant;
  /** @default false */
  child: boolean;
  /** @default derived from the folder name */
  identifier?: string;
  /** @default derived from the folder name */
  name?: string;
  /** @default the one that runs the command (`npm create`, `pnpm create`, `bun create`) */
  packageManager?: PackageManager;
  /** @default false */
  force: boolean;
  help: boolean;
  version: boolean;
}

/** A command line that cannot be used; `message` says why. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Usage text. */
export const USAGE = `Usage: npm create spindle-extension@latest [folder] -- [options]
       pnpm create spindle-extension [folder] [options]
       bun create spindle-extension [folder] [options]

Creates a Spindle extension project: spindle.json, src/frontend.ts, src/backend.ts, tsconfig.json,
a build (spindle-host build), a dev host (spindle-host dev), tests of both halves and a README.

  --frontend-only        no backend half
  --backend-only         no frontend half
  --child                a backend process too (src/children/worker.ts)
  --identifier <id>      the extension identifier [derived from the folder name]
  --name <name>          the display name          [derived from the folder name]
  --package-manager <pm> npm | pnpm | bun, for the commands the README shows
                         [the one running this command]
  --force                write into a folder that is not empty
  -h, --help             show this text
  -v, --version          show the version
`;

/** Parses `argv`; throws `UsageError` with a clear message. */
export function parseCreateArgs(argv: string[]): CreateOptions {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1) {
    throw new UsageError(`one folder at most, got ${positionals.map((p) => `"${p}"`).join(', ')}`);
  }
  if (values['frontend-only'] && values['backend-only']) {
    throw new UsageError('--frontend-only and --backend-only exclude each other');
  }
  if (values.child && values['frontend-only']) {
    throw new UsageError('--child needs a backend half: it cannot go with --frontend-only');
  }
  const pm = values['package-manager'];
  if (pm !== undefined && pm !== 'npm' && pm !== 'pnpm' && pm !== 'bun') {
    throw new UsageError(`--package-manager must be npm, pnpm or bun, got "${pm}"`);
  }
  return {
    ...(positionals[0] === undefined ? {} : { dir: positionals[0] }),
    variant: values['frontend-only'] ? 'frontend' : values['backend-only'] ? 'backend' : 'full',
    child: values.child ?? false,
    ...(values.identifier === undefined ? {} : { identifier: values.identifier }),
    ...(values.name === undefined ? {} : { name: values.name }),
    ...(pm === undefined ? {} : { packageManager: pm }),
    force: values.force ?? false,
    help: values.help ?? false,
    version: values.version ?? false,
  };
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: {
      'frontend-only': { type: 'boolean' },
      'backend-only': { type: 'boolean' },
      child: { type: 'boolean' },
      identifier: { type: 'string' },
      name: { type: 'string' },
      'package-manager': { type: 'string' },
      force: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
    },
  });
}
