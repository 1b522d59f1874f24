/**
 * Every runtime starts Bun the same way in every mode (`BUN_RUNTIME_FLAGS`): a bare import of a
 * package the extension did not ship fails to import instead of being downloaded from the
 * registry at run time (Bun's auto-install, on by default in a folder without `node_modules`,
 * which an installed extension's folder is), and a `.env` file in the extension's folder is not
 * read into its environment. Before, a `process` runtime fetched the package and ran, and read
 * the `.env`, while a worker did neither.
 */
import { afterEach, describe, expect, setDefaultTimeout, test } from 'bun:test';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RUNTIME_MODES } from '@spindle/types';
import { createBackendTestHost } from '../../src/testing/index.ts';

setDefaultTimeout(60_000);

const folders: string[] = [];
afterEach(() => {
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A built extension folder (no sources, no `node_modules`) whose backend is `backend`. */
function extensionWith(backend: string, files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'spindle-bun-flags-'));
  folders.push(dir);
  // A runtime user (on a root machine) must be able to read it.
  chmodSync(dir, 0o755);
  mkdirSync(join(dir, 'dist'));
  const manifest = {
    version: '1.0.0',
    name: 'Bun flags probe',
    identifier: 'bun_flags_probe',
    author: 'test',
    github: '',
    homepage: '',
    permissions: [],
  };
  writeFileSync(join(dir, 'spindle.json'), JSON.stringify(manifest));
  writeFileSync(join(dir, 'dist', 'backend.js'), backend);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

describe.each(RUNTIME_MODES)('%s mode', (mode) => {
  test('a bare import of a package the extension did not ship fails; nothing is fetched', async () => {
    const extensionDir = extensionWith(
      "import isEven from 'is-even';\nspindle.log.info('imported ' + typeof isEven);\n",
    );
    // A host that started anyway (the import was fetched) is disposed before the test fails.
    const failure = await createBackendTestHost({ extensionDir, build: false, mode }).then(
      async (started) => {
        await started.dispose();
        return undefined;
      },
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(Error);
    const message = (failure as Error).message;
    expect(message).toContain('is failed: backend entry failed to import');
    expect(message).toContain("Cannot find package 'is-even'");
    expect(message).not.toContain('imported function');
  });

  test("a .env file in the extension's folder does not reach its environment", async () => {
    const extensionDir = extensionWith(
      "spindle.log.info('probe: ' + String(process.env.SPINDLE_DOTENV_PROBE));\n",
      { '.env': 'SPINDLE_DOTENV_PROBE=read-from-dotenv\n' },
    );
    const h = await createBackendTestHost({ extensionDir, build: false, mode });
    try {
      const line = await h.waitForLog(/probe: /);
      expect(line.message).toContain('probe: undefined');
    } finally {
      await h.dispose();
    }
  });
});
