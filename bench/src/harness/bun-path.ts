/**
 * Finds the repo's Bun binary (the `bun` devDependency of the root package). A global Bun is
 * never used: the figures must be measured with the version the lockfile pins.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, parse } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SpindleError } from '@spindle/types';

/**
 * Absolute path of the Bun binary: `bun/package.json` → `bin/bun.exe`, else the nearest
 * `node_modules/.bin/bun` above `from`. Throws `INTERNAL` when neither exists.
 */
export function resolveBunBinary(from: string = import.meta.url): string {
  const tried: string[] = [];
  try {
    const pkg = createRequire(from).resolve('bun/package.json');
    const bin = join(dirname(pkg), 'bin', 'bun.exe');
    if (existsSync(bin)) return bin;
    tried.push(bin);
  } catch {
    tried.push('bun/package.json (not resolvable)');
  }
  let dir = dirname(fileURLToPath(from));
  const root = parse(dir).root;
  while (dir !== root) {
    const candidate = join(dir, 'node_modules', '.bin', 'bun');
    if (existsSync(candidate)) return candidate;
    tried.push(candidate);
    dir = dirname(dir);
  }
  throw new SpindleError('INTERNAL', 'Bun binary not found in the repo; run the install first', {
    details: { tried },
  });
}
