/**
 * Spawn options of both process kinds: required fields, finite numbers, plain-object metadata,
 * JSON payloads, unknown keys stripped, every refusal `INVALID_OPTIONS` with a path.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  validateBackendProcessSpawnOptions,
  validateFrontendProcessSpawnOptions,
} from '../src/index.ts';
import { backendSpawnOptionsArb, frontendSpawnOptionsArb } from './fixtures/arbitraries.ts';

describe('validateFrontendProcessSpawnOptions', () => {
  it('accepts every valid option set unchanged', () => {
    fc.assert(
      fc.property(frontendSpawnOptionsArb, (options) => {
        expect(validateFrontendProcessSpawnOptions(options)).toEqual({ ok: true, value: options });
      }),
    );
  });

  it('requires a kind that is not blank', () => {
    for (const [options, path] of [
      [{}, 'kind'],
      [{ kind: '' }, 'kind'],
      [{ kind: ' \t\n' }, 'kind'],
      [{ kind: 7 }, 'kind'],
      [{ kind: 'k'.repeat(257) }, 'kind'],
    ] as const) {
      expect(validateFrontendProcessSpawnOptions(options)).toMatchObject({
        ok: false,
        error: { code: 'INVALID_OPTIONS', path },
      });
    }
    const missing = validateFrontendProcessSpawnOptions({});
    expect(missing.ok || missing.error.message).toBe(
      'frontend process spawn options: kind is required',
    );
  });

  it('requires finite numbers, a boolean replaceExisting and plain-object metadata', () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ startupTimeoutMs: Number.NaN }, 'startupTimeoutMs'],
      [{ startupTimeoutMs: Number.POSITIVE_INFINITY }, 'startupTimeoutMs'],
      [{ heartbeatTimeoutMs: '5000' }, 'heartbeatTimeoutMs'],
      [{ replaceExisting: 'yes' }, 'replaceExisting'],
      [{ metadata: [] }, 'metadata'],
      [{ metadata: 'm' }, 'metadata'],
      [{ metadata: null }, 'metadata'],
      [{ userId: '' }, 'userId'],
      [{ key: 'k'.repeat(1025) }, 'key'],
      [{ frontendSessionId: 3 }, 'frontendSessionId'],
      [{ payload: { at: new Date() } }, 'payload.at'],
      [{ payload: () => 1 }, 'payload'],
    ];
    for (const [extra, path] of cases) {
      expect(validateFrontendProcessSpawnOptions({ kind: 'k', ...extra }), path).toMatchObject({
        ok: false,
        error: { code: 'INVALID_OPTIONS', path },
      });
    }
  });

  it('refuses what is not an options object', () => {
    const instance = new (class Options {
      kind = 'k';
    })();
    const bytes = new TextEncoder().encode('{"kind":"k"}');
    for (const input of [null, undefined, 'kind', 5, [], bytes, bytes.buffer, instance]) {
      expect(validateFrontendProcessSpawnOptions(input)).toMatchObject({
        ok: false,
        error: { code: 'INVALID_OPTIONS', path: '' },
      });
    }
  });

  it('strips unknown keys and keeps payload and metadata by reference', () => {
    const payload = { big: [1, 2, 3] };
    const metadata = { label: 'x' };
    const result = validateFrontendProcessSpawnOptions({
      kind: 'k',
      payload,
      metadata,
      startupTimeout: 5000,
    });
    expect(result).toEqual({ ok: true, value: { kind: 'k', payload, metadata } });
    if (result.ok) {
      expect(result.value.payload).toBe(payload);
      expect(result.value.metadata).toBe(metadata);
    }
  });
});

describe('validateBackendProcessSpawnOptions', () => {
  it('accepts every valid option set unchanged', () => {
    fc.assert(
      fc.property(backendSpawnOptionsArb, (options) => {
        expect(validateBackendProcessSpawnOptions(options)).toEqual({ ok: true, value: options });
      }),
    );
  });

  it('requires an entry and says which rule it breaks', () => {
    expect(validateBackendProcessSpawnOptions({})).toMatchObject({
      error: {
        code: 'INVALID_OPTIONS',
        path: 'entry',
        message: 'backend process spawn options: entry is required',
      },
    });
    expect(validateBackendProcessSpawnOptions({ entry: 'dist/../secret.js' })).toEqual({
      ok: false,
      error: {
        code: 'INVALID_OPTIONS',
        path: 'entry',
        message: 'backend process entry "dist/../secret.js" must not contain a ".." segment',
      },
    });
    expect(validateBackendProcessSpawnOptions({ entry: 5 })).toMatchObject({
      error: { code: 'INVALID_OPTIONS', path: 'entry' },
    });
  });

  it('holds the other fields to the frontend rules', () => {
    expect(validateBackendProcessSpawnOptions({ entry: 'dist/w.js', kind: '  ' })).toMatchObject({
      error: { code: 'INVALID_OPTIONS', path: 'kind' },
    });
    expect(
      validateBackendProcessSpawnOptions({ entry: 'dist/w.js', heartbeatTimeoutMs: Number.NaN }),
    ).toMatchObject({ error: { code: 'INVALID_OPTIONS', path: 'heartbeatTimeoutMs' } });
    expect(
      validateBackendProcessSpawnOptions({ entry: 'dist/w.js', frontendSessionId: 's' }),
    ).toEqual({ ok: true, value: { entry: 'dist/w.js' } });
  });
});
