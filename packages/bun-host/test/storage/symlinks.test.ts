import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SpindleStorage } from '@spindle/types';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDirChain } from '../../src/storage/dir-chain.ts';
import { createStorage } from '../../src/storage/index.ts';

let dir: string;
let root: string;
let outside: string;
let storage: SpindleStorage;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'spindle-links-'));
  root = join(dir, 'root');
  outside = join(dir, 'outside');
  mkdirSync(root);
  mkdirSync(outside);
  writeFileSync(join(outside, 'secret.txt'), 'host secret');
  storage = createStorage(root);
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

const ESCAPE = {
  code: 'STORAGE_PATH',
  message: expect.stringMatching(/leads out of the storage folder through a symlink/),
};

describe('symlink escapes', () => {
  it('a folder symlink pointing out: every operation through it is refused', async () => {
    symlinkSync(outside, join(root, 'link'));
    await expect(storage.read('link/secret.txt')).rejects.toMatchObject(ESCAPE);
    await expect(storage.write('link/new.txt', 'x')).rejects.toMatchObject(ESCAPE);
    await expect(storage.write('link/deeper/new.txt', 'x')).rejects.toMatchObject(ESCAPE);
    await expect(storage.exists('link/secret.txt')).rejects.toMatchObject(ESCAPE);
    await expect(storage.list('link')).rejects.toMatchObject(ESCAPE);
    await expect(storage.delete('link/secret.txt')).rejects.toMatchObject(ESCAPE);
    await expect(storage.getJson('link/secret.txt', { fallback: null })).rejects.toMatchObject(
      ESCAPE,
    );
    expect(existsSync(join(outside, 'new.txt'))).toBe(false);
    expect(existsSync(join(outside, 'deeper'))).toBe(false);
    expect(readFileSync(join(outside, 'secret.txt'), 'utf8')).toBe('host secret');
  });

  it('a file symlink pointing out can be neither read nor written through', async () => {
    symlinkSync(join(outside, 'secret.txt'), join(root, 'f.txt'));
    await expect(storage.read('f.txt')).rejects.toMatchObject(ESCAPE);
    await expect(storage.write('f.txt', 'overwritten')).rejects.toMatchObject(ESCAPE);
    expect(readFileSync(join(outside, 'secret.txt'), 'utf8')).toBe('host secret');
  });

  it('a dangling symlink out is replaced by the write, never followed', async () => {
    symlinkSync(join(outside, 'not-yet.txt'), join(root, 'dangling'));
    await storage.write('dangling', 'x');
    expect(lstatSync(join(root, 'dangling')).isFile()).toBe(true);
    expect(readFileSync(join(root, 'dangling'), 'utf8')).toBe('x');
    expect(existsSync(join(outside, 'not-yet.txt'))).toBe(false);
  });

  it('a dangling folder symlink out is not walked through, not even to create it', async () => {
    symlinkSync(join(outside, 'new-dir'), join(root, 'dl'));
    await expect(storage.write('dl/x.txt', 'x')).rejects.toMatchObject({ code: 'STORAGE_PATH' });
    await expect(storage.list('dl')).rejects.toMatchObject({ code: 'STORAGE_PATH' });
    await expect(storage.read('dl/x.txt')).rejects.toMatchObject({ code: 'STORAGE_PATH' });
    expect(existsSync(join(outside, 'new-dir'))).toBe(false);
  });

  it('relative symlinks climbing out are caught too', async () => {
    mkdirSync(join(root, 'a'));
    symlinkSync('../../outside', join(root, 'a', 'up'));
    await expect(storage.read('a/up/secret.txt')).rejects.toMatchObject(ESCAPE);
  });

  it('delete of a link pointing out removes the link, never the target', async () => {
    symlinkSync(outside, join(root, 'link'));
    await storage.delete('link');
    expect(() => lstatSync(join(root, 'link'))).toThrow();
    expect(readFileSync(join(outside, 'secret.txt'), 'utf8')).toBe('host secret');
  });

  it('symlinks that stay inside work; list shows a link to a file, never descends a linked folder', async () => {
    await storage.write('real/data.txt', 'inside');
    symlinkSync(join(root, 'real'), join(root, 'alias'));
    symlinkSync('real/data.txt', join(root, 'file-alias'));
    expect(await storage.read('alias/data.txt')).toBe('inside');
    expect(await storage.read('file-alias')).toBe('inside');
    await storage.write('alias/more.txt', 'via alias');
    expect(readFileSync(join(root, 'real', 'more.txt'), 'utf8')).toBe('via alias');
    expect(await storage.list()).toEqual(['file-alias', 'real/data.txt', 'real/more.txt']);
  });

  it('a root that is itself a symlink is used through its real path', async () => {
    const linkedRoot = join(dir, 'linked-root');
    symlinkSync(root, linkedRoot);
    const viaLink = createStorage(linkedRoot);
    await viaLink.write('x.txt', 'ok');
    expect(readFileSync(join(root, 'x.txt'), 'utf8')).toBe('ok');
    symlinkSync(outside, join(root, 'out'));
    await expect(viaLink.read('out/secret.txt')).rejects.toMatchObject(ESCAPE);
  });

  it('a folder swapped for a symlink after the check is not followed (O_NOFOLLOW chain)', async () => {
    // What confine() saw: a real folder "a". What is there when the host walks: a symlink.
    symlinkSync(outside, join(root, 'a'));
    await expect(openDirChain(root, ['a'], true, 'a/x.txt')).rejects.toMatchObject({
      code: 'STORAGE_PATH',
      message: expect.stringMatching(/"a" is a symlink that could not be checked/),
    });
  });
});
