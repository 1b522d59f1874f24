/**
 * `serializeError` / `deserializeError` across JSON keep name, message, code, details and the
 * cause chain, and a serialized error is accepted by the validators that carry one.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  deserializeError,
  isSpindleError,
  SpindleError,
  serializeError,
  validateHostToWorker,
} from '../src/index.ts';
import { SPINDLE_ERROR_CODES } from '../src/validate/enums.ts';
import { recordArb, viaJson } from './fixtures/arbitraries.ts';

describe('serializeError / deserializeError', () => {
  it('keeps code, message, details and cause of a SpindleError', () => {
    const root = new RangeError('too far');
    const error = new SpindleError('SPAWN_TIMEOUT', 'p-1 did not call ready()', {
      cause: root,
      details: { processId: 'p-1', state: 'starting', stderrTail: 'boom' },
    });
    const back = deserializeError(viaJson(serializeError(error)));
    expect(isSpindleError(back, 'SPAWN_TIMEOUT')).toBe(true);
    expect(back.name).toBe('SpindleError');
    expect(back.message).toBe('[spindle] p-1 did not call ready()');
    expect((back as SpindleError).details).toEqual({
      processId: 'p-1',
      state: 'starting',
      stderrTail: 'boom',
    });
    expect(back.cause).toBeInstanceOf(Error);
    expect((back.cause as Error).name).toBe('RangeError');
    expect((back.cause as Error).message).toBe('too far');
    expect(back.stack).toBe(error.stack);
  });

  it('round-trips random error chains', () => {
    const leaf = fc.record({ name: fc.string({ minLength: 1 }), message: fc.string() });
    const spindle = fc.record({
      code: fc.constantFrom(...SPINDLE_ERROR_CODES),
      message: fc.string(),
      details: recordArb,
    });
    fc.assert(
      fc.property(fc.array(fc.oneof(leaf, spindle), { minLength: 1, maxLength: 5 }), (chain) => {
        let error: Error | undefined;
        for (const link of [...chain].reverse()) {
          const cause = error === undefined ? {} : { cause: error };
          if ('code' in link) {
            error = new SpindleError(link.code, link.message, { ...cause, details: link.details });
          } else {
            error = new Error(link.message, cause);
            error.name = link.name;
          }
        }
        const serialized = viaJson(serializeError(error));
        expect(
          validateHostToWorker({ type: 'response', requestId: 'r', error: serialized }).ok,
        ).toBe(true);
        let back: unknown = deserializeError(serialized);
        let original: unknown = error;
        while (original instanceof Error) {
          expect(back).toBeInstanceOf(Error);
          const b = back as Error;
          expect(b.name).toBe(original.name);
          expect(b.message).toBe(original.message);
          if (original instanceof SpindleError) {
            expect(isSpindleError(b, original.code)).toBe(true);
            expect((b as SpindleError).details).toEqual(viaJson(original.details));
          }
          original = original.cause;
          back = b.cause;
        }
        expect(back).toBeUndefined();
      }),
    );
  });

  it('turns thrown non-errors into a message', () => {
    expect(serializeError('plain')).toEqual({ name: 'Error', message: 'plain' });
    expect(serializeError({ a: 1 })).toEqual({ name: 'Error', message: '{"a":1}' });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(serializeError(cyclic).message).toBe('[object Object]');
  });
});
