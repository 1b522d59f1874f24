/**
 * No input makes a validator throw, and whatever a validator accepts from random input is a
 * real message: its `type` is one of the protocol's, and it validates again, unchanged, after a
 * trip through JSON.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ValidationResult } from '../src/index.ts';
import { viaJson } from './fixtures/arbitraries.ts';
import { messageArb, PROTOCOLS } from './fixtures/protocols.ts';
import { ALL_VALIDATORS } from './fixtures/validators.ts';

const anything = fc.anything({
  withBigInt: true,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withObjectString: true,
  withSparseArray: true,
  withTypedArray: true,
  withUnicodeString: true,
});

const randomInput = fc.oneof(
  anything,
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.json(),
  fc.uint8Array({ maxLength: 200 }),
  fc.constantFrom('', 'null', '[]', '{}', '{"type":null}', '\uFEFF{}', '{"type":"__proto__"}'),
);

function expectWellFormed(result: ValidationResult<unknown>): void {
  expect(typeof result.ok).toBe('boolean');
  if (!result.ok) {
    expect(typeof result.error.code).toBe('string');
    expect(typeof result.error.path).toBe('string');
    expect(result.error.message.length).toBeGreaterThan(0);
    expect(result.error.message.length).toBeLessThanOrEqual(301);
  }
}

describe.each(ALL_VALIDATORS)('%s on random input', (_name, validate) => {
  it('never throws and always returns a well-formed result', () => {
    fc.assert(
      fc.property(randomInput, (input) => {
        expectWellFormed(validate(input));
      }),
      { numRuns: 400 },
    );
  });
});

describe.each(PROTOCOLS)('$name never accepts an invalid message', (protocol) => {
  const types = new Set(protocol.messages.map((m) => m.type));

  it('accepts from random input only messages of its own types that survive JSON', () => {
    fc.assert(
      fc.property(fc.oneof(randomInput, messageArb(protocol)), (input) => {
        const result = protocol.validate(input);
        if (!result.ok) return;
        const value = result.value as { type: string };
        expect(types.has(value.type)).toBe(true);
        expect(protocol.validate(viaJson(value))).toEqual({ ok: true, value: viaJson(value) });
      }),
      { numRuns: 300 },
    );
  });

  it('refuses random objects that carry a known type and junk fields', () => {
    const junk = fc.record({
      type: fc.constantFrom(...types),
      junk: anything,
    });
    fc.assert(
      fc.property(junk, fc.dictionary(fc.string(), anything), (base, extra) => {
        const result = protocol.validate({ ...extra, ...base });
        if (result.ok) {
          // Only messages whose fields are all optional can pass; they come out without junk.
          const value = result.value as Record<string, unknown>;
          expect(value.junk).toBeUndefined();
          expect(protocol.validate(viaJson(value)).ok).toBe(true);
        } else {
          expect(['INVALID_FRAME', 'FRAME_TOO_LARGE']).toContain(result.error.code);
          expect(result.error.frameType).toBe(base.type);
        }
      }),
      { numRuns: 300 },
    );
  });
});
