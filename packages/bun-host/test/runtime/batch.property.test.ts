/**
 * Property of the runtime channel's batching: whatever mix of messages, unwritable ones (a
 * `BigInt`, a cycle) and tick boundaries, the receiver gets exactly the writable messages, in
 * the order they were sent, and every unwritable one is reported once.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Batcher, postFrame } from '../../src/runtime/batch.ts';
import { unbrandEach } from '../../src/runtime/channel.ts';

type Step = { kind: 'send'; n: number; unwritable: 'no' | 'bigint' | 'cycle' } | { kind: 'tick' };

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('send' as const),
      n: fc.nat(),
      unwritable: fc.constantFrom(
        'no' as const,
        'no' as const,
        'bigint' as const,
        'cycle' as const,
      ),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'tick' as const }) },
);

function message(s: Extract<Step, { kind: 'send' }>, index: number): Record<string, unknown> {
  const m: Record<string, unknown> = { type: 'log', index, n: s.n };
  if (s.unwritable === 'bigint') m.big = BigInt(s.n);
  if (s.unwritable === 'cycle') m.self = m;
  return m;
}

describe('Batcher + postFrame over a JSON medium', () => {
  it('delivers exactly the writable messages, in order, and reports each unwritable one', () => {
    fc.assert(
      fc.property(
        fc.array(step, { maxLength: 60 }),
        fc.integer({ min: 1, max: 8 }),
        (steps, maxCount) => {
          const due: (() => void)[] = [];
          const wire: string[] = [];
          const reported: unknown[] = [];
          const batcher = new Batcher<Record<string, unknown>>({
            schedule: (callback) => {
              due.push(callback);
            },
            limits: { maxCount },
            post: (frame) =>
              postFrame(
                frame,
                (f) => wire.push(JSON.stringify(f)),
                (m) => reported.push(m),
              ),
          });
          const expected: number[] = [];
          let unwritable = 0;
          steps.forEach((s, index) => {
            if (s.kind === 'tick') {
              for (const callback of due.splice(0)) callback();
              return;
            }
            batcher.send(message(s, index));
            if (s.unwritable === 'no') expected.push(index);
            else unwritable += 1;
          });
          batcher.close();
          const received: number[] = [];
          for (const text of wire) {
            unbrandEach(
              JSON.parse(text),
              (m) => received.push((m as { index: number }).index),
              (reason) => {
                throw new Error(`refused: ${reason}`);
              },
            );
          }
          expect(received).toEqual(expected);
          expect(reported).toHaveLength(unwritable);
        },
      ),
      { numRuns: 300 },
    );
  });
});
