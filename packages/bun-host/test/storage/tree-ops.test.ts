/** The upstream storage members beyond text files: binary, stat, mkdir, move, list limits. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isSpindleError, type SpindleStorage } from '@spindle/types';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createStorage, MAX_LIST_DEPTH } from '../../src/storage/index.ts';

let dir: string;
let root: string;
let storage: SpindleStorage;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'spindle-storage-tree-'));
  root = join(dir, 'storage', 'ext');
  storage = createStorage(root);
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function rejection(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string; details?: Record<string, unknown> };
  }
  throw new Error('expected a rejection');
}

describe('readBinary / writeBinary', () => {
  it('round-trips every byte value, as a plain Uint8Array', async () => {
    const bytes = new Uint8Array(256).map((_, i) => i);
    await storage.writeBinary('bin/all.bytes', bytes);
    const back = await storage.readBinary('bin/all.bytes');
    expect(back).toBeInstanceOf(Uint8Array);
    expect([...back]).toEqual([...bytes]);
    expect([...readFileSync(join(root, 'bin', 'all.bytes'))]).toEqual([...bytes]);
  });

  it('writes a view of a larger buffer, not the whole buffer', async () => {
    const big = new Uint8Array([9, 9, 1, 2, 3, 9]);
    await storage.writeBinary('view.bin', big.subarray(2, 5));
    expect([...(await storage.readBinary('view.bin'))]).toEqual([1, 2, 3]);
  });

  it('refuses data that is not a Uint8Array; a missing file is not_found', async () => {
    const bad = await rejection(storage.writeBinary('x.bin', 'text' as unknown as Uint8Array));
    expect(isSpindleError(bad, 'INVALID_OPTIONS')).toBe(true);
    const missing = await rejection(storage.readBinary('none.bin'));
    expect(missing.details).toMatchObject({ reason: 'not_found' });
  });
});

describe('stat', () => {
  it('reports files, folders and missing paths in the upstream shape', async () => {
    await storage.write('a/b.txt', 'hello');
    const file = await storage.stat('a/b.txt');
    expect(file).toMatchObject({ exists: true, isFile: true, isDirectory: false, sizeBytes: 5 });
    expect(Number.isNaN(Date.parse(file.modifiedAt))).toBe(false);
    expect(await storage.stat('a')).toMatchObject({
      exists: true,
      isFile: false,
      isDirectory: true,
    });
    const missing = {
      exists: false,
      isFile: false,
      isDirectory: false,
      sizeBytes: 0,
      modifiedAt: new Date(0).toISOString(),
    };
    expect(await storage.stat('none.txt')).toEqual(missing);
    expect(await storage.stat('no/such/deep.txt')).toEqual(missing);
    expect(await storage.stat('a/b.txt/below')).toEqual(missing);
    expect((await storage.stat('')).isDirectory).toBe(true);
  });

  it('confines paths like every other operation', async () => {
    expect(isSpindleError(await rejection(storage.stat('../x')), 'STORAGE_PATH')).toBe(true);
  });
});

describe('mkdir', () => {
  it('creates nested folders; an existing folder is fine; a file in the way is an error', async () => {
    await storage.mkdir('x/y/z');
    expect((await storage.stat('x/y/z')).isDirectory).toBe(true);
    await storage.mkdir('x/y/z');
    await storage.write('f.txt', '1');
    const error = await rejection(storage.mkdir('f.txt/sub'));
    expect(isSpindleError(error, 'STORAGE_IO')).toBe(true);
  });
});

describe('move', () => {
  it('renames files and folders, creating the destination folders and replacing a file', async () => {
    await storage.write('from/a.txt', 'A');
    await storage.write('from/sub/b.txt', 'B');
    await storage.move('from/a.txt', 'to/deep/a2.txt');
    expect(await storage.read('to/deep/a2.txt')).toBe('A');
    expect(await storage.exists('from/a.txt')).toBe(false);
    await storage.move('from', 'moved');
    expect(await storage.list('moved')).toEqual(['sub/b.txt']);
    await storage.write('old.txt', 'old');
    await storage.write('new.txt', 'new');
    await storage.move('new.txt', 'old.txt');
    expect(await storage.read('old.txt')).toBe('new');
  });

  it('a missing source is not_found; neither end may leave the root or name it', async () => {
    const missing = await rejection(storage.move('none.txt', 'x.txt'));
    expect(missing.details).toMatchObject({ reason: 'not_found' });
    await storage.write('a.txt', 'a');
    for (const [from, to] of [
      ['a.txt', '../escaped.txt'],
      ['../../etc/passwd', 'b.txt'],
      ['a.txt', ''],
      ['', 'b.txt'],
    ] as const) {
      expect(isSpindleError(await rejection(storage.move(from, to)), 'STORAGE_PATH')).toBe(true);
    }
    expect(await storage.read('a.txt')).toBe('a');
  });

  it('moves a symlink as a link, never what it points to', async () => {
    const outside = join(dir, 'outside.txt');
    writeFileSync(outside, 'secret');
    mkdirSync(root, { recursive: true });
    symlinkSync(outside, join(root, 'link'));
    await storage.move('link', 'renamed-link');
    expect(readFileSync(outside, 'utf8')).toBe('secret');
    expect(isSpindleError(await rejection(storage.read('renamed-link')), 'STORAGE_PATH')).toBe(
      true,
    );
  });
});

describe('list limits', () => {
  it(`a tree deeper than ${MAX_LIST_DEPTH} folders fails the call instead of holding descriptors`, async () => {
    const deep = Array.from({ length: MAX_LIST_DEPTH + 1 }, (_, i) => `d${i}`).join('/');
    await storage.write(`${deep}/leaf.txt`, 'x');
    const error = await rejection(storage.list());
    expect(error.details).toMatchObject({ reason: 'too_deep' });
    // The same tree listed from below the limit works.
    expect(await storage.list('d0/d1')).toHaveLength(1);
  });
});
