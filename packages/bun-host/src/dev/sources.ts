/**
 * Where an extension's parts come from and where they go, by the project conventions that
 * `create-spindle-extension` generates and `spindle-host build` / `spindle-host dev` follow
 * (docs/first-extension.md):
 *
 * | source                          | output                                          | runs in   |
 * | ------------------------------- | ----------------------------------------------- | --------- |
 * | `src/frontend.ts`               | `entry_frontend` (default `dist/frontend.js`)    | a browser |
 * | `src/backend.ts`                | `entry_backend` (default `dist/backend.js`)      | Bun       |
 * | `src/children/<name>.ts`        | `dist/children/<name>.js` (a backend process)    | Bun       |
 *
 * `.tsx`, `.mts`, `.js`, `.jsx` and `.mjs` sources work too (the first that exists, in that
 * order after `.ts`). A part without a source is not built; an extension with no source at all is
 * one that is built some other way (its outputs are used as they are).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  DEFAULT_ENTRY_BACKEND,
  DEFAULT_ENTRY_FRONTEND,
  errorMessage,
  SpindleError,
  type SpindleManifest,
  validateManifest,
} from '@spindle/types';

/** Which part of an extension an entry builds. */
export type ExtensionPart = 'frontend' | 'backend' | 'child';

/** One source → output pair. */
export interface BuildEntry {
  part: ExtensionPart;
  /** Absolute path of the source. */
  source: string;
  /** Output path relative to the extension folder (`dist/backend.js`). */
  output: string;
  /** Bun's build target: `browser` for the frontend, `bun` for the rest. */
  target: 'browser' | 'bun';
}

/** What `planExtensionBuild` found. */
export interface ExtensionBuildPlan {
  /** Absolute path of the extension folder. */
  dir: string;
  manifest: SpindleManifest;
  /** Every part that has a source, frontend first, then backend, then children by name. */
  entries: BuildEntry[];
}

/** Source extensions, in order of preference. */
export const SOURCE_EXTENSIONS = ['.ts', '.tsx', '.mts', '.js', '.jsx', '.mjs'] as const;

/** Folder of the sources, relative to the extension. */
export const SOURCE_DIR = 'src';

/** Folder of backend process sources, relative to the extension. */
export const CHILDREN_DIR = 'src/children';

function firstSource(dir: string, base: string): string | undefined {
  for (const extension of SOURCE_EXTENSIONS) {
    const path = join(dir, `${base}${extension}`);
    if (isFile(path)) return path;
  }
  return undefined;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * Reads and validates `<dir>/spindle.json`.
 * @throws SpindleError `INVALID_MANIFEST` when it is missing, unreadable or invalid
 */
export function readManifest(dir: string): SpindleManifest {
  const path = join(dir, 'spindle.json');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new SpindleError('INVALID_MANIFEST', `cannot read ${path}: ${errorMessage(error)}`, {
      cause: error,
      details: { path },
    });
  }
  const result = validateManifest(raw);
  if (!result.ok) {
    const where = result.error.path ? ` at ${result.error.path}` : '';
    throw new SpindleError('INVALID_MANIFEST', `invalid ${path}${where}: ${result.error.message}`, {
      details: { path },
    });
  }
  return result.value;
}

/**
 * The build plan of the extension in `dir`: its manifest and every part that has a source.
 * @throws SpindleError `INVALID_MANIFEST` for a missing or invalid `spindle.json`
 */
export function planExtensionBuild(dir: string, manifest?: SpindleManifest): ExtensionBuildPlan {
  const root = resolve(dir);
  const checked = manifest ?? readManifest(root);
  const src = join(root, SOURCE_DIR);
  const entries: BuildEntry[] = [];
  const frontend = firstSource(src, 'frontend');
  if (frontend) {
    entries.push({
      part: 'frontend',
      source: frontend,
      output: checked.entry_frontend ?? DEFAULT_ENTRY_FRONTEND,
      target: 'browser',
    });
  }
  const backend = firstSource(src, 'backend');
  if (backend) {
    entries.push({
      part: 'backend',
      source: backend,
      output: checked.entry_backend ?? DEFAULT_ENTRY_BACKEND,
      target: 'bun',
    });
  }
  const children = join(root, CHILDREN_DIR);
  if (existsSync(children)) {
    const names = new Set<string>();
    for (const file of readdirSync(children).sort()) {
      const extension = SOURCE_EXTENSIONS.find((ext) => file.endsWith(ext));
      if (extension === undefined || file.endsWith('.d.ts')) continue;
      const name = file.slice(0, -extension.length);
      if (names.has(name) || !isFile(join(children, file))) continue;
      names.add(name);
      const source = firstSource(children, name);
      if (source === undefined) continue;
      entries.push({ part: 'child', source, output: `dist/children/${name}.js`, target: 'bun' });
    }
  }
  return { dir: root, manifest: checked, entries };
}
