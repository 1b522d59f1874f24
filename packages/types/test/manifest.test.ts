/** `spindle.json` validation (docs/architecture.md, "Extension layout"): every refusal is `INVALID_MANIFEST`. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_MANIFEST_BYTES, unknownPermissions, validateManifest } from '../src/index.ts';
import { manifestArb } from './fixtures/arbitraries.ts';

const base = {
  version: '1.0.0',
  name: 'Demo',
  identifier: 'demo_ext',
  author: 'someone',
  github: 'https://github.com/someone/demo',
  homepage: '',
  permissions: [],
};

describe('validateManifest', () => {
  it('accepts every valid manifest, as object, text and bytes', () => {
    fc.assert(
      fc.property(manifestArb, (manifest) => {
        const text = JSON.stringify(manifest);
        expect(validateManifest(manifest)).toEqual({ ok: true, value: manifest });
        expect(validateManifest(text)).toEqual({ ok: true, value: manifest });
        expect(validateManifest(new TextEncoder().encode(text))).toEqual({
          ok: true,
          value: manifest,
        });
      }),
    );
  });

  it.each(['Demo', '9lives', '_x', 'has-dash', 'has space', '', 'é'])(
    'refuses identifier %j',
    (identifier) => {
      expect(validateManifest({ ...base, identifier })).toMatchObject({
        ok: false,
        error: { code: 'INVALID_MANIFEST', path: 'identifier' },
      });
    },
  );

  it('requires every mandatory field and types the optional ones', () => {
    for (const field of [
      'version',
      'name',
      'identifier',
      'author',
      'github',
      'homepage',
      'permissions',
    ]) {
      const { [field as keyof typeof base]: _gone, ...rest } = base;
      expect(validateManifest(rest), field).toMatchObject({
        ok: false,
        error: { code: 'INVALID_MANIFEST', path: field, message: `manifest: ${field} is required` },
      });
    }
    expect(validateManifest({ ...base, permissions: 'all' })).toMatchObject({
      error: { code: 'INVALID_MANIFEST', path: 'permissions' },
    });
    expect(validateManifest({ ...base, permissions: ['storage', 3] })).toMatchObject({
      error: { code: 'INVALID_MANIFEST', path: 'permissions.1' },
    });
    expect(validateManifest({ ...base, entry_backend: 5 })).toMatchObject({
      error: { code: 'INVALID_MANIFEST', path: 'entry_backend' },
    });
  });

  it('refuses unreadable, oversized and non-object input with INVALID_MANIFEST', () => {
    for (const input of ['{', '[]', 'null', 42, null, undefined]) {
      expect(validateManifest(input)).toMatchObject({
        ok: false,
        error: { code: 'INVALID_MANIFEST' },
      });
    }
    const huge = JSON.stringify({ ...base, description: 'd'.repeat(MAX_MANIFEST_BYTES) });
    const result = validateManifest(huge);
    expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_MANIFEST', path: '' } });
    if (!result.ok) expect(result.error.message).toMatch(/larger than/);
  });

  it('keeps unknown keys (pass-through), but never __proto__, prototype or constructor', () => {
    const extra = { ...base, extra: true, nested: { a: [1] } };
    expect(validateManifest(extra)).toEqual({ ok: true, value: extra });
    const hostile = JSON.parse(
      `{"version":"1","name":"n","identifier":"ok","author":"","github":"","homepage":"","permissions":[],"__proto__":{"polluted":1},"constructor":{"x":1}}`,
    );
    const result = validateManifest(hostile);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(Object.getPrototypeOf(result.value)).toBe(Object.prototype);
    expect((result.value as unknown as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.hasOwn(result.value, 'constructor')).toBe(false);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('keeps unknown permission names and types the upstream fields', () => {
    const manifest = {
      ...base,
      permissions: ['chats', 'teleport'],
      requested_capabilities: ['base64_decode'],
      entry_frontend_widget: 'dist/widget.js',
      interceptorTimeoutMs: 5000,
      storage_seed_files: [{ from: 'seed/defaults.json', to: 'defaults.json', required: true }],
    };
    const result = validateManifest(manifest);
    expect(result).toEqual({ ok: true, value: manifest });
    if (result.ok) expect(unknownPermissions(result.value.permissions)).toEqual(['teleport']);
  });

  it('refuses seed files of the wrong shape with a path', () => {
    expect(validateManifest({ ...base, storage_seed_files: [{ to: 'x' }] })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_MANIFEST', path: 'storage_seed_files.0.from' },
    });
    expect(validateManifest({ ...base, storage_seed_files: 'seed' })).toMatchObject({
      ok: false,
      error: { path: 'storage_seed_files' },
    });
  });
});
