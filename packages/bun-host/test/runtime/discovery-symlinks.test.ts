/**
 * Symbolic links in the extensions folder: a link to a folder is an extension whose path is the
 * link's real target (which may live anywhere), its confinement rules hold relative to that real
 * folder, and a link that cannot be followed is reported, never skipped silently.
 */
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { discoverExtensions } from '../../src/extensions/discovery.ts';

let base: string;
let extensions: string;
let elsewhere: string;

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

/** An extension folder outside the extensions folder; returns its real path. */
function outside(folder: string, content: unknown): string {
  const dir = join(elsewhere, folder);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'spindle.json'), JSON.stringify(content));
  return realpathSync(dir);
}

beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'spindle-discovery-links-'));
  extensions = join(base, 'extensions');
  elsewhere = join(base, 'projects');
  mkdirSync(extensions);
  mkdirSync(elsewhere);
});

afterEach(() => {
  rmSync(base, { recursive: true, force: true });
});

describe('discoverExtensions with symbolic links', () => {
  it('a link to a folder is an extension at its real path, found through the link', async () => {
    const real = outside('my-ext', manifest('linked_ext'));
    symlinkSync(join(elsewhere, 'my-ext'), join(extensions, 'linked_ext'));
    const found = await discoverExtensions(extensions);
    expect(found).toEqual([
      {
        ok: true,
        identifier: 'linked_ext',
        path: real,
        manifest: manifest('linked_ext'),
        backendEntryPath: join(real, 'dist', 'backend.js'),
        linkedFrom: join(extensions, 'linked_ext'),
      },
    ]);
  });

  it('a relative link and a chain of links resolve to the same real folder', async () => {
    const real = outside('chained', manifest('chained'));
    symlinkSync(join(elsewhere, 'chained'), join(elsewhere, 'hop'));
    symlinkSync(join('..', 'projects', 'hop'), join(extensions, 'chained'));
    const [item] = await discoverExtensions(extensions);
    expect(item).toMatchObject({ ok: true, identifier: 'chained', path: real });
  });

  it('entries are confined to the real folder: an entry leaving it is refused', async () => {
    outside('escape', manifest('escaping', { entry_backend: '../other/backend.js' }));
    symlinkSync(join(elsewhere, 'escape'), join(extensions, 'escaping'));
    const [item] = await discoverExtensions(extensions);
    expect(item).toMatchObject({ ok: false, identifier: 'escaping' });
    expect((item as { error: string }).error).toMatch(
      /entry_backend .* leaves the extension folder/,
    );
  });

  it('a dangling link and a loop are extensions in error, named after the link', async () => {
    symlinkSync(join(elsewhere, 'gone'), join(extensions, 'dangling'));
    symlinkSync(join(extensions, 'loop_b'), join(extensions, 'loop_a'));
    symlinkSync(join(extensions, 'loop_a'), join(extensions, 'loop_b'));
    const found = await discoverExtensions(extensions);
    const errors = Object.fromEntries(
      found.map((f) => [f.identifier, f.ok ? 'ok' : (f as { error: string }).error]),
    );
    expect(errors.dangling).toBe(`symbolic link ${join(extensions, 'dangling')} points to nothing`);
    expect(errors.loop_a).toBe(`symbolic link ${join(extensions, 'loop_a')} is a loop of links`);
    expect(errors.loop_b).toMatch(/is a loop of links$/);
    expect(found.every((f) => !f.ok)).toBe(true);
  });

  it('links to files, to folders without a manifest, and hidden links are not extensions', async () => {
    writeFileSync(join(elsewhere, 'notes.txt'), 'hello');
    mkdirSync(join(elsewhere, 'plain-folder'));
    outside('hidden', manifest('hidden'));
    symlinkSync(join(elsewhere, 'notes.txt'), join(extensions, 'notes'));
    symlinkSync(join(elsewhere, 'plain-folder'), join(extensions, 'plain'));
    symlinkSync(join(elsewhere, 'hidden'), join(extensions, '.hidden'));
    expect(await discoverExtensions(extensions)).toEqual([]);
  });

  it('two links to one folder are one extension and a duplicate', async () => {
    outside('twice', manifest('twice'));
    symlinkSync(join(elsewhere, 'twice'), join(extensions, 'a_link'));
    symlinkSync(join(elsewhere, 'twice'), join(extensions, 'b_link'));
    const found = await discoverExtensions(extensions);
    expect(found.map((f) => [f.identifier, f.ok])).toEqual([
      ['twice', true],
      ['twice@b_link', false],
    ]);
  });
});
