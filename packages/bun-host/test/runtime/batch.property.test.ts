/**
 * Property of the runtime channel's batching: whatever mix of messages, poisoned ones (a
 * `BigInt`, a cycle, nesting deeper than the stack, larger than the message limit) and tick
 * boundaries, the receiver gets exactly the other messages, each once, in the order they were
 * sent, and every poisoned one is reported once, the medium never failing to write a frame.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Batcher, postFrame } from '../../src/runtime/batch.ts';
import { unbrandEach } from '../../src/runtime/channel.ts';

type Poison = 'no' | 'bigint' | 'cycle' | 'deep' | 'big';
type Step = { kind: 'send'; n: number; poison: Poison } | { kind: 'tick' };

const MAX_MESSAGE_BYTES = 4096;

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('send' as const),
      n: fc.nat(),
      poison: fc.constantFrom<Poison>('no', 'no', 'no', 'bigint', 'cycle', 'deep', 'big'),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'tick' as const }) },
);

/** Nested past any engine's JSON recursion (built once: it is only ever read). */
const TOO_DEEP = (() => {
  let value: unknown = 'bottom';
  for (let i = 0; i < 200_000; i++) value = { v: value };
  return value;
})();

function message(s: Extract<Step, { kind: 'send' }>, index: number): Record<string, unknown> {
  const m: Record<string, unknown> = { type: 'frontend_message', index, payload: s.n };
  if (s.poison === 'bigint') m.payload = BigInt(s.n);
  if (s.poison === 'cycle') m.payload = m;
  if (s.poison === 'deep') m.payload = TOO_DEEP;
  if (s.poison === 'big') m.payload = 'x'.repeat(MAX_MESSAGE_BYTES);
  return m;
}

/** A medium writing each frame as JSON (Bun IPC does it itself; the Worker medium stringifies). */
function post(frame: unknown, wire: string[]): void {
  postFrame(
    frame,
    (value) => wire.push(JSON.stringify(value)),
    () => {
      throw new Error('a message the batcher accepted could not be written');
    },
  );
}

describe('Batcher over a JSON medium', () => {
  it('delivers every other message exactly once, in order, and reports each poisoned one', () => {
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
            limits: { maxCount, maxMessageBytes: MAX_MESSAGE_BYTES },
            post: (frame) => post(frame, wire),
            onUnwritable: (m) => reported.push(m.index),
          });
          const expected: number[] = [];
          const poisoned: number[] = [];
          steps.forEach((s, index) => {
            if (s.kind === 'tick') {
              for (const callback of due.splice(0)) callback();
              return;
            }
            batcher.send(message(s, index));
            if (s.poison === 'no') expected.push(index);
            else poisoned.push(index);
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
          expect(reported).toEqual(poisoned);
        },
      ),
      { numRuns: 200 },
    );
  });
});
