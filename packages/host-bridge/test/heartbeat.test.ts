import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { downlink, setup } from './helpers.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('ping / pong', () => {
  it('pings every pingIntervalMs while open and reports the round trip', () => {
    const { bridge, open, events } = setup({ pingIntervalMs: 1000, pongTimeoutMs: 500 });
    const socket = open();
    socket.take();
    vi.advanceTimersByTime(999);
    expect(socket.take()).toEqual([]);
    vi.advanceTimersByTime(1);
    const [ping] = socket.take() as { type: string; at: number }[];
    expect(ping?.type).toBe('ping');
    vi.advanceTimersByTime(40);
    socket.push({ type: 'pong', at: ping?.at });
    expect(events.of('pong')).toEqual([{ rttMs: 40 }]);
    vi.advanceTimersByTime(1000);
    expect(socket.take().map((f) => f.type)).toEqual(['ping']);
    bridge.close();
  });

  it('counts any frame as a sign of life', () => {
    const { bridge, open } = setup({ pingIntervalMs: 1000, pongTimeoutMs: 500 });
    const socket = open();
    vi.advanceTimersByTime(1000);
    socket.push(downlink(1));
    vi.advanceTimersByTime(600);
    expect(bridge.connectionState).toBe('open');
    bridge.close();
  });

  it('abandons a socket that stays silent after a ping and resumes on a new one', () => {
    const { bridge, fakes, open, events } = setup({ pingIntervalMs: 1000, pongTimeoutMs: 500 });
    const socket = open();
    vi.advanceTimersByTime(1499);
    expect(bridge.connectionState).toBe('open');
    vi.advanceTimersByTime(1);
    expect(bridge.connectionState).toBe('reconnecting');
    expect(socket.closeCalls).toEqual([{ code: 4101, reason: 'no pong in time' }]);
    expect(events.of('reconnect_scheduled')).toEqual([{ attempt: 1, delayMs: 125 }]);
    vi.advanceTimersByTime(125);
    expect(fakes.sockets).toHaveLength(2);
    // The dead socket's close arrives late and is ignored.
    socket.drop(1006);
    expect(events.of('reconnect_scheduled')).toHaveLength(1);
    fakes.last.accept();
    expect(fakes.last.frames[0]).toMatchObject({ type: 'hello', resumeSessionId: 's-1' });
    bridge.close();
  });

  it('sends no pings with pingIntervalMs: 0', () => {
    const { bridge, open } = setup({ pingIntervalMs: 0 });
    const socket = open();
    socket.take();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(100_000);
    expect(socket.take()).toEqual([]);
    bridge.close();
  });
});
