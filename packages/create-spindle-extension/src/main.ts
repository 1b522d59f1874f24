/**
 * The `create-spindle-extension` command: reads the options (and, on a terminal, asks for the
 * folder when none is given), writes the project, and prints the next steps.
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { fileURLToPath } from 'node:url';
import { type CreateOptions, parseCreateArgs, USAGE, UsageError } from './args.ts';
import { GenerateError, generateProject } from './generate.ts';
import { toDisplayName, toIdentifier, toPackageName } from './names.ts';
import { commandsOf, detectPackageManager } from './package-manager.ts';

/** What the command reads and writes (the process's own by default; tests pass their own). */
export interface CreateIO {
  cwd: string;
  env: Record<string, string | undefined>;
  out(line: string): void;
  err(line: string): void;
  /** Asks a question on a terminal; absent when there is none. */
  ask?: (question: string) => Promise<string>;
}

/** This package's version (the `@spindle/*` packages a project depends on share it). */
export function ownVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (manifest.name === 'create-spindle-extension' && manifest.version) return manifest.version;
    } catch {
      // Not here: one folder up.
    }
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error('[spindle] cannot find the package.json of create-spindle-extension');
    dir = parent;
  }
}

/** The process's own input and output; asks only when stdin and stdout are a terminal. */
export function processIO(): CreateIO {
  const terminal = Boolean(process.stdin.isTTY && process.stdout.isTTY);
  return {
    cwd: process.cwd(),
    env: process.env,
    out: (line) => console.log(line),
    err: (line) => console.error(line),
    ...(terminal
      ? {
          ask: async (question: string) => {
            const rl = createInterface({ input: process.stdin, output: process.stdout });
            try {
              return await rl.question(question);
            } finally {
              rl.close();
            }
          },
        }
      : {}),
  };
}

function describe(options: CreateOptions): string {
  const halves =
    options.variant === 'full'
      ? 'frontend + backend'
      : options.variant === 'frontend'
        ? 'frontend only'
        : 'backend only';
  return options.child ? `${halves} + a backend process` : halves;
}

/** Runs the command; resolves with the exit code (0 done, 1 could not create, 2 bad usage). */
export async function runCreate(argv: string[], io: CreateIO = processIO()): Promise<number> {
  let options: CreateOptions;
  try {
    options = parseCreateArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`create-spindle-extension: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    io.out(USAGE);
    return 0;
  }
  if (options.version) {
    io.out(ownVersion());
    return 0;
  }
  let folder = options.dir;
  if (folder === undefined && io.ask) {
    folder = (await io.ask('Project folder (my-extension): ')).trim() || 'my-extension';
  }
  if (folder === undefined) {
    io.err(`create-spindle-extension: give the folder of the new project\n\n${USAGE}`);
    return 2;
  }
  const dir = resolve(io.cwd, folder);
  const base = basename(dir);
  const packageManager =
    options.packageManager ?? detectPackageManager(io.env.npm_config_user_agent);
  let files: string[];
  try {
    files = generateProject({
      dir,
      packageName: toPackageName(base),
      identifier: options.identifier ?? toIdentifier(base),
      displayName: options.name ?? toDisplayName(base),
      variant: options.variant,
      child: options.child,
      packageManager,
      spindleVersion: ownVersion(),
      force: options.force,
    });
  } catch (error) {
    if (!(error instanceof GenerateError)) throw error;
    io.err(error.message);
    return 1;
  }
  const { install, run } = commandsOf(packageManager);
  const where = relative(io.cwd, dir) || '.';
  io.out(`Created ${base} (${describe(options)}) in ${where}: ${files.length} files.`);
  io.out('');
  io.out('Next:');
  if (where !== '.') io.out(`  cd ${where.includes(' ') ? JSON.stringify(where) : where}`);
  io.out(`  ${install}`);
  io.out(
    `  ${run} test        # the tests of ${options.variant === 'full' ? 'both halves' : 'the extension'}`,
  );
  io.out(`  ${run} build       # src/ → dist/`);
  io.out(`  ${run} dev         # a dev host that rebuilds and reloads on save`);
  return 0;
}
