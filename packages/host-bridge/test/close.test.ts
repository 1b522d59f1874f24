import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { downlink, setup, uplink } from './helpers.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('close()', () => {
  it('clears every timer while open with a pending ack and a ping armed', () => {
    const { bridge, open } = setup({ pingIntervalMs: 1000, ackDelayMs: 500 });
    const socket = open();
    socket.push(downlink(1));
    expect(vi.getTimerCount()).toBe(2);
    bridge.close();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('clears every timer while waiting for a pong', () => {
    const { bridge, open } = setup({ pingIntervalMs: 1000 });
    open();
    vi.advanceTimersByTime(1000);
    expect(vi.getTimerCount()).toBe(1);
    bridge.close();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('clears every timer while connecting and while waiting to reconnect', () => {
    const a = setup();
    expect(vi.getTimerCount()).toBe(1);
    a.bridge.close();
    expect(vi.getTimerCount()).toBe(0);
    const b = setup();
    b.open().drop(1006);
    expect(vi.getTimerCount()).toBe(1);
    b.bridge.close();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(60_000);
    expect(b.fakes.sockets).toHaveLength(1);
  });

  it('flushes the pending ack, closes the socket, and reports unacked uplinks', () => {
    const { bridge, open, events } = setup({ ackDelayMs: 500 });
    const socket = open();
    socket.take();
    bridge.send(uplink(1));
    socket.push(downlink(1));
    socket.take();
    bridge.close();
    expect(socket.take()).toEqual([{ type: 'ack', seq: 1 }]);
    expect(socket.closeCalls).toEqual([{ code: 1000, reason: 'closed by client' }]);
    expect(events.of('dropped')).toEqual([
      { reason: 'closed', code: 'HOST_CLOSING', messages: [uplink(1)], maybeDelivered: true },
    ]);
    expect(bridge.connectionState).toBe('closed');
    expect(bridge.state).toBe('closed');
  });

  it('is idempotent and ignores everything the old socket does afterwards', () => {
    const { bridge, open, events, received } = setup();
    const states: string[] = [];
    bridge.onStateChange((s) => states.push(s));
    const socket = open();
    bridge.close();
    bridge.close();
    socket.push(downlink(1));
    socket.drop(1006);
    expect(received).toEqual([]);
    expect(states).toEqual(['open', 'closed']);
    expect(events.of('state').map((e) => e.state)).toEqual(['open', 'closed']);
    expect(() => bridge.send(uplink(1))).toThrow(
      expect.objectContaining({ code: 'NOT_CONNECTED' }),
    );
    expect(vi.getTimerCount()).toBe(0);
  });

  it('can be called from inside a message handler', () => {
    const { bridge, open } = setup({ ackDelayMs: 100 });
    bridge.onMessage(() => bridge.close());
    const socket = open();
    socket.push(downlink(1));
    expect(bridge.connectionState).toBe('closed');
    expect(vi.getTimerCount()).toBe(0);
  });
});
