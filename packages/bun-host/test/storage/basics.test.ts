import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isSpindleError, type SpindleStorage } from '@spindle/types';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createStorage } from '../../src/storage/index.ts';

let dir: string;
let root: string;
let storage: SpindleStorage;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'spindle-storage-'));
  root = join(dir, 'storage', 'hello');
  storage = createStorage(root);
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function rejection(
  promise: Promise<unknown>,
): Promise<Error & { code?: string; details?: Record<string, unknown> }> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('createStorage: files and folders', () => {
  it('creates its root on first use and round-trips UTF-8 text', async () => {
    expect(await storage.list()).toEqual([]);
    expect(statSync(root).isDirectory()).toBe(true);
    await storage.write('notes.txt', 'héllo ✓ 🧵');
    expect(await storage.read('notes.txt')).toBe('héllo ✓ 🧵');
    expect(readFileSync(join(root, 'notes.txt'), 'utf8')).toBe('héllo ✓ 🧵');
  });

  it('replaces content and creates missing folders on write', async () => {
    await storage.write('a/b/c.txt', 'one');
    await storage.write('a/b/c.txt', 'two');
    expect(await storage.read('a/b/c.txt')).toBe('two');
    expect(await storage.read('./a//b/c.txt')).toBe('two');
  });

  it('lists every file below the prefix, recursively, relative to it, sorted, files only', async () => {
    await storage.write('b.txt', '');
    await storage.write('a/x.txt', '');
    await storage.write('c/d/e.txt', '');
    await storage.write('c/a.txt', '');
    await storage.mkdir('empty/folder');
    expect(await storage.list()).toEqual(['a/x.txt', 'b.txt', 'c/a.txt', 'c/d/e.txt']);
    expect(await storage.list('c')).toEqual(['a.txt', 'd/e.txt']);
    expect(await storage.list('c/')).toEqual(['a.txt', 'd/e.txt']);
    expect(await storage.list('empty')).toEqual([]);
    expect(await storage.list('missing')).toEqual([]);
    const error = await rejection(storage.list('b.txt'));
    expect(isSpindleError(error, 'STORAGE_IO')).toBe(true);
    expect(error.message).toMatch(/"b.txt" is a file, not a folder/);
    expect(error.details).toMatchObject({ reason: 'not_a_folder' });
  });

  it('exists tells files and folders from nothing', async () => {
    await storage.write('a/b.txt', 'x');
    expect(await storage.exists('a/b.txt')).toBe(true);
    expect(await storage.exists('a')).toBe(true);
    expect(await storage.exists('a/none.txt')).toBe(false);
    expect(await storage.exists('a/b.txt/deeper')).toBe(false);
    expect(await storage.exists('')).toBe(true);
  });

  it('deletes files and whole folders, and deleting nothing is fine', async () => {
    await storage.write('a/b.txt', 'x');
    await storage.write('a/c/d.txt', 'x');
    await storage.write('keep.txt', 'x');
    await storage.delete('a/b.txt');
    expect(await storage.exists('a/b.txt')).toBe(false);
    await storage.delete('a');
    expect(await storage.list()).toEqual(['keep.txt']);
    await storage.delete('a');
    await storage.delete('never/was/here.txt');
    expect(await storage.list()).toEqual(['keep.txt']);
  });

  it('reading a missing file or a folder is STORAGE_IO with a reason', async () => {
    const missing = await rejection(storage.read('nope.txt'));
    expect(isSpindleError(missing, 'STORAGE_IO')).toBe(true);
    expect(missing.details).toMatchObject({ path: 'nope.txt', reason: 'not_found' });
    const deep = await rejection(storage.read('no/such/folder.txt'));
    expect(deep.details).toMatchObject({ reason: 'not_found' });
    await storage.write('f/x.txt', '');
    const folder = await rejection(storage.read('f'));
    expect(folder.message).toMatch(/"f": it is a folder/);
  });

  it('writing over a folder, or below a file, fails without side effects', async () => {
    await storage.write('f/x.txt', 'x');
    expect((await rejection(storage.write('f', 'data'))).message).toMatch(/it is a folder/);
    expect(isSpindleError(await rejection(storage.write('f/x.txt/y', 'data')))).toBe(true);
    expect(await storage.list('f')).toEqual(['x.txt']);
    expect(await storage.read('f/x.txt')).toBe('x');
  });

  it('write refuses non-string data', async () => {
    const error = await rejection(storage.write('a.txt', 42 as unknown as string));
    expect(isSpindleError(error, 'INVALID_OPTIONS')).toBe(true);
    expect(await storage.exists('a.txt')).toBe(false);
  });
});

describe('createStorage: JSON', () => {
  it('setJson / getJson round-trip, compact or indented', async () => {
    await storage.setJson('s.json', { a: [1, 2], b: 'x' });
    expect(await storage.read('s.json')).toBe('{"a":[1,2],"b":"x"}');
    await storage.setJson('s.json', { a: 1 }, { indent: 2 });
    expect(await storage.read('s.json')).toBe('{\n  "a": 1\n}');
    expect(await storage.getJson('s.json')).toEqual({ a: 1 });
  });

  it('a missing file gives the fallback, even an undefined one; without a fallback, not_found', async () => {
    expect(await storage.getJson('none.json', { fallback: { n: 0 } })).toEqual({ n: 0 });
    expect(await storage.getJson('none.json', { fallback: undefined })).toBeUndefined();
    const error = await rejection(storage.getJson('none.json'));
    expect(isSpindleError(error, 'STORAGE_IO')).toBe(true);
    expect(error.details).toMatchObject({ reason: 'not_found' });
  });

  it('invalid JSON is INVALID_JSON naming the file, fallback or not', async () => {
    await storage.write('bad.json', '{"a": ');
    for (const options of [undefined, { fallback: {} }]) {
      const error = await rejection(storage.getJson('bad.json', options));
      expect(isSpindleError(error, 'INVALID_JSON')).toBe(true);
      expect(error.message).toMatch(/"bad.json" is not valid JSON/);
    }
  });

  it('refuses values without a JSON form and bad indents, writing nothing', async () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const [value, options] of [
      [cyclic, undefined],
      [undefined, undefined],
      [() => 1, undefined],
      [{ a: 1 }, { indent: -1 }],
      [{ a: 1 }, { indent: 11 }],
      [{ a: 1 }, { indent: 1.5 }],
    ] as const) {
      const error = await rejection(storage.setJson('v.json', value, options));
      expect(isSpindleError(error, 'INVALID_OPTIONS')).toBe(true);
    }
    expect(await storage.exists('v.json')).toBe(false);
  });
});
