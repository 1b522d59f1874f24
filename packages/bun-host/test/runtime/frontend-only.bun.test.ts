/**
 * A frontend-only extension (no `entry_backend`, no `dist/backend.js`, a frontend bundle) runs
 * without a runtime in every mode: it is `running`, its bundle is served, restart and disable
 * work, and a frontend message for it is dropped with a warning. Without a frontend bundle, or
 * with an `entry_backend` that is missing, the start still fails.
 */
import { afterEach, describe, expect, setDefaultTimeout, test } from 'bun:test';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RUNTIME_MODES } from '@spindle/types';
import { type BackendTestHost, createBackendTestHost, waitFor } from '../../src/testing/index.ts';

setDefaultTimeout(60_000);

const hosts: BackendTestHost[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const t of hosts.splice(0)) await t.dispose();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function extension(manifest: Record<string, unknown>, files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'spindle-frontend-only-'));
  dirs.push(dir);
  writeFileSync(
    join(dir, 'spindle.json'),
    JSON.stringify({
      version: '1.0.0',
      name: 'Front only',
      identifier: 'front_only',
      author: 't',
      github: '',
      homepage: '',
      permissions: [],
      ...manifest,
    }),
  );
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const FRONTEND = { 'dist/frontend.js': 'export function setup() {}\n' };

describe.each(RUNTIME_MODES)('%s mode', (mode) => {
  test('runs without a runtime: running, bundle served, restart and disable work', async () => {
    const t = await createBackendTestHost({ extensionDir: extension({}, FRONTEND), mode });
    hosts.push(t);
    expect(t.info()).toMatchObject({ state: 'running', runtimeMode: mode });
    await t.waitForLog('no backend half: the frontend half runs alone');
    const bundle = await fetch(`http://127.0.0.1:${t.host.port}/extensions/front_only/frontend.js`);
    expect(await bundle.text()).toContain('export function setup');
    t.frontend.send('anyone there?');
    await t.waitForLog('dropped a frontend message: this extension has no backend half');
    // The sender hears it: an error frame naming the message, never silence.
    await waitFor(() => t.frontend.tab().errors.length > 0, 'the refusal');
    expect(t.frontend.tab().errors[0]).toMatchObject({
      code: 'EXTENSION_INACTIVE',
      frameType: 'backend_message',
      message: expect.stringContaining('has no backend half'),
    });
    expect((await t.restart()).state).toBe('running');
    expect((await t.host.disable('front_only')).state).toBe('disabled');
    expect((await t.host.enable('front_only')).state).toBe('running');
  });
});

test('no frontend bundle either, or a named backend entry that is missing: the start fails', async () => {
  for (const [manifest, files] of [
    [{}, {}],
    [{ entry_backend: 'dist/server.js' }, FRONTEND],
  ] as const) {
    const failure = await createBackendTestHost({
      extensionDir: extension(manifest, files),
    }).then(
      () => undefined,
      (error: unknown) => error as { code?: string; message?: string },
    );
    expect(failure?.code).toBe('IMPORT_FAILED');
    expect(failure?.message).toMatch(/backend entry .* does not exist/);
  }
});
