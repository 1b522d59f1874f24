import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { EnabledStore } from '../../src/extensions/enabled-store.ts';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'spindle-enabled-store-'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('EnabledStore', () => {
  test('a save is read back by a new store over the same folder', async () => {
    await new EnabledStore(join(root, 'state')).set('ext_a', false);
    const again = new EnabledStore(join(root, 'state'));
    expect(again.get('ext_a')).toBe(false);
    expect(again.get('ext_b')).toBeUndefined();
  });

  test('the write begins on a later turn, not before the caller goes on', async () => {
    const store = new EnabledStore(join(root, 'state'));
    const saved = store.set('ext_a', true);
    // Nothing is on disk until the event loop turned: the caller's own work (a spawn) goes first.
    expect(store.get('ext_a')).toBeUndefined();
    await saved;
    expect(store.get('ext_a')).toBe(true);
  });

  test('saves of one extension land in the order asked for, whatever their number', async () => {
    const store = new EnabledStore(join(root, 'state'));
    const saves: Promise<void>[] = [];
    for (let i = 0; i < 25; i++) {
      saves.push(store.set('ext_a', i % 2 === 0), store.set('ext_b', i % 2 === 1));
    }
    await Promise.all(saves);
    // 24 is the last i: ext_a last asked true, ext_b last asked false.
    expect(store.get('ext_a')).toBe(true);
    expect(store.get('ext_b')).toBe(false);
    // No temp file is left behind.
    expect(readdirSync(join(root, 'state', 'ext_a'))).toEqual(['enabled.json']);
  });

  test('a failed save resolves, reports why, and a later save still works', async () => {
    const errors: string[] = [];
    // The state folder is a file: nothing can be created below it.
    writeFileSync(join(root, 'state'), 'not a folder');
    const broken = new EnabledStore(join(root, 'state'), (message) => errors.push(message));
    await expect(broken.set('ext_a', false)).resolves.toBeUndefined();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/cannot save that ext_a is disabled: .*after a restart/);
    rmSync(join(root, 'state'));
    await broken.set('ext_a', false);
    expect(errors).toHaveLength(1);
    expect(JSON.parse(readFileSync(join(root, 'state', 'ext_a', 'enabled.json'), 'utf8'))).toEqual({
      enabled: false,
    });
  });

  test('saveDuring: settles with the work, the state on disk, even when the work fails', async () => {
    const store = new EnabledStore(join(root, 'state'));
    let seenDuringWork: boolean | undefined = true;
    await expect(
      store.saveDuring('ext_a', false, async () => {
        // The work starts first: nothing is written before it is under way.
        seenDuringWork = store.get('ext_a');
        return 'started';
      }),
    ).resolves.toBe('started');
    expect(seenDuringWork).toBeUndefined();
    expect(store.get('ext_a')).toBe(false);
    await expect(
      store.saveDuring('ext_a', true, async () => {
        throw new Error('no start');
      }),
    ).rejects.toThrow('no start');
    expect(store.get('ext_a')).toBe(true);
  });

  test('without a folder nothing is read or written', async () => {
    const store = new EnabledStore(undefined);
    await store.set('ext_a', false);
    expect(store.get('ext_a')).toBeUndefined();
    expect(readdirSync(root)).toEqual([]);
  });

  test('an unreadable or malformed file counts as no saved state', () => {
    const store = new EnabledStore(join(root, 'state'));
    const dir = join(root, 'state', 'ext_a');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'enabled.json'), '{"enabled": "yes"}');
    expect(store.get('ext_a')).toBeUndefined();
    writeFileSync(join(dir, 'enabled.json'), 'not json');
    expect(store.get('ext_a')).toBeUndefined();
  });
});
