import { describe, expect, it } from 'vitest';
import {
  checkBackendProcessEntry,
  validateBackendProcessSpawnOptions,
  validateBackendProcessToHost,
} from '../../src/processes/contracts.ts';

describe('backend process entry rules', () => {
  it.each([
    ['dist/a.js', 'dist/a.js'],
    ['./dist/sub/b.mjs', 'dist/sub/b.mjs'],
    ['dist//c.cjs', 'dist/c.cjs'],
  ])('accepts %s', (entry, normalised) => {
    expect(checkBackendProcessEntry(entry)).toEqual({ ok: true, value: normalised });
  });

  it.each([
    '',
    '/abs/dist/a.js',
    'C:/dist/a.js',
    'dist/../a.js',
    'dist/sub/../../x.js',
    'src/a.js',
    'dist',
    'dist/a.ts',
    'dist/a.json',
    'dist\\a.js',
    'dist/a\0.js',
    `dist/${'x'.repeat(2000)}.js`,
  ])('refuses %j with INVALID_OPTIONS on entry', (entry) => {
    const result = checkBackendProcessEntry(entry);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatchObject({ code: 'INVALID_OPTIONS', path: 'entry' });
  });
});

describe('spawn options', () => {
  it('keeps every valid field and normalises the entry', () => {
    const result = validateBackendProcessSpawnOptions({
      entry: './dist/a.js',
      kind: 'k',
      key: 'x',
      payload: [1],
      metadata: { a: 1 },
      userId: 'u',
      startupTimeoutMs: 1,
      heartbeatTimeoutMs: 0,
      replaceExisting: true,
    });
    expect(result).toEqual({
      ok: true,
      value: {
        entry: 'dist/a.js',
        kind: 'k',
        key: 'x',
        payload: [1],
        metadata: { a: 1 },
        userId: 'u',
        startupTimeoutMs: 1,
        heartbeatTimeoutMs: 0,
        replaceExisting: true,
      },
    });
  });

  it.each([
    [null, ''],
    [[], ''],
    [{ entry: 1 }, 'entry'],
    [{ entry: 'dist/a.js', key: '' }, 'key'],
    [{ entry: 'dist/a.js', userId: 3 }, 'userId'],
    [{ entry: 'dist/a.js', metadata: new Map() }, 'metadata'],
    [{ entry: 'dist/a.js', heartbeatTimeoutMs: Number.POSITIVE_INFINITY }, 'heartbeatTimeoutMs'],
  ])('refuses %j at %s', (input, path) => {
    const result = validateBackendProcessSpawnOptions(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.path).toBe(path);
  });
});

describe('child → host messages', () => {
  it('accepts the six message types', () => {
    for (const message of [
      { type: 'ready' },
      { type: 'heartbeat' },
      { type: 'message', payload: null },
      { type: 'complete' },
      { type: 'complete', result: 1 },
      { type: 'fail', error: 'x' },
      { type: 'stopped' },
    ]) {
      expect(validateBackendProcessToHost(message).ok).toBe(true);
    }
  });

  it.each([
    ['a string', 'INVALID_FRAME'],
    [{ type: 7 }, 'INVALID_FRAME'],
    [{ type: 'bogus' }, 'UNKNOWN_TYPE'],
    [{ type: 'message' }, 'INVALID_FRAME'],
    [{ type: 'fail', error: { no: 1 } }, 'INVALID_FRAME'],
  ])('refuses %j with %s', (input, code) => {
    const result = validateBackendProcessToHost(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe(code);
  });
});
