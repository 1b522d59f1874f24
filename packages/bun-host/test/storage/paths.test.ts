import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isSpindleError } from '@spindle/types';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createStorage,
  storageSegments,
  TEMP_PREFIX,
  userStorageRoot,
} from '../../src/storage/index.ts';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'spindle-paths-'));
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

const BAD: Array<[unknown, RegExp]> = [
  ['/etc/passwd', /is absolute/],
  ['C:/Windows', /is absolute/],
  ['../escape.txt', /contains "\.\."/],
  ['a/../../escape.txt', /contains "\.\."/],
  ['a/..', /contains "\.\."/],
  ['a\0b', /NUL/],
  ['a\\b', /backslash/],
  [`x/${TEMP_PREFIX}123-abc`, /reserved name/],
  ['a'.repeat(1025), /longer than 1024/],
  [`${'é'.repeat(128)}.txt`, /longer than 255 bytes/],
  [42, /must be a string/],
  [undefined, /must be a string/],
];

describe('storage paths', () => {
  it.each(BAD)('rejects %j with STORAGE_PATH', (path, message) => {
    try {
      storageSegments(path);
      expect.unreachable();
    } catch (error) {
      expect(isSpindleError(error, 'STORAGE_PATH')).toBe(true);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).toMatch(/^\[spindle\] storage path/);
    }
  });

  it('normalises empty and "." segments', () => {
    expect(storageSegments('./a//b/./c/')).toEqual(['a', 'b', 'c']);
    expect(storageSegments('')).toEqual([]);
    expect(storageSegments('..a/b..')).toEqual(['..a', 'b..']);
  });

  it('every operation rejects bad paths before touching the disk', async () => {
    const storage = createStorage(join(dir, 'root'));
    const ops = [
      () => storage.read('../x'),
      () => storage.write('/abs', 'x'),
      () => storage.delete('a/../../x'),
      () => storage.exists('a\\b'),
      () => storage.list('..'),
      () => storage.getJson('../x.json', { fallback: 1 }),
      () => storage.setJson('../x.json', 1),
    ];
    for (const op of ops) {
      await expect(op()).rejects.toMatchObject({ code: 'STORAGE_PATH' });
    }
    expect(readdirSync(dir)).toEqual([]);
  });

  it('read, write and delete refuse the root itself', async () => {
    const storage = createStorage(join(dir, 'root'));
    for (const op of [
      () => storage.read(''),
      () => storage.write('.', 'x'),
      () => storage.delete('/'.slice(1)),
    ]) {
      await expect(op()).rejects.toMatchObject({
        code: 'STORAGE_PATH',
        message: expect.stringMatching(/names the storage folder itself/),
      });
    }
  });
});

describe('userStorageRoot', () => {
  it('is a sibling of the extension storage, one folder per user', () => {
    expect(userStorageRoot('/data/storage/hello', 'u-1')).toBe('/data/storage/hello.users/u-1');
    expect(userStorageRoot('/data/storage/hello/', 'Alice.B_2')).toBe(
      '/data/storage/hello.users/Alice.B_2',
    );
  });

  it.each(['', '.', '..', '../x', 'a/b', 'a\\b', '-lead', 'x'.repeat(129), 'a b', 'é'])(
    'rejects the user id %j with STORAGE_PATH',
    (userId) => {
      expect(() => userStorageRoot('/data/storage/hello', userId)).toThrow(
        /is not a safe storage name/,
      );
      try {
        userStorageRoot('/data/storage/hello', userId);
      } catch (error) {
        expect(isSpindleError(error, 'STORAGE_PATH')).toBe(true);
      }
    },
  );

  it('user storage cannot be reached from the extension storage', async () => {
    const ext = join(dir, 'storage', 'hello');
    const shared = createStorage(ext);
    const user = createStorage(userStorageRoot(ext, 'u1'));
    await user.write('private.txt', 'user data');
    await shared.write('public.txt', 'shared');
    expect(await shared.list()).toEqual(['public.txt']);
    await expect(shared.read('../hello.users/u1/private.txt')).rejects.toMatchObject({
      code: 'STORAGE_PATH',
    });
    expect(await user.list()).toEqual(['private.txt']);
  });
});
