/**
 * The extension folder a backend test host runs: always a private copy inside the test's
 * temporary folder, so a test never writes into the project and tests running side by side never
 * share outputs. From an extension folder, the copy holds everything but `node_modules`, `.git`
 * and (when the sources are built) `dist/`; the sources are built from their own place (so their
 * imports resolve as in the project) into the copy. From a `backend` module, the copy is a
 * `spindle.json` and the module (and any `children`) bundled into `dist/`.
 */
import { cpSync, existsSync, mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  EXTENSION_IDENTIFIER_PATTERN,
  SpindleError,
  type SpindleManifest,
  validateManifest,
} from '@spindle/types';
import { buildPlan, type ExtensionBuildResult, formatProblem } from '../dev/build.ts';
import { type BuildEntry, planExtensionBuild, readManifest } from '../dev/sources.ts';

/** Where the backend half comes from. */
export interface ExtensionSource {
  /** An extension folder (its `spindle.json`, and sources or built files). */
  extensionDir?: string | URL;
  /** A backend half's source module, run as the extension's whole backend. */
  backend?: string | URL;
  /** Backend process sources of a `backend` module: name → module (`dist/children/<name>.js`). */
  children?: Record<string, string | URL>;
  /** Manifest fields over the folder's `spindle.json` (or over test defaults with `backend`). */
  manifest?: Partial<SpindleManifest>;
  /** Build the folder's sources. @default true when it has sources (src/backend.ts, …) */
  build?: boolean;
}

/** The manifest of a `backend` module test. */
export const TEST_MANIFEST: SpindleManifest = {
  version: '0.0.0',
  name: 'Test extension',
  identifier: 'test_extension',
  author: 'test',
  github: '',
  homepage: '',
  permissions: [],
};

const pathOf = (value: string | URL) =>
  value instanceof URL || value.startsWith('file:') ? fileURLToPath(value) : resolve(value);

function checked(manifest: unknown): SpindleManifest {
  const result = validateManifest(manifest);
  if (!result.ok) {
    const where = result.error.path ? ` at ${result.error.path}` : '';
    throw new SpindleError('INVALID_MANIFEST', `test manifest${where}: ${result.error.message}`);
  }
  return result.value;
}

function buildFailure(build: ExtensionBuildResult): SpindleError {
  const problems = build.errors.map((e) => `  ${formatProblem(e, build.dir)}`).join('\n');
  return new SpindleError('IMPORT_FAILED', `the extension did not build:\n${problems}`, {
    details: { errors: build.errors },
  });
}

const SKIPPED = new Set(['node_modules', '.git']);

/**
 * Prepares the extension folder under `extensionsDir` (see the module comment) and resolves with
 * its manifest.
 * @throws SpindleError `INVALID_OPTIONS` (neither or both sources given, a folder without a
 *   manifest), `INVALID_MANIFEST`, `IMPORT_FAILED` (a build error, with every problem)
 */
export async function prepareExtension(
  source: ExtensionSource,
  extensionsDir: string,
): Promise<{ dir: string; manifest: SpindleManifest }> {
  if ((source.extensionDir === undefined) === (source.backend === undefined)) {
    throw new SpindleError(
      'INVALID_OPTIONS',
      'createBackendTestHost: give exactly one of extensionDir and backend',
    );
  }
  if (source.extensionDir !== undefined) {
    const from = pathOf(source.extensionDir);
    if (!existsSync(join(from, 'spindle.json'))) {
      throw new SpindleError(
        'INVALID_OPTIONS',
        `createBackendTestHost: ${from} holds no spindle.json`,
      );
    }
    const real = realpathSync(from);
    const manifest = checked({ ...readManifest(real), ...source.manifest });
    const plan = planExtensionBuild(real, manifest);
    const build = source.build ?? plan.entries.length > 0;
    const dir = join(extensionsDir, manifest.identifier);
    cpSync(real, dir, {
      recursive: true,
      filter: (path) => {
        const rel = relative(real, path);
        const top = rel.split(sep)[0] ?? '';
        return !SKIPPED.has(top) && !(build && top === 'dist');
      },
    });
    writeFileSync(join(dir, 'spindle.json'), JSON.stringify(manifest, null, 2));
    if (build) {
      const result = await buildPlan(plan, { outDir: dir, sourcemap: 'inline', nodeEnv: 'test' });
      if (!result.ok) throw buildFailure(result);
    }
    return { dir, manifest };
  }

  const manifest = checked({ ...TEST_MANIFEST, ...source.manifest });
  if (!EXTENSION_IDENTIFIER_PATTERN.test(manifest.identifier)) {
    throw new SpindleError(
      'INVALID_MANIFEST',
      `test manifest: bad identifier ${manifest.identifier}`,
    );
  }
  const dir = join(extensionsDir, manifest.identifier);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'spindle.json'), JSON.stringify(manifest, null, 2));
  const backend = pathOf(source.backend as string | URL);
  const entries: BuildEntry[] = [
    {
      part: 'backend',
      source: backend,
      output: manifest.entry_backend ?? 'dist/backend.js',
      target: 'bun',
    },
    ...Object.entries(source.children ?? {}).map(
      ([name, module]): BuildEntry => ({
        part: 'child',
        source: pathOf(module),
        output: `dist/children/${basename(name).replace(/\.[cm]?[jt]sx?$/, '')}.js`,
        target: 'bun',
      }),
    ),
  ];
  const result = await buildPlan(
    { dir: dirname(backend), manifest, entries },
    { outDir: dir, sourcemap: 'inline', nodeEnv: 'test' },
  );
  if (!result.ok) throw buildFailure(result);
  return { dir, manifest };
}
