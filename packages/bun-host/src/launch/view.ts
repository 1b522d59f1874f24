/** What a sandboxed child sees: the default read-only sets and their de-duplication. */
import { realpathSync } from 'node:fs';
import { dirname } from 'node:path';
import { isWithin, REPO_NODE_MODULES, REPO_PACKAGES } from './paths.ts';

/**
 * Runtime sources a child imports, visible read-only: the script's folder, the workspace
 * packages (the bootstraps import `@spindle/*` by name) and the installed dependencies.
 */
export function runtimeSourceDefaults(script?: string): string[] {
  return collapse([...(script ? [dirname(script)] : []), REPO_PACKAGES, REPO_NODE_MODULES]);
}

/** The Bun binary's folder, and its real folder when the binary is a symlink. */
export function bunDirs(bun: string): string[] {
  const dirs = [dirname(bun)];
  try {
    dirs.push(dirname(realpathSync(bun)));
  } catch {
    // A missing binary fails loudly at spawn; the view need not.
  }
  return collapse(dirs);
}

/** Canonical form of a path when it exists (Seatbelt and Landlock match real paths). */
export function realOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** Drops duplicates and paths already covered by another path of the list. */
export function collapse(paths: string[]): string[] {
  const unique = [...new Set(paths)];
  return unique.filter((p) => !unique.some((q) => q !== p && isWithin(p, q)));
}
