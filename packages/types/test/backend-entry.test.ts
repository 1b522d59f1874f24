/** The string rules of a backend subprocess entry (docs/architecture.md, "Extension layout"). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkBackendProcessEntry } from '../src/index.ts';
import { entryArb } from './fixtures/arbitraries.ts';

describe('checkBackendProcessEntry', () => {
  it.each([
    'dist/worker.js',
    'dist/workers/heavy.mjs',
    'dist/a/b/c/legacy.cjs',
    'dist/..hidden.js',
    'dist/.js',
  ])('accepts %s', (entry) => {
    expect(checkBackendProcessEntry(entry)).toEqual({ ok: true, value: entry });
  });

  it.each([
    ['', /empty/],
    ['/abs/dist/worker.js', /not absolute/],
    ['C:/ext/dist/worker.js', /drive/],
    ['c:dist/worker.js', /drive/],
    ['dist\\worker.js', /backslash/],
    ['dist/../outside.js', /"\.\."/],
    ['dist/sub/../../x.js', /"\.\."/],
    ['../dist/worker.js', /"\.\."/],
    ['dist/..', /"\.\."/],
    ['dist/worker.js\0.png', /NUL/],
    ['src/worker.js', /dist/],
    ['./dist/worker.js', /dist/],
    ['distx/worker.js', /dist/],
    ['dist/worker.ts', /\.js/],
    ['dist/worker.js.map', /\.js/],
    ['dist/', /\.js/],
    [`dist/${'a'.repeat(1100)}.js`, /1024/],
  ])('refuses %j', (entry, reason) => {
    const result = checkBackendProcessEntry(entry);
    expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_OPTIONS', path: 'entry' } });
    if (!result.ok) expect(result.error.message).toMatch(reason);
  });

  it('never throws, even on what is not a string', () => {
    for (const input of [undefined, null, 5, {}, Symbol('e')]) {
      expect(checkBackendProcessEntry(input as string)).toMatchObject({
        ok: false,
        error: { code: 'INVALID_OPTIONS', path: 'entry' },
      });
    }
  });

  it('accepts every generated entry and refuses it with a ".." segment inserted', () => {
    fc.assert(
      fc.property(entryArb, fc.nat(), (entry, n) => {
        expect(checkBackendProcessEntry(entry).ok).toBe(true);
        const parts = entry.split('/');
        parts.splice(1 + (n % (parts.length - 1)), 0, '..');
        expect(checkBackendProcessEntry(parts.join('/')).ok).toBe(false);
      }),
    );
  });
});
