import type { HostToWorker } from '@spindle/types';
import { describe, expect, it } from 'vitest';
import { BRAND, brand, unbrand } from '../../src/runtime/channel.ts';
import { IpcChannel } from '../../src/runtime/ipc-channel.ts';

describe('brand / unbrand', () => {
  it('round-trips a message', () => {
    const message = { type: 'ready' };
    expect(brand(message)).toEqual({ type: 'ready', __spindle: BRAND });
    expect(unbrand(brand(message))).toEqual({ ok: true, value: message });
  });

  it.each([
    ['a string', 'garbage', 'not an object (string)'],
    ['null', null, 'not an object (null)'],
    ['an array', [1], 'not an object (array)'],
    ['an unbranded object', { type: 'ready' }, 'unbranded message'],
    ['a wrong brand', { type: 'ready', __spindle: 2 }, 'unbranded message'],
  ])('refuses %s', (_label, raw, reason) => {
    expect(unbrand(raw)).toEqual({ ok: false, reason });
  });
});

describe('IpcChannel', () => {
  it('brands outbound messages, queues them until connected, and unbrands inbound ones', () => {
    const refused: string[] = [];
    const channel = new IpcChannel(
      (reason) => refused.push(reason),
      () => {},
    );
    const wire: unknown[] = [];
    const shutdown: HostToWorker = { type: 'shutdown' };
    channel.send(shutdown);
    channel.connect((message) => wire.push(message));
    expect(wire).toEqual([{ type: 'shutdown', __spindle: 1 }]);

    const received: unknown[] = [];
    channel.onMessage((message) => received.push(message));
    channel.receive({ type: 'ready', __spindle: 1 });
    channel.receive({ type: 'ready' });
    expect(received).toEqual([{ type: 'ready' }]);
    expect(refused).toEqual(['unbranded message']);
  });

  it('a throwing handler is reported and does not stop the others', () => {
    const errors: unknown[] = [];
    const channel = new IpcChannel(
      () => {},
      (error) => errors.push(error),
    );
    const received: unknown[] = [];
    channel.onMessage(() => {
      throw new Error('handler bug');
    });
    channel.onMessage((message) => received.push(message));
    channel.receive({ type: 'ready', __spindle: 1 });
    expect(received).toHaveLength(1);
    expect(errors).toHaveLength(1);
  });

  it('after close nothing is sent or delivered; a send to a dead child does not throw', () => {
    const channel = new IpcChannel(
      () => {},
      () => {},
    );
    channel.connect(() => {
      throw new Error('EPIPE');
    });
    expect(() => channel.send({ type: 'shutdown' })).not.toThrow();
    const received: unknown[] = [];
    channel.onMessage((message) => received.push(message));
    channel.close();
    channel.receive({ type: 'ready', __spindle: 1 });
    expect(received).toEqual([]);
  });
});
