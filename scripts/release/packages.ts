/** The packages this repository publishes, and where each must be able to run. */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Root of the repository. */
export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');

/**
 * Packages whose built code runs in a browser (or anywhere): none of their modules may import
 * Node's or Bun's built-in modules. `@spindle/bun-host` runs only on Bun.
 */
export const BROWSER_SAFE = new Set([
  '@spindle/types',
  '@spindle/frontend-sdk',
  '@spindle/host-bridge',
]);

/** A package of `packages/` that is published. */
export interface ReleasePackage {
  name: string;
  version: string;
  /** Absolute path of its folder. */
  dir: string;
  /** See `BROWSER_SAFE`. */
  browserSafe: boolean;
}

/** Every non-private package under `packages/`, in folder order. */
export function releasePackages(): ReleasePackage[] {
  const base = join(REPO_ROOT, 'packages');
  return readdirSync(base, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => join(base, entry.name))
    .flatMap((dir) => {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name: string;
        version: string;
        private?: boolean;
      };
      if (manifest.private === true) return [];
      return [
        {
          name: manifest.name,
          version: manifest.version,
          dir,
          browserSafe: BROWSER_SAFE.has(manifest.name),
        },
      ];
    });
}
