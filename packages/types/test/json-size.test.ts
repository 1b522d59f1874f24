/// <reference types="node" />
/**
 * The walk that measures already-parsed input computes exactly the UTF-8 size of its
 * `JSON.stringify`, so a parsed message and its text meet the same byte limit.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonByteSize } from '../src/index.ts';

describe('jsonByteSize', () => {
  it('equals the UTF-8 length of JSON.stringify for any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(jsonByteSize(value)).toBe(Buffer.byteLength(JSON.stringify(value)));
      }),
      { numRuns: 500 },
    );
  });

  it('counts escapes, astral characters and lone surrogates as JSON.stringify writes them', () => {
    for (const text of ['"\\\n\t\u0001', '😀 é ß 中', '\ud800', 'a\udc00b', '\u2028']) {
      expect(jsonByteSize(text), JSON.stringify(text)).toBe(
        Buffer.byteLength(JSON.stringify(text)),
      );
    }
  });

  it('skips undefined properties as JSON does', () => {
    const value = { a: undefined, b: 1, c: undefined };
    expect(jsonByteSize(value)).toBe(Buffer.byteLength(JSON.stringify(value)));
  });

  it('is undefined for what JSON cannot carry faithfully', () => {
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    for (const value of [
      cyclic,
      [undefined],
      Number.NaN,
      1n,
      new Date(),
      () => 1,
      { m: new Map() },
    ]) {
      expect(jsonByteSize(value)).toBeUndefined();
    }
  });

  it('stops early past the limit', () => {
    expect(jsonByteSize('x'.repeat(100), 10)).toBeUndefined();
    expect(jsonByteSize('x'.repeat(8), 10)).toBe(10);
  });
});
