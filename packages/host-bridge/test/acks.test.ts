import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { downlink, extensionInfo, setup, uplink } from './helpers.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('uplink sequencing and acks', () => {
  it('numbers uplinks 1, 2, … and keeps them until the cumulative ack', () => {
    const { bridge, open } = setup();
    const socket = open();
    socket.take();
    expect(bridge.send(uplink(10))).toBe(true);
    expect(bridge.send(uplink(11))).toBe(true);
    expect(bridge.send(uplink(12))).toBe(true);
    expect(socket.take()).toEqual([
      { ...uplink(10), seq: 1 },
      { ...uplink(11), seq: 2 },
      { ...uplink(12), seq: 3 },
    ]);
    expect(bridge.unacked).toBe(3);
    socket.push({ type: 'ack', seq: 2 });
    expect(bridge.unacked).toBe(1);
    socket.push({ type: 'ack', seq: 3 });
    expect(bridge.unacked).toBe(0);
    bridge.close();
  });

  it('emits acked when an ack releases uplinks, not for a repeated or empty ack', () => {
    const { bridge, open, events } = setup();
    const socket = open();
    for (let n = 1; n <= 4; n += 1) bridge.send(uplink(n));
    socket.push({ type: 'ack', seq: 3 });
    socket.push({ type: 'ack', seq: 3 }); // nothing more to release
    socket.push({ type: 'ack', seq: 2 }); // stale
    socket.push({ type: 'ack', seq: 4 });
    socket.push({ type: 'ack', seq: 9 }); // beyond the last sent: an error, not an ack
    expect(events.of('acked')).toEqual([
      { seq: 3, unacked: 1 },
      { seq: 4, unacked: 0 },
    ]);
    bridge.close();
  });

  it('acked lets a producer pace itself on unacked without polling', () => {
    const { bridge, open, events } = setup();
    const socket = open();
    const window = 4;
    let next = 1;
    const produce = () => {
      while (bridge.unacked < window && next <= 10) bridge.send(uplink(next++));
    };
    bridge.events.on('acked', produce);
    produce();
    expect(bridge.unacked).toBe(4);
    for (let seq = 2; seq <= 10; seq += 2) socket.push({ type: 'ack', seq });
    // Every refill happened on an ack; nothing was refused for a full buffer.
    expect(next).toBe(11);
    expect(events.of('dropped')).toEqual([]);
    expect(events.of('acked').at(-1)).toEqual({ seq: 10, unacked: 0 });
    bridge.close();
  });

  it('reports an ack beyond the last frame sent and changes nothing', () => {
    const { bridge, open, events } = setup();
    const socket = open();
    bridge.send(uplink(1));
    socket.push({ type: 'ack', seq: 5 });
    expect(bridge.unacked).toBe(1);
    expect(events.of('error')).toEqual([
      expect.objectContaining({
        source: 'protocol',
        code: 'INVALID_FRAME',
        seq: 5,
        frameType: 'ack',
      }),
    ]);
    expect(bridge.connectionState).toBe('open');
    bridge.close();
  });

  it('reports host error frames with the uplink they refer to; the connection stays up', () => {
    const { bridge, open, events } = setup();
    const socket = open();
    bridge.send(uplink(1));
    bridge.send({ type: 'process_ready', processId: 'p-404' });
    socket.push({
      type: 'error',
      code: 'PROCESS_NOT_FOUND',
      message: 'no p-404',
      seq: 2,
      frameType: 'process_ready',
    });
    socket.push({ type: 'ack', seq: 2 });
    expect(events.of('error')).toEqual([
      {
        source: 'host',
        code: 'PROCESS_NOT_FOUND',
        message: 'no p-404',
        seq: 2,
        frameType: 'process_ready',
        uplink: { type: 'process_ready', processId: 'p-404' },
      },
    ]);
    expect(bridge.connectionState).toBe('open');
    expect(bridge.unacked).toBe(0);
    bridge.close();
  });
});

