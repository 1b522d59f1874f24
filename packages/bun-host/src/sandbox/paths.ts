/**
 * Where the host's own files are: resolved from the installed package (this module's own URL,
 * `import.meta.resolve`), never from a repository root, so the host runs the same from the
 * workspace's `src/`, a built `dist/` or a project's `node_modules`.
 */
import { existsSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SpindleError } from '@spindle/types';

/** The nearest folder at or above `file` that holds a `package.json`. */
export function packageRootOf(file: string): string {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) {
      throw new SpindleError('INTERNAL', `[spindle] no package.json at or above ${file}`);
    }
  }
}

/** The folder of `@spindle/bun-host` as installed (its `src/` and `dist/` alike). */
export const HOST_PACKAGE_DIR: string = packageRootOf(fileURLToPath(import.meta.url));

/**
 * Folders a child running the bootstraps from their sources (when they cannot be bundled)
 * reads: this package and `@spindle/types`, as linked and as real paths.
 */
export function bootstrapSourceDirs(): string[] {
  const types = packageRootOf(fileURLToPath(import.meta.resolve('@spindle/types')));
  return collapse([HOST_PACKAGE_DIR, types].flatMap((dir) => [dir, realOrSelf(dir)]));
}

/**
 * The Bun binary children run when `LUMIVERSE_BUN_PATH` is unset: the running Bun, else the
 * `bun` package's binary as this package resolves it (not `.bin/bun`, a shim that does not
 * `exec`, so signals and parent-death guards would miss the real Bun).
 * @throws SpindleError `INVALID_OPTIONS` when neither exists.
 */
export function defaultBunPath(): string {
  if (process.versions.bun !== undefined) return process.execPath;
  try {
    return join(dirname(createRequire(import.meta.url).resolve('bun/package.json')), 'bin/bun.exe');
  } catch {
    throw new SpindleError(
      'INVALID_OPTIONS',
      '[spindle] no Bun binary: run the host under Bun or set LUMIVERSE_BUN_PATH',
    );
  }
}

/** Canonical form of a path when it exists (Landlock and Seatbelt match real paths). */
export function realOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** True when `child` is `parent` or lies below it (both absolute, normalised). */
export function isWithin(child: string, parent: string): boolean {
  if (parent === '/') return child.startsWith('/');
  return child === parent || child.startsWith(`${parent}/`);
}

/** Drops duplicates and paths already covered by another path of the list. */
export function collapse(paths: string[]): string[] {
  const unique = [...new Set(paths)];
  return unique.filter((p) => !unique.some((q) => q !== p && isWithin(p, q)));
}
