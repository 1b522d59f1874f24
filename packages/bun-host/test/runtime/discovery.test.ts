import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { discoverExtensions, isFile, isFileSync } from '../../src/extensions/discovery.ts';

let root: string;

const manifest = (identifier: string, extra: Record<string, unknown> = {}) => ({
  version: '1.0.0',
  name: identifier,
  identifier,
  author: 'tests',
  github: 'https://github.com/x/y',
  homepage: 'https://example.invalid',
  permissions: [],
  ...extra,
});

function put(folder: string, content: unknown) {
  mkdirSync(join(root, folder), { recursive: true });
  const text = typeof content === 'string' ? content : JSON.stringify(content);
  writeFileSync(join(root, folder, 'spindle.json'), text);
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'spindle-discovery-'));
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('discoverExtensions', () => {
  it('finds folders with a valid spindle.json and resolves the backend entry', async () => {
    put('b_ext', manifest('b_ext', { entry_backend: 'build/server.js' }));
    put('a_ext', manifest('a_ext'));
    mkdirSync(join(root, 'no_manifest'));
    writeFileSync(join(root, 'loose-file.json'), '{}');
    const found = await discoverExtensions(root);
    expect(found).toEqual([
      {
        ok: true,
        identifier: 'a_ext',
        path: join(root, 'a_ext'),
        manifest: manifest('a_ext'),
        backendEntryPath: join(root, 'a_ext', 'dist', 'backend.js'),
      },
      expect.objectContaining({
        ok: true,
        identifier: 'b_ext',
        backendEntryPath: join(root, 'b_ext', 'build', 'server.js'),
      }),
    ]);
  });

  it('reports unreadable JSON, invalid manifests, duplicates and escaping entries as errors', async () => {
    put('a_broken_json', '{ nope');
    put('b_invalid', { ...manifest('b_invalid'), permissions: 'all' });
    put('c_first', manifest('same'));
    put('d_second', manifest('same'));
    put('e_escape', manifest('e_escape', { entry_backend: '../elsewhere/backend.js' }));
    const found = await discoverExtensions(root);
    const errors = Object.fromEntries(
      found.filter((f) => !f.ok).map((f) => [f.identifier, (f as { error: string }).error]),
    );
    expect(errors.a_broken_json).toMatch(/^unreadable spindle\.json/);
    expect(errors.b_invalid).toMatch(/^invalid spindle\.json at permissions/);
    expect(errors['same@d_second']).toBe('duplicate identifier "same" (folder d_second)');
    expect(errors.e_escape).toMatch(/leaves the extension folder|entry_backend/);
    expect(found.filter((f) => f.ok).map((f) => f.identifier)).toEqual(['same']);
  });

  it('a missing extensions folder is INVALID_OPTIONS', async () => {
    await expect(discoverExtensions(join(root, 'absent'))).rejects.toMatchObject({
      code: 'INVALID_OPTIONS',
    });
  });
});

describe('isFile / isFileSync', () => {
  it('agree: a regular file or a link to one is a file; a folder, a dangling link or nothing is not', async () => {
    writeFileSync(join(root, 'file.js'), '');
    mkdirSync(join(root, 'folder'));
    symlinkSync(join(root, 'file.js'), join(root, 'link.js'));
    symlinkSync(join(root, 'gone.js'), join(root, 'dangling.js'));
    const cases = {
      'file.js': true,
      'link.js': true,
      folder: false,
      'dangling.js': false,
      absent: false,
    };
    for (const [name, expected] of Object.entries(cases)) {
      expect([name, isFileSync(join(root, name))]).toEqual([name, expected]);
      expect([name, await isFile(join(root, name))]).toEqual([name, expected]);
    }
  });
});