describe('downlink delivery and acks', () => {
  it('delivers in order without seq and acks once after ackDelayMs', () => {
    const { bridge, open, received } = setup({ ackDelayMs: 50 });
    const socket = open();
    socket.take();
    socket.push(downlink(1, 'a'));
    socket.push(downlink(2, 'b'));
    socket.push(downlink(3, 'c'));
    expect(received).toEqual([
      { type: 'backend_message', extensionId: 'ext', payload: 'a' },
      { type: 'backend_message', extensionId: 'ext', payload: 'b' },
      { type: 'backend_message', extensionId: 'ext', payload: 'c' },
    ]);
    vi.advanceTimersByTime(49);
    expect(socket.take()).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(socket.take()).toEqual([{ type: 'ack', seq: 3 }]);
    vi.advanceTimersByTime(1000);
    expect(socket.take()).toEqual([]);
    bridge.close();
  });

  it('acks at once every ackEvery frames', () => {
    const { bridge, open } = setup({ ackEvery: 2, ackDelayMs: 1000 });
    const socket = open();
    socket.take();
    socket.push(downlink(1));
    expect(socket.take()).toEqual([]);
    socket.push(downlink(2));
    expect(socket.take()).toEqual([{ type: 'ack', seq: 2 }]);
    socket.push(downlink(3));
    socket.push(downlink(4));
    socket.push(downlink(5));
    expect(socket.take()).toEqual([{ type: 'ack', seq: 4 }]);
    vi.advanceTimersByTime(1000);
    expect(socket.take()).toEqual([{ type: 'ack', seq: 5 }]);
    bridge.close();
  });

  it('drops a duplicate seq, delivering each frame once, and acks again', () => {
    const { bridge, open, received } = setup({ ackDelayMs: 10 });
    const socket = open();
    socket.take();
    socket.push(downlink(1));
    socket.push(downlink(2));
    vi.advanceTimersByTime(10);
    expect(socket.take()).toEqual([{ type: 'ack', seq: 2 }]);
    socket.push(downlink(1));
    socket.push(downlink(2));
    expect(received).toHaveLength(2);
    vi.advanceTimersByTime(10);
    expect(socket.take()).toEqual([{ type: 'ack', seq: 2 }]);
    bridge.close();
  });

  it('reports a gap, then delivers the frame', () => {
    const { bridge, open, received, events } = setup();
    const socket = open();
    socket.push(downlink(1));
    socket.push(downlink(3));
    expect(received).toHaveLength(2);
    expect(events.of('error')).toEqual([
      expect.objectContaining({ source: 'protocol', code: 'INVALID_FRAME', seq: 3 }),
    ]);
    socket.push(downlink(2));
    expect(received).toHaveLength(2);
    bridge.close();
  });

  it('isolates a throwing message handler from the others and from the socket', () => {
    const { bridge, open, received, events } = setup();
    bridge.onMessage(() => {
      throw new Error('app bug');
    });
    const late: unknown[] = [];
    const off = bridge.onMessage((message) => late.push(message));
    const socket = open();
    socket.push(downlink(1));
    off();
    socket.push(downlink(2));
    expect(received).toHaveLength(2);
    expect(late).toHaveLength(1);
    expect(events.of('error').map((e) => [e.source, e.seq])).toEqual([
      ['handler', 1],
      ['handler', 2],
    ]);
    bridge.close();
  });

  it('keeps bridge.extensions current and emits extension events', () => {
    const { bridge, open, events, received } = setup();
    const info = extensionInfo;
    const socket = open({ extensions: [info('a', 'running'), info('b', 'running')] });
    socket.push({ type: 'extension_state', extension: info('b', 'failed'), seq: 1 });
    socket.push({ type: 'extension_state', extension: info('c', 'running'), seq: 2 });
    socket.push({ type: 'extension_removed', extensionId: 'a', seq: 3 });
    expect(bridge.extensions).toEqual([info('b', 'failed'), info('c', 'running')]);
    expect(events.of('extension_state').map((e) => e.identifier)).toEqual(['b', 'c']);
    expect(events.of('extension_removed')).toEqual([{ extensionId: 'a' }]);
    expect(received).toHaveLength(3);
    bridge.close();
  });
});
