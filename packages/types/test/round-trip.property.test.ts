/**
 * Every valid message of every protocol survives the wire: `JSON.stringify` → validator gives
 * back a value deep-equal to the original, whether the validator is handed the text, its UTF-8
 * bytes, or the parsed object.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { messageArb, PROTOCOLS } from './fixtures/protocols.ts';

const encoder = new TextEncoder();

describe.each(PROTOCOLS)('$name round trip', (protocol) => {
  it('accepts every valid message as text, unchanged', () => {
    fc.assert(
      fc.property(messageArb(protocol), (message) => {
        const result = protocol.validate(JSON.stringify(message));
        expect(result).toEqual({ ok: true, value: message });
      }),
      { numRuns: 300 },
    );
  });

  it('accepts every valid message as bytes and as a parsed object, unchanged', () => {
    fc.assert(
      fc.property(messageArb(protocol), (message) => {
        const text = JSON.stringify(message);
        expect(protocol.validate(encoder.encode(text))).toEqual({ ok: true, value: message });
        expect(protocol.validate(JSON.parse(text))).toEqual({ ok: true, value: message });
      }),
      { numRuns: 150 },
    );
  });
});
