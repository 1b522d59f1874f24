import type { HostToWorker } from '@spindle/types';
import { MAX_IPC_MESSAGE_BYTES, validateWorkerToHost } from '@spindle/types';
import { describe, expect, it } from 'vitest';
import { Batcher, DEFAULT_BATCH_LIMITS, postFrame } from '../../src/runtime/batch.ts';
import { parseFrame, unbrandEach } from '../../src/runtime/channel.ts';
import { IpcChannel } from '../../src/runtime/ipc-channel.ts';
import { WorkerChannel } from '../../src/runtime/worker-channel.ts';

/** A scheduler the test runs by hand: the "end of the tick". */
function manualTick() {
  const due: (() => void)[] = [];
  return {
    schedule: (callback: () => void) => {
      due.push(callback);
    },
    run() {
      for (const callback of due.splice(0)) callback();
    },
  };
}

type Msg = { type: 'log'; level: 'info'; message: string };
const msg = (n: number, size = 1): Msg => ({
  type: 'log',
  level: 'info',
  message: `${n}`.padEnd(size, '.'),
});

/** Unpacks every frame as a receiver would. */
function unpack(frames: unknown[]): { messages: unknown[]; refused: string[] } {
  const messages: unknown[] = [];
  const refused: string[] = [];
  for (const frame of frames) {
    unbrandEach(
      frame,
      (m) => messages.push(m),
      (r) => refused.push(r),
    );
  }
  return { messages, refused };
}

