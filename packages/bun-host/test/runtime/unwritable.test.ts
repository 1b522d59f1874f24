/**
 * A host message to a runtime that JSON cannot write is dropped alone (the batcher refuses it)
 * and reported; a request's answer is replaced by an error answer, so the runtime's promise
 * settles instead of waiting forever.
 */
import type { HostToWorker } from '@spindle/types';
import { describe, expect, it } from 'vitest';
import { unbrandEach } from '../../src/runtime/channel.ts';
import { IpcChannel } from '../../src/runtime/ipc-channel.ts';
import { replacementFor, reportUnwritable } from '../../src/runtime/unwritable.ts';

describe('replacementFor', () => {
  it('answers an unwritable result with an INTERNAL error for the same request', () => {
    const response: HostToWorker = { type: 'response', requestId: 'r7', result: { n: 1n } };
    expect(replacementFor(response, 'BigInt')).toMatchObject({
      type: 'response',
      requestId: 'r7',
      error: {
        code: 'INTERNAL',
        message: expect.stringContaining('cannot be sent as JSON (BigInt)'),
      },
    });
  });

  it('has nothing for other messages, or for an error answer', () => {
    expect(replacementFor({ type: 'frontend_message', payload: 1n, userId: 'u' }, 'x')).toBe(
      undefined,
    );
    const failed = { type: 'response', requestId: 'r', error: { name: 'E', message: 'm' } };
    expect(replacementFor(failed as HostToWorker, 'x')).toBeUndefined();
  });
});

describe('an IpcChannel reporting through reportUnwritable', () => {
  it('delivers the rest of the tick, warns once per dropped message, and answers the request', () => {
    const due: (() => void)[] = [];
    const warnings: string[] = [];
    const wire: unknown[] = [];
    const channel: IpcChannel = new IpcChannel(
      () => {},
      () => {},
      {
        schedule: (callback) => {
          due.push(callback);
        },
        onUnwritable: reportUnwritable(
          (line) => warnings.push(line),
          (message) => channel.send(message),
        ),
      },
    );
    channel.connect((frame) => wire.push(JSON.parse(JSON.stringify(frame))));
    channel.send({ type: 'frontend_message', payload: 'first', userId: 'u' });
    channel.send({ type: 'frontend_message', payload: 2n, userId: 'u' });
    channel.send({ type: 'response', requestId: 'r1', result: 3n });
    channel.send({ type: 'frontend_message', payload: 'last', userId: 'u' });
    for (const run of due.splice(0)) run();
    const received: unknown[] = [];
    for (const frame of wire)
      unbrandEach(
        frame,
        (m) => received.push(m),
        () => {},
      );
    // The replacement takes the dropped answer's place in the order.
    expect(received).toEqual([
      { type: 'frontend_message', payload: 'first', userId: 'u' },
      {
        type: 'response',
        requestId: 'r1',
        error: expect.objectContaining({ code: 'INTERNAL' }),
      },
      { type: 'frontend_message', payload: 'last', userId: 'u' },
    ]);
    expect(warnings).toEqual([
      expect.stringMatching(
        /^a frontend_message message to the runtime was dropped: it cannot be sent as JSON/,
      ),
      expect.stringMatching(/^a response message to the runtime was dropped/),
    ]);
  });
});
