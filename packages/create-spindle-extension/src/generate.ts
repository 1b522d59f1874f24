/**
 * `generateProject`: writes a new extension project (see the package README for what each
 * variant holds) from the templates next to this module (`template/`, rendered by `render.ts`)
 * plus the two manifests made here (`package.json`, `spindle.json`).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IDENTIFIER_PATTERN, PACKAGE_NAME_PATTERN } from './names.ts';
import { commandsOf, type PackageManager } from './package-manager.ts';
import { render } from './render.ts';
import { TOOL_VERSIONS } from './versions.ts';

/** Which halves a project has. */
export type Variant = 'full' | 'frontend' | 'backend';

/** Options of `generateProject`. */
export interface GenerateOptions {
  /** The folder to create (or fill, when empty). */
  dir: string;
  /** npm package name of the project. */
  packageName: string;
  /** `identifier` of `spindle.json` (`/^[a-z][a-z0-9_]*$/`). */
  identifier: string;
  /** `name` of `spindle.json`. */
  displayName: string;
  /** Frontend and backend halves, or one of them. @default "full" */
  variant?: Variant;
  /** A backend process (`src/children/worker.ts`); needs a backend half. @default false */
  child?: boolean;
  /** Whose commands the README shows. @default "npm" */
  packageManager?: PackageManager;
  /** Version of the `@spindle/*` packages depended on. */
  spindleVersion: string;
  /** Write into a folder that is not empty (files of the same name are replaced). @default false */
  force?: boolean;
}

/** A project that cannot be generated as asked; `message` says why. */
export class GenerateError extends Error {
  override name = 'GenerateError';
}

/** Folder of the templates: `template/` next to this module, in the sources and in `dist/`. */
export const TEMPLATE_DIR = join(dirname(fileURLToPath(import.meta.url)), 'template');

function templates(dir: string, base = dir): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? templates(path, base) : [relative(base, path)];
    });
}

/** Where a template goes: `x.ts.tmpl` → `x.ts`, `gitignore.tmpl` → `.gitignore`. */
function targetOf(template: string): string {
  const bare = template.replace(/\.tmpl$/, '');
  return bare === 'gitignore' ? '.gitignore' : bare;
}

/** Which templates a variant takes. */
function wanted(path: string, flags: { frontend: boolean; backend: boolean; child: boolean }) {
  if (path === join('src', 'frontend.ts') || path === join('test', 'frontend.test.ts')) {
    return flags.frontend;
  }
  if (path === join('src', 'backend.ts') || path === join('test', 'backend.test.ts')) {
    return flags.backend;
  }
  if (path.startsWith(join('src', 'children'))) return flags.child;
  return true;
}

/** The `package.json` of the project. */
function packageJson(o: Required<GenerateOptions>, flags: { frontend: boolean; backend: boolean }) {
  const spindle = `^${o.spindleVersion}`;
  const devDependencies: Record<string, string> = {
    '@spindle/bun-host': spindle,
    ...(flags.frontend ? { '@spindle/frontend-sdk': spindle } : {}),
    '@spindle/types': spindle,
    bun: TOOL_VERSIONS.bun,
    ...(flags.frontend ? { 'happy-dom': TOOL_VERSIONS['happy-dom'] } : {}),
    typescript: TOOL_VERSIONS.typescript,
    vitest: TOOL_VERSIONS.vitest,
  };
  return {
    name: o.packageName,
    version: '0.1.0',
    private: true,
    description: `${o.displayName}: a Spindle extension`,
    type: 'module',
    scripts: {
      build: 'spindle-host build',
      dev: 'spindle-host dev',
      typecheck: 'tsc',
      // The backend tests start a real host, which runs on Bun.
      test: flags.backend ? 'bun --bun vitest run' : 'vitest run',
    },
    devDependencies,
    // Bun's npm package puts its binary in place in an install script: Bun and pnpm run it only
    // for packages allowed to.
    trustedDependencies: ['bun'],
    pnpm: { onlyBuiltDependencies: ['bun'] },
  };
}

/** The `spindle.json` of the project. */
function manifest(o: Required<GenerateOptions>) {
  return {
    version: '0.1.0',
    name: o.displayName,
    identifier: o.identifier,
    author: '',
    github: '',
    homepage: '',
    description: `${o.displayName}: a Spindle extension`,
    permissions: [],
  };
}

/**
 * Writes the project; returns the files written (relative to `dir`, sorted).
 * @throws GenerateError for a bad name or identifier, a child without a backend, or a folder
 *   that is a file or not empty (without `force`)
 */
export function generateProject(options: GenerateOptions): string[] {
  const o: Required<GenerateOptions> = {
    variant: 'full',
    child: false,
    packageManager: 'npm',
    force: false,
    ...options,
    dir: resolve(options.dir),
  };
  if (!IDENTIFIER_PATTERN.test(o.identifier)) {
    throw new GenerateError(
      `[spindle] identifier "${o.identifier}" must start with a lower-case letter and hold only a-z, 0-9 and _`,
    );
  }
  if (!PACKAGE_NAME_PATTERN.test(o.packageName) || o.packageName.length > 214) {
    throw new GenerateError(`[spindle] "${o.packageName}" is not a valid npm package name`);
  }
  if (o.displayName.trim() === '') throw new GenerateError('[spindle] the name must not be empty');
  const flags = {
    frontend: o.variant !== 'backend',
    backend: o.variant !== 'frontend',
    child: o.child,
  };
  if (flags.child && !flags.backend) {
    throw new GenerateError(
      '[spindle] a backend process needs a backend half: drop --frontend-only',
    );
  }
  if (existsSync(o.dir)) {
    if (!statSync(o.dir).isDirectory()) {
      throw new GenerateError(`[spindle] ${o.dir} exists and is not a folder`);
    }
    if (readdirSync(o.dir).length > 0 && !o.force) {
      throw new GenerateError(
        `[spindle] ${o.dir} is not empty: choose a new folder, or pass --force to write into it`,
      );
    }
  }
  const { install, run } = commandsOf(o.packageManager);
  const context = {
    flags,
    values: {
      identifier: o.identifier,
      displayName: o.displayName,
      packageName: o.packageName,
      install,
      run,
    },
  };
  const files = new Map<string, string>();
  for (const template of templates(TEMPLATE_DIR)) {
    const target = targetOf(template);
    if (!wanted(target, flags)) continue;
    const text = readFileSync(join(TEMPLATE_DIR, template), 'utf8');
    files.set(target, render(template, text, context));
  }
  files.set('package.json', `${JSON.stringify(packageJson(o, flags), null, 2)}\n`);
  files.set('spindle.json', `${JSON.stringify(manifest(o), null, 2)}\n`);
  for (const [path, text] of files) {
    const target = join(o.dir, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, text);
  }
  return [...files.keys()].sort();
}
