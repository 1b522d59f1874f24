/**
 * Valid messages, broken one way at a time: a required field deleted, a field given a value of
 * the wrong kind, the `type` renamed to one the protocol does not have. Each is refused with
 * the right code and the path of the broken field, and the `seq`/`type` it carried.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PROTOCOLS, specAndMessageArb } from './fixtures/protocols.ts';

const WRONG_VALUES: readonly unknown[] = [1.5, true, null, [], {}, 'wrong\u0000value'];

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

describe.each(PROTOCOLS)('$name with one field broken', (protocol) => {
  const types = new Set(protocol.messages.map((m) => m.type));
  const arb = specAndMessageArb(protocol);

  it('refuses a message whose required field was deleted (INVALID_FRAME, path = field)', () => {
    const cases = arb.filter(({ required }) => required.length > 0);
    fc.assert(
      fc.property(cases, fc.nat(), ({ type, required, value }, n) => {
        const field = required[n % required.length]!;
        const broken = { ...value };
        delete broken[field];
        const result = protocol.validate(JSON.stringify(broken));
        expect(result.ok).toBe(false);
        if (result.ok) return;
        expect(result.error.code).toBe('INVALID_FRAME');
        expect(result.error.path).toBe(field);
        expect(result.error.frameType).toBe(type);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a message without a type (INVALID_FRAME, path = type)', () => {
    fc.assert(
      fc.property(arb, ({ value }) => {
        const { type: _type, ...rest } = value;
        const result = protocol.validate(JSON.stringify(rest));
        expect(result.ok).toBe(false);
        if (result.ok) return;
        expect(result.error).toMatchObject({ code: 'INVALID_FRAME', path: 'type' });
      }),
      { numRuns: 100 },
    );
  });

  it('refuses a field of the wrong kind (INVALID_FRAME, path under the field)', () => {
    fc.assert(
      fc.property(arb, fc.nat(), fc.nat(), ({ required, optional, value }, n, w) => {
        // Only fields the message has: an absent optional field has no kind to get wrong.
        const fields = ['type', ...required, ...optional].filter((f) => value[f] !== undefined);
        const field = fields[n % fields.length]!;
        const original = value[field];
        const wrong = WRONG_VALUES.filter((candidate) => kindOf(candidate) !== kindOf(original));
        const broken = { ...value, [field]: wrong[w % wrong.length] };
        const result = protocol.validate(JSON.stringify(broken));
        expect(result.ok).toBe(false);
        if (result.ok) return;
        expect(result.error.code).toBe('INVALID_FRAME');
        expect(`${result.error.path}.`.startsWith(`${field}.`)).toBe(true);
        if (field !== 'seq' && typeof value.seq === 'number') {
          expect(result.error.seq).toBe(value.seq);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('refuses a type the protocol does not have (UNKNOWN_TYPE)', () => {
    const unknownType = fc.string({ maxLength: 30 }).filter((t) => !types.has(t));
    fc.assert(
      fc.property(arb, unknownType, ({ value }, type) => {
        const result = protocol.validate(JSON.stringify({ ...value, type }));
        expect(result.ok).toBe(false);
        if (result.ok) return;
        expect(result.error).toMatchObject({ code: 'UNKNOWN_TYPE', path: 'type', frameType: type });
      }),
      { numRuns: 200 },
    );
  });
});
