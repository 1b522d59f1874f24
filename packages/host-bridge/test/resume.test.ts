import { PROTOCOL_VERSION } from '@spindle/types';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { downlink, setup, uplink, welcome } from './helpers.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('resume', () => {
  it('replays exactly the uplinks after welcome.lastClientSeq, once, in order', () => {
    const { bridge, fakes, open, events } = setup();
    const first = open({ frontendSessionId: 's-1' });
    for (let n = 1; n <= 5; n += 1) bridge.send(uplink(n));
    first.push({ type: 'ack', seq: 2 });
    first.push(downlink(1));
    first.push(downlink(2));
    first.drop(1006);
    expect(bridge.connectionState).toBe('reconnecting');
    expect(bridge.state).toBe('connecting');
    expect(() => bridge.send(uplink(99))).toThrow(
      expect.objectContaining({ code: 'NOT_CONNECTED' }),
    );
    vi.runOnlyPendingTimers();
    const second = fakes.last;
    expect(second).not.toBe(first);
    second.accept();
    expect(second.take()).toEqual([
      {
        type: 'hello',
        protocolVersion: PROTOCOL_VERSION,
        token: 'tok',
        resumeSessionId: 's-1',
        lastServerSeq: 2,
      },
    ]);
    // The host processed 1..3 (acked 2), so only 4 and 5 come again.
    second.push(welcome({ frontendSessionId: 's-1', resumed: true, lastClientSeq: 3 }));
    expect(second.take()).toEqual([
      { ...uplink(4), seq: 4 },
      { ...uplink(5), seq: 5 },
    ]);
    expect(bridge.connectionState).toBe('open');
    expect(bridge.unacked).toBe(2);
    // The resume confirmed seq 3, like an ack would have.
    expect(events.of('acked')).toEqual([
      { seq: 2, unacked: 3 },
      { seq: 3, unacked: 2 },
    ]);
    expect(events.of('session_lost')).toEqual([]);
    expect(events.of('dropped')).toEqual([]);
    bridge.send(uplink(6));
    expect(second.take()).toEqual([{ ...uplink(6), seq: 6 }]);
    bridge.close();
  });

  it('a resume emits acked even when an open or welcome handler sends at once', () => {
    const { bridge, fakes, open, events } = setup();
    const first = open({ frontendSessionId: 's-1' });
    for (let n = 1; n <= 6; n += 1) bridge.send(uplink(n));
    first.drop(1006);
    vi.runOnlyPendingTimers();
    const second = fakes.last;
    second.accept();
    second.take();
    // An app (or the SDK flushing its queue) that sends as soon as the bridge is open again.
    bridge.events.on('welcome', () => {
      for (let n = 7; n <= 12; n += 1) bridge.send(uplink(n));
    });
    second.push(welcome({ frontendSessionId: 's-1', resumed: true, lastClientSeq: 4 }));
    expect(events.of('acked')).toEqual([{ seq: 4, unacked: 8 }]);
    bridge.close();
  });

  it('delivers downlinks replayed after a resume only once', () => {
    const { bridge, fakes, open, received } = setup({ ackDelayMs: 1000 });
    const first = open();
    first.push(downlink(1));
    first.push(downlink(2));
    first.push(downlink(3));
    // The connection drops before the ack timer fires: the host has no ack for 1..3.
    first.drop(1006);
    vi.runOnlyPendingTimers();
    const second = fakes.last;
    second.accept();
    expect(second.take()).toEqual([
      expect.objectContaining({ type: 'hello', resumeSessionId: 's-1', lastServerSeq: 3 }),
    ]);
    second.push(welcome({ resumed: true }));
    // A host that replays too much: 2 and 3 again, then the new 4.
    second.push(downlink(2));
    second.push(downlink(3));
    second.push(downlink(4));
    expect(received.map((m) => (m as { payload: number }).payload)).toEqual([1, 2, 3, 4]);
    bridge.close();
  });

  it('keeps frames sent into a closing socket and replays them', () => {
    const { bridge, fakes, open } = setup();
    const first = open();
    first.take();
    first.readyState = 2;
    bridge.send(uplink(1));
    expect(first.take()).toEqual([]);
    first.drop(1001);
    vi.runOnlyPendingTimers();
    fakes.last.accept();
    fakes.last.push(welcome({ resumed: true, lastClientSeq: 0 }));
    expect(fakes.last.frames.slice(1)).toEqual([{ ...uplink(1), seq: 1 }]);
    bridge.close();
  });

  it('never has two sockets: a retry is only scheduled once and stale sockets are ignored', () => {
    const { bridge, fakes, open, received } = setup();
    const first = open();
    first.drop(1006);
    first.drop(1006);
    expect(vi.getTimerCount()).toBe(1);
    vi.runOnlyPendingTimers();
    expect(fakes.sockets).toHaveLength(2);
    first.push(downlink(1));
    first.push(welcome({ resumed: true }));
    expect(received).toEqual([]);
    expect(bridge.connectionState).toBe('reconnecting');
    bridge.close();
  });

  it('reconnect() skips the rest of the backoff delay', () => {
    const { bridge, fakes, open } = setup({ backoff: { initialMs: 5000 } });
    open().drop(1006);
    expect(fakes.sockets).toHaveLength(1);
    bridge.reconnect();
    expect(fakes.sockets).toHaveLength(2);
    bridge.reconnect();
    expect(fakes.sockets).toHaveLength(2);
    bridge.close();
  });
});

describe('the browser online event', () => {
  it('cuts the reconnect delay short, and is no longer listened to after close', () => {
    const target = new EventTarget();
    const { bridge, fakes, open } = setup({ onlineEvents: target, backoff: { initialMs: 5000 } });
    open().drop(1006);
    target.dispatchEvent(new Event('online'));
    expect(fakes.sockets).toHaveLength(2);
    bridge.close();
    target.dispatchEvent(new Event('online'));
    expect(fakes.sockets).toHaveLength(2);
    expect(bridge.connectionState).toBe('closed');
  });

  it('listens on the window by default', () => {
    const { bridge, fakes, open } = setup({ backoff: { initialMs: 5000 } });
    open().drop(1006);
    window.dispatchEvent(new Event('online'));
    expect(fakes.sockets).toHaveLength(2);
    bridge.close();
  });
});
