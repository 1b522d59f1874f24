/** `spindle.storage` and `spindle.userStorage` (scoping included) in every runtime mode. */
import { afterEach, describe, expect, test } from 'bun:test';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RUNTIME_MODES } from '@spindle/types';
import { userStorageRoot } from '../../src/storage/index.ts';
import { ask, closeTestHosts, descendants, startTestHost } from './helpers.ts';

afterEach(async () => {
  await closeTestHosts();
  expect(descendants(process.pid)).toEqual([]);
});

describe.each(RUNTIME_MODES)('%s mode', (mode) => {
  test('storage: write, read, exists, recursive list, getJson with fallback, setJson with indent, delete', async () => {
    const t = await startTestHost(mode, { enable: ['probe'] });
    t.gateway.open('s1', 'alice', ['probe']);
    const reply = await ask(t, 's1', 'storage');
    expect(reply.error).toBeUndefined();
    expect(reply.result).toEqual({
      read: 'hello',
      exists: true,
      missing: false,
      list: ['conf.json', 'notes/a.txt'],
      listNotes: ['a.txt'],
      json: { a: 1 },
      fallback: { d: 0 },
      deleted: false,
    });
    const conf = join(t.dataDir, 'storage', 'probe', 'conf.json');
    expect(readFileSync(conf, 'utf8')).toBe(JSON.stringify({ a: 1 }, null, 2));
  });

  test('getJson: missing without fallback, and a corrupt file even with one, are errors', async () => {
    const t = await startTestHost(mode, { enable: ['probe'] });
    t.gateway.open('s1', 'alice', ['probe']);
    const missing = await ask(t, 's1', 'get_json', { path: 'none.json' });
    expect(missing.error?.code).toBe('STORAGE_IO');
    await ask(t, 's1', 'write_raw', { path: 'bad.json', data: '{ not json' });
    const corrupt = await ask(t, 's1', 'get_json', { path: 'bad.json', fallback: 1 });
    expect(corrupt.error?.code).toBe('INVALID_JSON');
  });

  test('5,000 concurrent storage calls all settle, a few at a time: the host keeps its descriptors', async () => {
    const t = await startTestHost(mode, { enable: ['probe'] });
    t.gateway.open('s1', 'alice', ['probe']);
    const fds = () => readdirSync('/proc/self/fd').length;
    const before = fds();
    let most = before;
    const sampler = setInterval(() => {
      most = Math.max(most, fds());
    }, 1);
    try {
      const reply = await ask(t, 's1', 'storage_flood', { n: 5_000 });
      expect(reply.result).toEqual({ ok: 5_000 });
    } finally {
      clearInterval(sampler);
    }
    // The gate runs 16 operations at once, each holding a handful of descriptors.
    expect(most - before).toBeLessThan(200);
  });

  test('calls with arguments of the wrong type reject with a typed error; none hangs', async () => {
    const t = await startTestHost(mode, { enable: ['probe'] });
    t.gateway.open('s1', 'alice', ['probe']);
    const reply = await ask(t, 's1', 'malformed');
    expect(reply.result).toEqual({
      readNumber: 'INVALID_OPTIONS',
      moveToNumber: 'INVALID_OPTIONS',
      userIdNumber: 'INVALID_OPTIONS',
      getNumber: 'INVALID_OPTIONS',
      listString: 'INVALID_OPTIONS',
      stopNull: 'INVALID_OPTIONS',
      writeBinaryText: 'INVALID_OPTIONS',
    });
  });

  test('storage paths cannot leave the extension folder', async () => {
    const t = await startTestHost(mode, { enable: ['probe'] });
    t.gateway.open('s1', 'alice', ['probe']);
    for (const path of ['../probe/conf.json', '/etc/passwd', 'a/../../b']) {
      const reply = await ask(t, 's1', 'storage_escape', { path });
      expect(reply.error?.code).toBe('STORAGE_PATH');
    }
  });

  test('userStorage of an operator-scoped extension needs { userId } and is per user', async () => {
    const t = await startTestHost(mode, { enable: ['probe'] });
    t.gateway.open('s1', 'alice', ['probe']);
    const without = await ask(t, 's1', 'user_storage');
    expect(without.error?.code).toBe('INVALID_OPTIONS');
    const withUser = await ask(t, 's1', 'user_storage', { userId: 'carol' });
    expect(withUser.result).toEqual({ theme: 'dark' });
    const userDir = (id: string) => userStorageRoot(join(t.dataDir, 'storage', 'probe'), id);
    expect(existsSync(join(userDir('carol'), 'prefs.json'))).toBe(true);
    expect(existsSync(userDir('alice'))).toBe(false);
  });

  test('userStorage of a user-scoped extension always acts for its installer (as upstream)', async () => {
    const t = await startTestHost(mode, {
      enable: ['probe'],
      scopes: { probe: { kind: 'user', userId: 'alice' } },
    });
    t.gateway.open('s1', 'alice', ['probe']);
    const implicit = await ask(t, 's1', 'user_storage');
    expect(implicit.result).toEqual({ theme: 'dark' });
    const userDir = (id: string) => userStorageRoot(join(t.dataDir, 'storage', 'probe'), id);
    expect(existsSync(join(userDir('alice'), 'prefs.json'))).toBe(true);
    const other = await ask(t, 's1', 'user_storage', { userId: 'bob' });
    expect(other.result).toEqual({ theme: 'dark' });
    expect(existsSync(userDir('bob'))).toBe(false);
    await ask(t, 's1', 'user_storage', { userId: 'bob' });
    const notes = t.logs.filter((l) => l.message.includes('userStorage named user bob'));
    expect(notes).toHaveLength(1);
  });
});