describe('Batcher', () => {
  it('sends the first message of a tick at once and the rest as one batch, in order', () => {
    const tick = manualTick();
    const frames: unknown[] = [];
    const batcher = new Batcher<Msg>({
      post: (f) => frames.push(f),
      schedule: tick.schedule,
    });
    batcher.send(msg(0));
    expect(frames).toEqual([{ ...msg(0), __spindle: 1 }]);
    for (let i = 1; i <= 5; i++) batcher.send(msg(i));
    expect(frames).toHaveLength(1);
    expect(batcher.pending).toBe(5);
    tick.run();
    expect(frames).toHaveLength(2);
    expect(frames[1]).toEqual({ __spindle: 1, batch: [1, 2, 3, 4, 5].map((n) => msg(n)) });
    expect(unpack(frames).messages).toEqual([0, 1, 2, 3, 4, 5].map((n) => msg(n)));
    // A quiet tick again: the next message leaves at once.
    batcher.send(msg(6));
    expect(frames).toHaveLength(3);
    expect(frames[2]).toEqual({ ...msg(6), __spindle: 1 });
  });

  it('a lone queued message travels unwrapped', () => {
    const tick = manualTick();
    const frames: unknown[] = [];
    const batcher = new Batcher<Msg>({
      post: (f) => frames.push(f),
      schedule: tick.schedule,
    });
    batcher.send(msg(0));
    batcher.send(msg(1));
    tick.run();
    expect(frames).toEqual([
      { ...msg(0), __spindle: 1 },
      { ...msg(1), __spindle: 1 },
    ]);
  });

  it('bounds a batch by count', () => {
    const tick = manualTick();
    const frames: unknown[] = [];
    const batcher = new Batcher<Msg>({
      post: (f) => frames.push(f),
      schedule: tick.schedule,
      limits: { maxCount: 3 },
    });
    for (let i = 0; i < 8; i++) batcher.send(msg(i));
    tick.run();
    const sizes = frames.map((f) => ((f as { batch?: unknown[] }).batch ?? [f]).length);
    expect(sizes).toEqual([1, 3, 3, 1]);
    expect(unpack(frames).messages).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((n) => msg(n)));
  });

  it('bounds a batch by bytes, and a big message goes alone, after what was queued', () => {
    const tick = manualTick();
    const frames: unknown[] = [];
    const batcher = new Batcher<Msg>({
      post: (f) => frames.push(f),
      schedule: tick.schedule,
      limits: { maxBytes: 1000 },
    });
    batcher.send(msg(0));
    batcher.send(msg(1, 400));
    batcher.send(msg(2, 400));
    batcher.send(msg(3, 400)); // would pass 1000 with 1 and 2: they leave first
    batcher.send(msg(4, 1_000_000)); // alone, after 3
    batcher.send(msg(5));
    tick.run();
    const shapes = frames.map((f) => {
      const batch = (f as { batch?: Msg[] }).batch;
      return batch
        ? batch.map((m) => Number.parseInt(m.message, 10))
        : [Number.parseInt((f as Msg).message, 10)];
    });
    expect(shapes).toEqual([[0], [1, 2], [3], [4], [5]]);
    expect((frames[3] as Msg).message).toHaveLength(1_000_000);
    expect(frames[3]).toHaveProperty('__spindle', 1);
  });

  it('close flushes what is queued, then drops later sends', () => {
    const tick = manualTick();
    const frames: unknown[] = [];
    const batcher = new Batcher<Msg>({
      post: (f) => frames.push(f),
      schedule: tick.schedule,
    });
    batcher.send(msg(0));
    batcher.send(msg(1));
    batcher.send(msg(2));
    batcher.close();
    batcher.send(msg(3));
    tick.run();
    expect(unpack(frames).messages).toEqual([0, 1, 2].map((n) => msg(n)));
    batcher.close();
    expect(frames).toHaveLength(2);
  });

  it('a message sent while a flush is posting leaves on the next tick, not behind later ones', () => {
    const tick = manualTick();
    const frames: unknown[] = [];
    let reentered = false;
    const batcher: Batcher<Msg> = new Batcher<Msg>({
      post: (f) => {
        frames.push(f);
        // A post that logs (a dropped message reported through the same channel).
        if ((f as { batch?: unknown }).batch && !reentered) {
          reentered = true;
          batcher.send(msg(9));
        }
      },
      schedule: tick.schedule,
    });
    batcher.send(msg(0));
    batcher.send(msg(1));
    batcher.send(msg(2));
    tick.run(); // flushes [1, 2]; 9 is queued during that post
    expect(batcher.pending).toBe(1);
    tick.run(); // the extra tick takes 9
    expect(batcher.pending).toBe(0);
    batcher.send(msg(3));
    expect(unpack(frames).messages).toEqual([0, 1, 2, 9, 3].map((n) => msg(n)));
  });

  it('refuses a message JSON cannot write, or too large, alone; the others of its tick leave once', () => {
    const tick = manualTick();
    const frames: unknown[] = [];
    const refused: { message: Record<string, unknown>; reason: string }[] = [];
    const batcher = new Batcher<Record<string, unknown>>({
      post: (f) => frames.push(f),
      schedule: tick.schedule,
      limits: { maxMessageBytes: 10_000 },
      onUnwritable: (message, reason) => refused.push({ message, reason }),
    });
    const cyclic: Record<string, unknown> = { type: 'log', n: 'cyclic' };
    cyclic.self = cyclic;
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const sent = [
      { type: 'log', n: 0 },
      { type: 'log', n: 1, big: 1n },
      { type: 'log', n: 2 },
      cyclic,
      { type: 'log', n: 4, deep },
      { type: 'log', n: 5, pad: 'x'.repeat(20_000) },
      { type: 'log', n: 6 },
    ];
    const accepted = sent.map((m) => batcher.send(m));
    tick.run();
    expect(accepted).toEqual([true, false, true, false, false, false, true]);
    const delivered = unpack(frames).messages.map((m) => (m as { n: number }).n);
    expect(delivered).toEqual([0, 2, 6]);
    expect(refused.map((r) => r.message.n)).toEqual([1, 'cyclic', 4, 5]);
    expect(refused[3]?.reason).toContain('larger than the limit of 10000 bytes');
    // Every frame the medium gets can be written.
    for (const f of frames) expect(() => JSON.stringify(f)).not.toThrow();
  });

  it('counts the bytes of JSON it accepted', () => {
    const batcher = new Batcher<Msg>({ post: () => {}, schedule: () => {} });
    batcher.send(msg(0, 10));
    batcher.send(msg(1, 100));
    batcher.send({ type: 'log', level: 'info', message: 1n as unknown as string });
    // As one walk counts them: near the JSON length.
    const expected = JSON.stringify(msg(0, 10)).length + JSON.stringify(msg(1, 100)).length;
    expect(batcher.sentBytes).toBeGreaterThanOrEqual(expected);
    expect(batcher.sentBytes).toBeLessThan(expected + 40);
  });

  it('holds messages to the IPC message limit of @spindle/types by default', () => {
    expect(DEFAULT_BATCH_LIMITS.maxMessageBytes).toBe(MAX_IPC_MESSAGE_BYTES);
  });

  it('flushes on the real setImmediate by default', async () => {
    const frames: unknown[] = [];
    const batcher = new Batcher<Msg>({ post: (f) => frames.push(f) });
    for (let i = 0; i < 4; i++) batcher.send(msg(i));
    expect(frames).toHaveLength(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(unpack(frames).messages).toEqual([0, 1, 2, 3].map((n) => msg(n)));
  });
});

