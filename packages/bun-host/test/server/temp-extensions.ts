/**
 * Temporary extension folders for tests that run a real host: a cleanup list drained in
 * `afterEach`, temp dirs registered on it, and a minimal extension writer.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testManifest } from './helpers.ts';

/** Cleanups run in reverse order by `drain()` (call it from `afterEach`). */
export function cleanupList() {
  const cleanups: Array<() => unknown> = [];
  return {
    add(cleanup: () => unknown): void {
      cleanups.push(cleanup);
    },
    async drain(): Promise<void> {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    },
  };
}

/** A temp dir removed by `cleanups.drain()`. */
export function tempDir(cleanups: ReturnType<typeof cleanupList>, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanups.add(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * Writes `<root>/<identifier>` with a valid `spindle.json`, an idle `dist/backend.js` and, unless
 * `frontend: false`, a `dist/frontend.js` exporting `setup`. Returns the extension folder.
 */
export function writeExtension(
  root: string,
  identifier: string,
  options: { frontend?: boolean } = {},
): string {
  const dir = join(root, identifier);
  mkdirSync(join(dir, 'dist'), { recursive: true });
  writeFileSync(join(dir, 'spindle.json'), JSON.stringify(testManifest(identifier)));
  writeFileSync(join(dir, 'dist', 'backend.js'), '// nothing to do\n');
  if (options.frontend !== false) {
    writeFileSync(join(dir, 'dist', 'frontend.js'), 'export function setup() {}\n');
  }
  return dir;
}
