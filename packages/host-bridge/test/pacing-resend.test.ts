import { DEFAULT_WIRE_LIMITS } from '@spindle/types';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { setup, uplink } from './helpers.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const seqs = (frames: { type: string }[]) =>
  frames
    .filter((f) => f.type === 'backend_message')
    .map((f) => (f as unknown as { seq: number }).seq);

describe('pacing below the host rate limit', () => {
  it('writes a burst up to the host rate, then at 90 % of it, without dropping anything', () => {
    const { bridge, open, events } = setup();
    const socket = open({ limits: { ...DEFAULT_WIRE_LIMITS, maxFramesPerSecond: 10 } });
    socket.take();
    for (let n = 1; n <= 25; n += 1) expect(bridge.send(uplink(n))).toBe(true);
    expect(seqs(socket.take())).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    vi.advanceTimersByTime(1000);
    expect(seqs(socket.take())).toEqual([11, 12, 13, 14, 15, 16, 17, 18, 19]);
    vi.advanceTimersByTime(1000);
    expect(seqs(socket.take())).toEqual([20, 21, 22, 23, 24, 25]);
    expect(bridge.unacked).toBe(25);
    expect(events.of('dropped')).toEqual([]);
    bridge.close();
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('re-sending what the host did not get', () => {
  it('re-sends from the oldest unacked frame once on a gap report, ignoring stale reports', () => {
    const { bridge, open } = setup();
    const socket = open();
    socket.take();
    for (let n = 1; n <= 4; n += 1) bridge.send(uplink(n));
    socket.take();
    // The host processed 1, lost 2, and reports 3 and 4 as gaps.
    socket.push({ type: 'ack', seq: 1 });
    socket.push({
      type: 'error',
      code: 'INVALID_FRAME',
      message: 'gap',
      seq: 3,
      frameType: 'backend_message',
    });
    socket.push({
      type: 'error',
      code: 'INVALID_FRAME',
      message: 'gap',
      seq: 4,
      frameType: 'backend_message',
    });
    expect(seqs(socket.take())).toEqual([2, 3, 4]);
    bridge.send(uplink(5));
    expect(seqs(socket.take())).toEqual([5]);
    bridge.close();
  });

  it('re-sends everything unacknowledged when no ack comes for resendAfterMs', () => {
    const { bridge, open } = setup({ resendAfterMs: 3000 });
    const socket = open();
    socket.take();
    bridge.send(uplink(1));
    bridge.send(uplink(2));
    socket.take();
    vi.advanceTimersByTime(2000);
    socket.push({ type: 'ack', seq: 1 });
    vi.advanceTimersByTime(2999);
    expect(socket.take()).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(seqs(socket.take())).toEqual([2]);
    socket.push({ type: 'ack', seq: 2 });
    vi.advanceTimersByTime(60_000);
    expect(socket.take()).toEqual([]);
    bridge.close();
  });

  it('leaves validation to the host: a frame it refuses comes back as an error naming the uplink', () => {
    const { bridge, open, events } = setup();
    const socket = open();
    socket.take();
    const bad = { type: 'process_ended', processId: 'p-1', outcome: 'exploded' } as never;
    expect(bridge.send(bad)).toBe(true);
    bridge.send(uplink(2));
    expect(socket.take()).toEqual([
      { ...(bad as object), seq: 1 },
      { ...uplink(2), seq: 2 },
    ]);
    socket.push({
      type: 'error',
      code: 'INVALID_FRAME',
      message: 'client frame "process_ended": outcome is invalid',
      seq: 1,
      frameType: 'process_ended',
    });
    expect(events.of('error')).toEqual([
      expect.objectContaining({ source: 'host', code: 'INVALID_FRAME', seq: 1, uplink: bad }),
    ]);
    // The refused frame counts as processed: the cumulative ack covers it, nothing is re-sent.
    socket.push({ type: 'ack', seq: 2 });
    vi.advanceTimersByTime(60_000);
    expect(socket.take()).toEqual([]);
    expect(bridge.unacked).toBe(0);
    expect(events.of('dropped')).toEqual([]);
    bridge.close();
  });
});