describe('postFrame', () => {
  /** A medium that writes JSON, like Bun IPC or the Worker medium. */
  function jsonMedium() {
    const wire: string[] = [];
    return { wire, post: (frame: unknown) => wire.push(JSON.stringify(frame)) };
  }

  it('posts a writable frame as is', () => {
    const { wire, post } = jsonMedium();
    const unwritable: unknown[] = [];
    postFrame({ __spindle: 1, batch: [msg(0), msg(1)] }, post, (m) => unwritable.push(m));
    expect(wire.map((f) => JSON.parse(f))).toEqual([{ __spindle: 1, batch: [msg(0), msg(1)] }]);
    expect(unwritable).toEqual([]);
  });

  it('splits a batch around a message JSON cannot write; the others leave in order', () => {
    const { wire, post } = jsonMedium();
    const cyclic: Record<string, unknown> = { type: 'send_to_frontend' };
    cyclic.payload = cyclic;
    const big = { type: 'send_to_frontend', payload: { n: 10n } };
    const unwritable: { message: unknown; error: unknown }[] = [];
    postFrame({ __spindle: 1, batch: [msg(0), big, msg(1), cyclic, msg(2)] }, post, (m, e) =>
      unwritable.push({ message: m, error: e }),
    );
    expect(unpack(wire.map((f) => JSON.parse(f))).messages).toEqual([msg(0), msg(1), msg(2)]);
    expect(unwritable.map((u) => (u.message as { type: string }).type)).toEqual([
      'send_to_frontend',
      'send_to_frontend',
    ]);
    expect(unwritable.every((u) => u.error instanceof TypeError)).toBe(true);
  });

  it('reports a lone unwritable message', () => {
    const { wire, post } = jsonMedium();
    const unwritable: unknown[] = [];
    postFrame({ __spindle: 1, type: 'log', message: 1n }, post, (m) => unwritable.push(m));
    expect(wire).toEqual([]);
    expect(unwritable).toHaveLength(1);
  });

  it('a reporter that throws neither stops the split nor escapes', () => {
    const { wire, post } = jsonMedium();
    const frame = {
      __spindle: 1,
      batch: [msg(0), { type: 'log', n: 1n }, msg(1), { type: 'log', n: 2n }, msg(2)],
    };
    expect(() =>
      postFrame(frame, post, () => {
        throw Object.create(null); // not even printable
      }),
    ).not.toThrow();
    expect(unpack(wire.map((f) => JSON.parse(f))).messages).toEqual([msg(0), msg(1), msg(2)]);
  });

  it('swallows a medium that is gone, without reporting writable messages', () => {
    const unwritable: unknown[] = [];
    let calls = 0;
    const gone = () => {
      calls++;
      throw new Error('channel closed');
    };
    postFrame({ __spindle: 1, batch: [msg(0), msg(1)] }, gone, (m) => unwritable.push(m));
    postFrame({ __spindle: 1, ...msg(2) }, gone, (m) => unwritable.push(m));
    expect(unwritable).toEqual([]);
    expect(calls).toBe(4); // the batch, then each member, then the lone message
  });
});

