import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { downlink, setup } from './helpers.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('malformed server frames', () => {
  it('reports each through error and ignores it; the bridge stays open', () => {
    const { bridge, open, events, received } = setup();
    const socket = open();
    const bad: (string | object)[] = [
      'not json',
      '{"type":',
      '[]',
      '42',
      { type: 'nope', seq: 1 },
      { payload: 1 },
      { type: 'backend_message', extensionId: 'ext', payload: 1 },
      { type: 'backend_message', extensionId: 'ext', payload: 1, seq: -3 },
      { type: 'ack', seq: 'one' },
      { type: 'error', code: 'NOT_A_CODE', message: 'x' },
    ];
    for (const frame of bad) expect(() => socket.push(frame)).not.toThrow();
    expect(received).toEqual([]);
    const errors = events.of('error');
    expect(errors).toHaveLength(bad.length);
    expect(errors.every((e) => e.source === 'frame')).toBe(true);
    expect(errors.slice(0, 2).map((e) => e.code)).toEqual(['INVALID_JSON', 'INVALID_JSON']);
    expect(errors[4]).toMatchObject({ code: 'UNKNOWN_TYPE', seq: 1 });
    expect(bridge.connectionState).toBe('open');
    // The refused `nope` frame carried seq 1, which therefore counts as processed.
    socket.push(downlink(1));
    socket.push(downlink(2));
    expect(received).toEqual([{ type: 'backend_message', extensionId: 'ext', payload: 2 }]);
    bridge.close();
  });

  it('counts a refused frame that is next in sequence as processed, so the ack covers it', () => {
    const { bridge, open, received } = setup({ ackDelayMs: 10 });
    const socket = open();
    socket.take();
    socket.push(downlink(1));
    socket.push({ type: 'process_stop', processId: 'p-1', force: 'yes', seq: 2 });
    socket.push(downlink(3));
    expect(received).toHaveLength(2);
    vi.advanceTimersByTime(10);
    expect(socket.take()).toEqual([{ type: 'ack', seq: 3 }]);
    bridge.close();
  });

  it('does not let a refused frame with a far-off seq move the counter', () => {
    const { bridge, open, received } = setup();
    const socket = open();
    socket.push({ type: 'process_stop', processId: 'p-1', force: 'yes', seq: 1_000_000 });
    socket.push(downlink(1));
    expect(received).toHaveLength(1);
    bridge.close();
  });

  it('accepts binary frames of UTF-8 JSON', () => {
    const { bridge, open, received } = setup();
    const socket = open();
    socket.push(new TextEncoder().encode(JSON.stringify(downlink(1))).buffer as ArrayBuffer);
    expect(received).toHaveLength(1);
    bridge.close();
  });

  it('isolates throwing event handlers', () => {
    const { bridge, open, events } = setup();
    bridge.events.on('welcome', () => {
      throw new Error('ui bug');
    });
    bridge.onStateChange(() => {
      throw new Error('sdk bug');
    });
    open();
    expect(bridge.connectionState).toBe('open');
    expect(events.of('error').map((e) => [e.source, e.message])).toEqual([
      ['handler', 'a state handler threw'],
      ['handler', 'a welcome event handler threw'],
    ]);
    bridge.close();
  });
});
