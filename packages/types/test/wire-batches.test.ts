/**
 * Batches of the browser ↔ host protocol (`wire-protocol.ts`, version 2): one WebSocket message
 * carrying a JSON array of frames. Each frame is judged exactly as a lone frame would be, in
 * order; the message as a whole is held to `maxFrameBytes` and `MAX_BATCH_FRAMES`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MAX_BATCH_FRAMES,
  validateClientFrame,
  validateClientMessage,
  validateServerFrame,
  validateServerMessage,
} from '../src/index.ts';
import { clientProtocol, messageArb, serverProtocol } from './fixtures/protocols.ts';

const up = (seq: number, payload: unknown = seq) => ({
  type: 'backend_message',
  extensionId: 'ext',
  payload,
  seq,
});

describe('validateClientMessage', () => {
  it('reads a lone frame as a one-frame, unbatched message', () => {
    const result = validateClientMessage(JSON.stringify(up(1)));
    expect(result).toEqual({ ok: true, batched: false, frames: [{ ok: true, value: up(1) }] });
  });

  it('reads a batch frame by frame, in order', () => {
    const result = validateClientMessage(JSON.stringify([up(1), { type: 'ack', seq: 4 }, up(2)]));
    expect(result).toEqual({
      ok: true,
      batched: true,
      frames: [
        { ok: true, value: up(1) },
        { ok: true, value: { type: 'ack', seq: 4 } },
        { ok: true, value: up(2) },
      ],
    });
  });

  it('refuses a bad frame inside a batch with its own seq and keeps the others', () => {
    const bad = { type: 'process_ended', processId: 'p-1', outcome: 'exploded', seq: 2 };
    const result = validateClientMessage(JSON.stringify([up(1), bad, up(3), 7, { seq: 9 }]));
    if (!result.ok) throw new Error('the batch itself is readable');
    const [first, second, third, fourth, fifth] = result.frames;
    expect(first).toEqual({ ok: true, value: up(1) });
    expect(second).toMatchObject({
      ok: false,
      error: { code: 'INVALID_FRAME', seq: 2, frameType: 'process_ended', path: 'outcome' },
    });
    expect(third).toEqual({ ok: true, value: up(3) });
    expect(fourth).toMatchObject({ ok: false, error: { code: 'INVALID_FRAME', path: '' } });
    expect(fifth).toMatchObject({ ok: false, error: { code: 'INVALID_FRAME', seq: 9 } });
  });

  it('refuses a whole message that is not JSON, too large, an empty batch or too long a batch', () => {
    expect(validateClientMessage('[{"type":')).toMatchObject({
      ok: false,
      error: { code: 'INVALID_JSON' },
    });
    const big = JSON.stringify([up(1, 'x'.repeat(600)), up(2, 'x'.repeat(600))]);
    expect(validateClientMessage(big, { maxFrameBytes: 1_000 })).toMatchObject({
      ok: false,
      error: { code: 'FRAME_TOO_LARGE' },
    });
    expect(validateClientMessage('[]')).toMatchObject({
      ok: false,
      error: { code: 'INVALID_FRAME', message: expect.stringMatching(/empty/) },
    });
    const long = JSON.stringify(Array.from({ length: MAX_BATCH_FRAMES + 1 }, (_, i) => up(i + 1)));
    expect(validateClientMessage(long)).toMatchObject({
      ok: false,
      error: { code: 'INVALID_FRAME', message: expect.stringMatching(/at most 1024/) },
    });
  });

  it('judges a nested array as a bad frame, not as a batch', () => {
    const result = validateClientMessage(JSON.stringify([[up(1)]]));
    expect(result).toMatchObject({
      ok: true,
      frames: [{ ok: false, error: { code: 'INVALID_FRAME' } }],
    });
  });
});

describe('batches, property', () => {
  const anything = fc.oneof(
    messageArb(clientProtocol),
    fc.jsonValue(),
    fc.record({ type: fc.string({ maxLength: 8 }), seq: fc.integer() }),
  );

  it('judge every client frame as validateClientFrame judges it alone', () => {
    fc.assert(
      fc.property(fc.array(anything, { minLength: 1, maxLength: 20 }), (frames) => {
        const result = validateClientMessage(JSON.stringify(frames));
        expect(result.ok).toBe(true);
        if (!result.ok) return;
        expect(result.batched).toBe(true);
        expect(result.frames).toEqual(
          frames.map((frame) => validateClientFrame(JSON.stringify(frame))),
        );
      }),
      { numRuns: 200 },
    );
  });

  it('judge every server frame as validateServerFrame judges it alone', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(messageArb(serverProtocol), fc.jsonValue()), {
          minLength: 1,
          maxLength: 20,
        }),
        (frames) => {
          const result = validateServerMessage(JSON.stringify(frames));
          expect(result.ok).toBe(true);
          if (!result.ok) return;
          expect(result.frames).toEqual(
            frames.map((frame) => validateServerFrame(JSON.stringify(frame))),
          );
        },
      ),
      { numRuns: 200 },
    );
  });
});