describe('parseFrame', () => {
  it('reads JSON text and refuses anything else with a reason', () => {
    expect(parseFrame('{"__spindle":1,"type":"ready"}')).toEqual({
      ok: true,
      value: { __spindle: 1, type: 'ready' },
    });
    expect(parseFrame({ __spindle: 1 })).toEqual({ ok: false, reason: 'not JSON text (object)' });
    expect(parseFrame(null)).toEqual({ ok: false, reason: 'not JSON text (null)' });
    const broken = parseFrame('{"a":');
    expect(broken.ok).toBe(false);
    expect(broken.ok ? '' : broken.reason).toMatch(/^not JSON text \(/);
  });
});

describe('unbrandEach', () => {
  it('refuses unbranded frames and batches, and non-object batch members', () => {
    const { messages, refused } = unpack([
      { batch: [{ type: 'ready' }] },
      { __spindle: 1, batch: 'nope' },
      { __spindle: 1, batch: [{ type: 'ready' }, 7, null, [1], { type: 'log' }] },
      { __spindle: 2, type: 'ready' },
    ]);
    expect(messages).toEqual([{ type: 'ready' }, { type: 'log' }]);
    expect(refused).toEqual([
      'unbranded message',
      'batch is not an array (string)',
      'batch member is not an object (number)',
      'batch member is not an object (null)',
      'batch member is not an object (array)',
      'unbranded message',
    ]);
  });

  it('hands every batch member on for validation, one by one', () => {
    const verdicts: boolean[] = [];
    unbrandEach(
      {
        __spindle: 1,
        batch: [{ type: 'ready' }, { type: 'nonsense' }, { type: 'shutdown_complete' }],
      },
      (m) => verdicts.push(validateWorkerToHost(m).ok),
      () => {},
    );
    expect(verdicts).toEqual([true, false, true]);
  });
});

describe('host adapters', () => {
  it('IpcChannel batches outbound traffic per tick and unpacks inbound batches', () => {
    const tick = manualTick();
    const refused: string[] = [];
    const channel = new IpcChannel(
      (reason) => refused.push(reason),
      () => {},
      { schedule: tick.schedule },
    );
    const wire: unknown[] = [];
    channel.connect((frame) => wire.push(frame));
    const messages: HostToWorker[] = [0, 1, 2].map((n) => ({
      type: 'frontend_message',
      payload: n,
      userId: 'u',
      frontendSessionId: 's',
    }));
    for (const m of messages) channel.send(m);
    tick.run();
    expect(wire).toEqual([
      { ...messages[0], __spindle: 1 },
      { __spindle: 1, batch: messages.slice(1) },
    ]);

    const received: unknown[] = [];
    channel.onMessage((m) => received.push(m));
    channel.receive({ __spindle: 1, batch: [{ type: 'ready' }, { type: 'log' }] });
    channel.receive({ batch: [{ type: 'ready' }] });
    expect(received).toEqual([{ type: 'ready' }, { type: 'log' }]);
    expect(refused).toEqual(['unbranded message']);
  });

  it('IpcChannel flushes its pending batch on close', () => {
    const tick = manualTick();
    const channel = new IpcChannel(
      () => {},
      () => {},
      { schedule: tick.schedule },
    );
    const wire: unknown[] = [];
    channel.connect((frame) => wire.push(frame));
    channel.send({ type: 'shutdown' });
    channel.send({ type: 'shutdown', reason: 'again' });
    channel.close();
    channel.send({ type: 'shutdown', reason: 'late' });
    tick.run();
    expect(unpack(wire).messages).toEqual([
      { type: 'shutdown' },
      { type: 'shutdown', reason: 'again' },
    ]);
  });

  it('WorkerChannel batches, unpacks, refuses unbranded input and flushes on close', () => {
    const tick = manualTick();
    const posted: unknown[] = [];
    let listener: ((event: MessageEvent) => void) | undefined;
    const worker = {
      postMessage: (data: unknown) => posted.push(data),
      addEventListener: (_type: string, l: (event: MessageEvent) => void) => {
        listener = l;
      },
      removeEventListener: () => {
        listener = undefined;
      },
    } as unknown as Worker;
    const refused: string[] = [];
    const channel = new WorkerChannel(
      worker,
      (reason) => refused.push(reason),
      () => {},
      { schedule: tick.schedule },
    );
    const received: unknown[] = [];
    channel.onMessage((m) => received.push(m));
    const post = (data: unknown) => listener?.({ data } as MessageEvent);
    post(JSON.stringify({ __spindle: 1, batch: [{ type: 'ready' }, { type: 'log' }] }));
    post(JSON.stringify({ type: 'ready' }));
    // The medium carries JSON text: a structured clone, even a branded one, is not ours.
    post({ __spindle: 1, type: 'ready' });
    post('{"__spindle": 1, "type": ');
    expect(received).toEqual([{ type: 'ready' }, { type: 'log' }]);
    expect(refused).toEqual([
      'unbranded message',
      'not JSON text (object)',
      expect.stringMatching(/^not JSON text \(.+\)$/),
    ]);

    channel.send({ type: 'shutdown' });
    channel.send({ type: 'shutdown', reason: 'a' });
    channel.send({ type: 'shutdown', reason: 'b' });
    expect(posted).toHaveLength(1);
    expect(JSON.parse(posted[0] as string)).toEqual({ type: 'shutdown', __spindle: 1 });
    channel.close();
    expect(JSON.parse(posted[1] as string)).toEqual({
      __spindle: 1,
      batch: [
        { type: 'shutdown', reason: 'a' },
        { type: 'shutdown', reason: 'b' },
      ],
    });
    expect(listener).toBeUndefined();
  });
});
