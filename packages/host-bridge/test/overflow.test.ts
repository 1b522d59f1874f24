import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { setup, uplink } from './helpers.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('bounded unacknowledged buffer', () => {
  it('refuses an uplink past maxQueued, reports it through dropped, and accepts again after an ack', () => {
    const { bridge, open, events } = setup({ maxQueued: 3 });
    const socket = open();
    socket.take();
    expect([1, 2, 3].map((n) => bridge.send(uplink(n)))).toEqual([true, true, true]);
    expect(bridge.send(uplink(4))).toBe(false);
    expect(bridge.unacked).toBe(3);
    expect(events.of('dropped')).toEqual([
      { reason: 'queue_full', code: 'QUEUE_FULL', messages: [uplink(4)], maybeDelivered: false },
    ]);
    // The refused message consumed no seq: numbering stays gap-free for the host.
    socket.push({ type: 'ack', seq: 1 });
    expect(bridge.send(uplink(5))).toBe(true);
    expect(socket.take().map((f) => (f as { seq: number }).seq)).toEqual([1, 2, 3, 4]);
    bridge.close();
  });

  it('never holds more than maxQueued across many sends without acks', () => {
    const { bridge, open, events } = setup({ maxQueued: 10 });
    open();
    let accepted = 0;
    for (let n = 0; n < 1000; n += 1) if (bridge.send(uplink(n))) accepted += 1;
    expect(accepted).toBe(10);
    expect(bridge.unacked).toBe(10);
    expect(events.of('dropped')).toHaveLength(990);
    bridge.close();
  });

  it('caps the buffer by bytes with maxQueuedBytes', () => {
    const { bridge, open, events } = setup({ maxQueuedBytes: 200 });
    open();
    const big = { type: 'backend_message' as const, extensionId: 'ext', payload: 'x'.repeat(120) };
    expect(bridge.send(big)).toBe(true);
    expect(bridge.send(big)).toBe(false);
    expect(events.of('dropped')[0]?.reason).toBe('queue_full');
    bridge.close();
  });

  it('adopts the host limit maxUnackedFrames when it is lower', () => {
    const { bridge, open } = setup({ maxQueued: 100 });
    open({
      limits: {
        maxFrameBytes: 1_048_576,
        maxFramesPerSecond: 500,
        maxUnackedFrames: 2,
        resumeGraceMs: 30_000,
      },
    });
    expect([1, 2, 3].map((n) => bridge.send(uplink(n)))).toEqual([true, true, false]);
    bridge.close();
  });

  it('refuses a frame larger than the host limit maxFrameBytes', () => {
    const { bridge, open, events } = setup();
    const socket = open({
      limits: {
        maxFrameBytes: 100,
        maxFramesPerSecond: 500,
        maxUnackedFrames: 1024,
        resumeGraceMs: 30_000,
      },
    });
    socket.take();
    const message = {
      type: 'backend_message' as const,
      extensionId: 'ext',
      payload: 'é'.repeat(40),
    };
    expect(bridge.send(message)).toBe(false);
    expect(events.of('dropped')).toEqual([
      { reason: 'too_large', code: 'FRAME_TOO_LARGE', messages: [message], maybeDelivered: false },
    ]);
    expect(socket.take()).toEqual([]);
    bridge.close();
  });

  it('refuses a payload that is not JSON-serialisable without throwing', () => {
    const { bridge, open, events } = setup();
    open();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(bridge.send({ type: 'backend_message', extensionId: 'ext', payload: cyclic })).toBe(
      false,
    );
    expect(bridge.send({ type: 'backend_message', extensionId: 'ext', payload: 10n })).toBe(false);
    expect(events.of('dropped').map((e) => [e.reason, e.code])).toEqual([
      ['unserializable', 'INVALID_FRAME'],
      ['unserializable', 'INVALID_FRAME'],
    ]);
    expect(bridge.unacked).toBe(0);
    bridge.close();
  });
});
