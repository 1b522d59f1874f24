/**
 * Bounded line splitting of a child's output: lines cut into pieces of at most `maxLineBytes`
 * on a character boundary, marked, whatever the chunking; rate-limited pieces never decoded.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CONTINUATION_MARK,
  CONTINUES_MARK,
  LineSplitter,
  LineTail,
  type PieceKind,
  readLines,
} from '../../src/runtime/lines.ts';

const encoder = new TextEncoder();

function split(chunks: string[] | Uint8Array[], max: number) {
  const pieces: { text: string; kind: PieceKind; bytes: number }[] = [];
  const splitter = new LineSplitter((bytes, kind) => {
    pieces.push({
      text: new TextDecoder('utf-8', { fatal: true }).decode(bytes),
      kind,
      bytes: bytes.length,
    });
  }, max);
  for (const chunk of chunks)
    splitter.push(typeof chunk === 'string' ? encoder.encode(chunk) : chunk);
  splitter.end();
  return pieces;
}

/** Joins pieces back into lines. */
function rejoin(pieces: { text: string; kind: PieceKind }[]): string[] {
  const lines: string[] = [];
  let current = '';
  for (const piece of pieces) {
    current += piece.text;
    if (piece.kind === 'whole' || piece.kind === 'last') {
      lines.push(current);
      current = '';
    }
  }
  return lines;
}

function stream(chunks: string[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

describe('LineSplitter', () => {
  it('finds lines across chunks, drops \\r of \\r\\n, and keeps a last line without newline', () => {
    expect(split(['ab', 'c\r\nde\n\nf'], 64)).toEqual([
      { text: 'abc', kind: 'whole', bytes: 3 },
      { text: 'de', kind: 'whole', bytes: 2 },
      { text: '', kind: 'whole', bytes: 0 },
      { text: 'f', kind: 'whole', bytes: 1 },
    ]);
  });

  it('cuts a long line into pieces of at most max bytes, first / middle / last', () => {
    const pieces = split(['x'.repeat(25), 'y'.repeat(5), '\nz\n'], 10);
    expect(pieces.map((p) => p.kind)).toEqual(['first', 'middle', 'last', 'whole']);
    expect(pieces.map((p) => p.bytes)).toEqual([10, 10, 10, 1]);
    expect(rejoin(pieces)).toEqual(['x'.repeat(25) + 'y'.repeat(5), 'z']);
  });

  it('never holds more than one piece of a 16 MB line without a newline', () => {
    let count = 0;
    let largest = 0;
    const splitter = new LineSplitter((bytes) => {
      count += 1;
      largest = Math.max(largest, bytes.length);
    }, 1024);
    const chunk = new Uint8Array(65_536).fill(0x61);
    for (let i = 0; i < 256; i++) splitter.push(chunk);
    splitter.end();
    expect(count).toBe((256 * 65_536) / 1024);
    expect(largest).toBe(1024);
  });

  it('property: pieces rejoin to the lines, fit the limit and never split a character', () => {
    const text = fc.string({
      unit: fc.constantFrom('a', 'é', '€', '😀', '\n', 'b', 'z'),
      maxLength: 200,
    });
    fc.assert(
      fc.property(
        text,
        fc.integer({ min: 4, max: 20 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (t, max, cuts) => {
          const bytes = encoder.encode(t);
          const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort(
            (a, b) => a - b,
          );
          const chunks: Uint8Array[] = [];
          let at = 0;
          for (const p of [...points, bytes.length]) {
            chunks.push(bytes.subarray(at, p));
            at = p;
          }
          const pieces = split(chunks, max); // a fatal decoder: a split character would throw
          const expected = t.split('\n');
          if (t.endsWith('\n') || t === '') expected.pop();
          expect(rejoin(pieces)).toEqual(expected);
          for (const piece of pieces) expect(piece.bytes).toBeLessThanOrEqual(max);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('readLines', () => {
  it('marks the pieces of a cut line', async () => {
    const lines: string[] = [];
    await readLines(stream(['a'.repeat(12), '\n']), (l) => lines.push(l), { maxLineBytes: 5 });
    expect(lines).toEqual([
      `aaaaa${CONTINUES_MARK}`,
      `${CONTINUATION_MARK}aaaaa${CONTINUES_MARK}`,
      `${CONTINUATION_MARK}aa`,
    ]);
  });

  it('decodes only admitted pieces; the tail still sees the start of every piece', async () => {
    const lines: string[] = [];
    const tail = new LineTail(3, 4);
    let budget = 2;
    await readLines(stream(['one\ntwo\nthree\nfour\n']), (l) => lines.push(l), {
      admit: () => budget-- > 0,
      tail,
    });
    expect(lines).toEqual(['one', 'two']);
    expect(tail.toString()).toBe('two\nthre…\nfour');
  });
});
