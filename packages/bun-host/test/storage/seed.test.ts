/** `storage_seed_files`: copied on first enable and on version change, confined, bounded. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isSpindleError, type SpindleManifest, type SpindleStorageSeedFile } from '@spindle/types';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seedStatePath, seedStorage } from '../../src/extensions/seed.ts';
import { createStorage } from '../../src/storage/index.ts';

let dir: string;
let ext: string;
let storageRoot: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'spindle-seed-'));
  ext = join(dir, 'ext');
  storageRoot = join(dir, 'data', 'storage', 'ext');
  mkdirSync(join(ext, 'seed', 'presets'), { recursive: true });
  writeFileSync(join(ext, 'seed', 'defaults.json'), '{"v":1}');
  writeFileSync(join(ext, 'seed', 'presets', 'a.json'), 'A');
  writeFileSync(join(ext, 'seed', 'presets', 'b.json'), 'B');
  writeFileSync(join(dir, 'outside.txt'), 'host secret');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function manifest(version: string, seeds: SpindleStorageSeedFile[]): SpindleManifest {
  return {
    version,
    name: 'ext',
    identifier: 'ext',
    author: '',
    github: '',
    homepage: '',
    permissions: [],
    storage_seed_files: seeds,
  };
}

const seed = (version: string, seeds: SpindleStorageSeedFile[]) =>
  seedStorage({
    manifest: manifest(version, seeds),
    extensionPath: ext,
    storage: createStorage(storageRoot),
    statePath: seedStatePath(join(dir, 'data'), 'ext'),
  });

async function rejection(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected a rejection');
}

describe('seedStorage', () => {
  it('copies files and folders once per version, keeping what exists unless overwrite', async () => {
    const first = await seed('1.0.0', [
      { from: 'seed/defaults.json', to: 'defaults.json' },
      { from: 'seed/presets', to: 'presets' },
    ]);
    expect(first).toEqual({
      ran: true,
      copied: ['defaults.json', 'presets/a.json', 'presets/b.json'],
    });
    const storage = createStorage(storageRoot);
    await storage.write('defaults.json', '{"v":"edited by the extension"}');
    // Same version: nothing is looked at.
    expect(await seed('1.0.0', [{ from: 'seed/defaults.json', overwrite: true }])).toEqual({
      ran: false,
      copied: [],
    });
    // New version without overwrite: the edited file is kept.
    expect(
      (await seed('1.1.0', [{ from: 'seed/defaults.json', to: 'defaults.json' }])).copied,
    ).toEqual([]);
    expect(await storage.read('defaults.json')).toBe('{"v":"edited by the extension"}');
    // New version with overwrite: replaced.
    await seed('1.2.0', [{ from: 'seed/defaults.json', to: 'defaults.json', overwrite: true }]);
    expect(await storage.read('defaults.json')).toBe('{"v":1}');
  });

  it('a missing optional source is skipped; a missing required one fails and records nothing', async () => {
    expect((await seed('1.0.0', [{ from: 'seed/none.json' }])).copied).toEqual([]);
    const error = await rejection(seed('2.0.0', [{ from: 'seed/none.json', required: true }]));
    expect(isSpindleError(error, 'INVALID_MANIFEST')).toBe(true);
    expect(error.message).toContain('required source "seed/none.json" does not exist');
    // Not recorded: the next enable of 2.0.0 tries again.
    writeFileSync(join(ext, 'seed', 'none.json'), 'now here');
    expect((await seed('2.0.0', [{ from: 'seed/none.json', required: true }])).copied).toEqual([
      'seed/none.json',
    ]);
  });

  it('sources stay in the extension folder; destinations stay in storage', async () => {
    for (const from of ['../outside.txt', '/etc/passwd']) {
      const error = await rejection(seed('1.0.0', [{ from }]));
      expect(isSpindleError(error, 'INVALID_MANIFEST')).toBe(true);
    }
    symlinkSync(join(dir, 'outside.txt'), join(ext, 'seed', 'leak.txt'));
    const leak = await rejection(seed('1.0.0', [{ from: 'seed/leak.txt' }]));
    expect(leak.message).toContain('leads out of the extension folder');
    const outOfStorage = await rejection(
      seed('1.0.0', [{ from: 'seed/defaults.json', to: '../../x.json' }]),
    );
    expect(isSpindleError(outOfStorage, 'INVALID_MANIFEST')).toBe(true);
    expect(readFileSync(join(dir, 'outside.txt'), 'utf8')).toBe('host secret');
  });
});
