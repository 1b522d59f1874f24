/**
 * Storage of a test host: a private temporary folder, read and written by the test through the
 * same API as `spindle.storage` / `spindle.userStorage`, kept across a runtime restart, gone
 * after `dispose()`.
 */
import { afterEach, expect, setDefaultTimeout, test } from 'bun:test';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { type BackendTestHost, createBackendTestHost } from '../../src/testing/index.ts';
import { ask, PROBE } from './helpers.ts';

setDefaultTimeout(60_000);

const hosts: BackendTestHost[] = [];
afterEach(async () => {
  for (const t of hosts.splice(0)) await t.dispose();
});

test('the backend and the test share the storage; it survives a restart; dispose removes it', async () => {
  const t = await createBackendTestHost({ extensionDir: PROBE, users: ['alice', 'bob'] });
  hosts.push(t);
  expect(t.dataDir.startsWith(tmpdir())).toBe(true);
  // Seeded by the test, read by the backend.
  await t.storage.setJson('settings.json', { theme: 'dark' });
  expect(await ask(t, 'storage.read', { path: 'settings.json' })).toEqual({ theme: 'dark' });
  // Written by the backend, read by the test.
  await ask(t, 'storage.write', { path: 'state/count.json', value: 41 });
  expect(await t.storage.getJson('state/count.json')).toBe(41);
  expect(await t.storage.list('state')).toEqual(['count.json']);
  expect(await t.userStorage('alice').read('note.txt')).toBe('41');
  expect(await t.userStorage('bob').exists('note.txt')).toBe(false);

  const before = t.info().pid;
  const after = await t.restart();
  expect(after.state).toBe('running');
  if (t.mode !== 'worker') expect(after.pid).not.toBe(before);
  expect(await ask(t, 'storage.read', { path: 'state/count.json' })).toBe(41);

  await t.dispose();
  expect(existsSync(t.dataDir)).toBe(false);
  expect(existsSync(t.dir)).toBe(false);
});

test('the project folder is never written: the build goes to a private copy', async () => {
  const t = await createBackendTestHost({ extensionDir: PROBE });
  hosts.push(t);
  expect(existsSync(`${PROBE}/dist`)).toBe(false);
  expect(existsSync(`${t.dir}/dist/backend.js`)).toBe(true);
  expect(existsSync(`${t.dir}/dist/children/counter.js`)).toBe(true);
});
