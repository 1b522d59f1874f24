/** `spindle.json` validation (DESIGN.md section 3): every refusal is `INVALID_MANIFEST`. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_MANIFEST_BYTES, validateManifest } from '../src/index.ts';
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

  it('strips unknown keys', () => {
    expect(validateManifest({ ...base, extra: true })).toEqual({ ok: true, value: base });
  });
});
