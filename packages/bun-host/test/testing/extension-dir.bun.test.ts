/**
 * Which extension the test host runs: sources built from their own place into a private copy
 * (an npm dependency of the project resolves; `node_modules` is not copied; the project gets no
 * `dist/`), manifest fields overridden, and built files run as they are with `build: false`.
 */
import { afterEach, expect, setDefaultTimeout, test } from 'bun:test';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BackendTestHost, createBackendTestHost } from '../../src/testing/index.ts';

setDefaultTimeout(60_000);

const hosts: BackendTestHost[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const t of hosts.splice(0)) await t.dispose();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'spindle-kit-project-'));
  dirs.push(dir);
  const all = {
    'spindle.json': JSON.stringify({
      version: '1.0.0',
      name: 'Dep user',
      identifier: 'dep_user',
      author: 'a',
      github: '',
      homepage: '',
      permissions: [],
    }),
    ...files,
  };
  for (const [path, text] of Object.entries(all)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

test('sources importing an npm dependency build from their place into a private copy', async () => {
  const dir = project({
    'node_modules/left-pad-ish/package.json': JSON.stringify({
      name: 'left-pad-ish',
      version: '1.0.0',
      type: 'module',
      exports: './index.js',
    }),
    'node_modules/left-pad-ish/index.js':
      'export const pad = (s, n) => String(s).padStart(n, "0");',
    'src/backend.ts': `import { pad } from 'left-pad-ish';
declare const spindle: { onFrontendMessage(h: (p: unknown, u: string) => void): void; sendToFrontend(p: unknown, u: string): void };
spindle.onFrontendMessage((p, u) => spindle.sendToFrontend({ padded: pad(p, 5) }, u));`,
  });
  const t = await createBackendTestHost({ extensionDir: dir, manifest: { name: 'Overridden' } });
  hosts.push(t);
  t.frontend.send(42);
  expect((await t.frontend.waitForMessage()).payload).toEqual({ padded: '00042' });
  expect(t.info().manifest?.name).toBe('Overridden');
  expect(existsSync(join(t.dir, 'node_modules'))).toBe(false);
  expect(existsSync(join(t.dir, 'src', 'backend.ts'))).toBe(true);
  expect(existsSync(join(dir, 'dist'))).toBe(false);
});

test('build: false runs the built files as they are', async () => {
  const dir = project({
    'dist/backend.js':
      'spindle.onFrontendMessage((p, u) => spindle.sendToFrontend({ prebuilt: p }, u));',
    'src/backend.ts': 'this source is not built',
  });
  const t = await createBackendTestHost({ extensionDir: dir, build: false, mode: 'worker' });
  hosts.push(t);
  t.frontend.send('x');
  expect((await t.frontend.waitForMessage()).payload).toEqual({ prebuilt: 'x' });
});

test('a folder without spindle.json and an invalid manifest override are refused', async () => {
  const empty = mkdtempSync(join(tmpdir(), 'spindle-kit-empty-'));
  dirs.push(empty);
  const noManifest = await createBackendTestHost({ extensionDir: empty }).then(
    () => undefined,
    (error: unknown) => error as { code?: string; message?: string },
  );
  expect(noManifest).toMatchObject({ code: 'INVALID_OPTIONS' });
  expect(noManifest?.message).toContain('holds no spindle.json');
  const badId = await createBackendTestHost({
    backend: new URL('./fixtures/echo-backend.ts', import.meta.url),
    manifest: { identifier: 'Not Valid' },
  }).then(
    () => undefined,
    (error: unknown) => error as { code?: string },
  );
  expect(badId).toMatchObject({ code: 'INVALID_MANIFEST' });
});
