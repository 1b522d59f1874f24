/**
 * The hub's delayed, cumulative acks (`uplink-acks.ts`) with fake timers: one ack per received
 * message, an owed ack riding on the next downlink, and exactly-once delivery when a connection
 * drops while an ack is still owed.
 */
import type { ClientFrame, FrontendUplink } from '@spindle/types';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { connect, makeHub } from './harness.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const mount = (seq: number): ClientFrame => ({
  type: 'extension_mounted',
  extensionId: 'ext_a',
  seq,
});
const message = (seq: number): ClientFrame => ({
  type: 'backend_message',
  extensionId: 'ext_a',
  payload: seq,
  seq,
});

describe('delayed acks', () => {
  it('acknowledges the frames of one message with one ack, after ackDelayMs', () => {
    const hub = makeHub({ ackDelayMs: 20, ackEvery: 64 });
    const c = connect(hub);
    c.connection.message(() => {
      for (const frame of [mount(1), message(2), message(3)]) c.connection.receive(frame);
    });
    expect(c.ofType('ack')).toEqual([]);
    vi.advanceTimersByTime(19);
    expect(c.ofType('ack')).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(c.ofType('ack')).toEqual([{ type: 'ack', seq: 3 }]);
    hub.closeAll();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('acknowledges at once a message of ackEvery frames or more', () => {
    const hub = makeHub({ ackDelayMs: 20, ackEvery: 2 });
    const c = connect(hub);
    c.connection.message(() => {
      c.connection.receive(mount(1));
      c.connection.receive(message(2));
    });
    expect(c.ofType('ack')).toEqual([{ type: 'ack', seq: 2 }]);
  });

  it('puts an owed ack in front of the next downlink instead of its own timer', () => {
    const hub = makeHub({ ackDelayMs: 20 });
    const c = connect(hub);
    c.send(mount(1));
    c.send(message(2));
    c.frames.length = 0;
    hub.send(c.sessionId, { type: 'backend_message', extensionId: 'ext_a', payload: 'reply' });
    expect(c.frames).toEqual([
      { type: 'ack', seq: 2 },
      { type: 'backend_message', extensionId: 'ext_a', payload: 'reply', seq: 1 },
    ]);
    vi.advanceTimersByTime(100);
    expect(c.ofType('ack')).toHaveLength(1);
  });

  it('a drop while an ack is owed loses nothing and doubles nothing: the resume says where to go on', () => {
    const hub = makeHub({ ackDelayMs: 50 });
    const uplinks: FrontendUplink[] = [];
    hub.events.on('uplink', ({ message: m }) => uplinks.push(m));
    const first = connect(hub);
    first.send(mount(1));
    first.send(message(2));
    first.send(message(3));
    expect(first.ofType('ack')).toEqual([]);
    // The socket goes before the ack timer fires: the client still holds 1-3 as unacked.
    first.connection.detach();
    vi.advanceTimersByTime(100);
    expect(first.ofType('ack')).toEqual([]);
    const second = connect(hub, { resumeSessionId: first.sessionId, lastServerSeq: 0 });
    const welcome = second.ofType('welcome')[0];
    expect(welcome).toMatchObject({ resumed: true, lastClientSeq: 3 });
    // A bridge replays only what comes after lastClientSeq; a careless one replays it all.
    second.connection.message(() => {
      for (const frame of [mount(1), message(2), message(3), message(4)]) {
        second.connection.receive(frame);
      }
    });
    vi.advanceTimersByTime(50);
    expect(uplinks.map((u) => u.type === 'backend_message' && u.payload)).toEqual([false, 2, 3, 4]);
    expect(second.ofType('ack')).toEqual([{ type: 'ack', seq: 4 }]);
  });
});
