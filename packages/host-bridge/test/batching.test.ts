/**
 * Batches (`wire-protocol.ts`, version 2): uplinks sent in one turn leave as one WebSocket
 * message, split below `maxFrameBytes`; an owed downlink ack rides along; a batch from the host
 * is taken frame by frame, a bad frame in it reported on its own.
 */
import { DEFAULT_WIRE_LIMITS, MAX_BATCH_FRAMES } from '@spindle/types';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BATCHES_PER_WINDOW, batchFrameCap } from '../src/index.ts';
import { downlink, setup, uplink } from './helpers.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const seqOf = (frame: object) => (frame as { seq: number }).seq;

describe('uplink batches', () => {
  it('sends the first uplink of a turn at once and the rest of the turn as one batch', () => {
    const { bridge, open, fakes } = setup();
    const socket = open();
    socket.take();
    for (let n = 1; n <= 5; n += 1) bridge.send(uplink(n));
    // Before the turn ends, only the first uplink is on the wire.
    expect(socket.sent.map((text) => JSON.parse(text))).toEqual([{ ...uplink(1), seq: 1 }]);
    fakes.endTurn();
    const messages = socket.takeMessages();
    expect(messages.map((m) => m.map(seqOf))).toEqual([[1], [2, 3, 4, 5]]);
    expect(messages[1]?.[0]).toEqual({ ...uplink(2), seq: 2 });
    // The next turn starts quiet again.
    bridge.send(uplink(6));
    expect(socket.sent).toHaveLength(1);
    bridge.close();
  });

  it('splits a turn into batches that stay under the host maxFrameBytes', () => {
    const { bridge, open } = setup();
    const maxFrameBytes = 400;
    const socket = open({ limits: { ...DEFAULT_WIRE_LIMITS, maxFrameBytes } });
    socket.take();
    const payload = 'x'.repeat(100);
    for (let n = 1; n <= 9; n += 1) {
      expect(bridge.send({ type: 'backend_message', extensionId: 'ext', payload })).toBe(true);
    }
    socket.endTurn();
    const raw = [...socket.sent];
    const messages = socket.takeMessages();
    for (const text of raw) expect(new TextEncoder().encode(text).length).toBeLessThanOrEqual(400);
    expect(messages.length).toBeGreaterThan(2);
    expect(messages.flat().map(seqOf)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    bridge.close();
  });

  it('spreads a full window over several messages, so acks can come back while it travels', () => {
    const { bridge, open } = setup();
    const socket = open();
    socket.take();
    const cap = batchFrameCap(DEFAULT_WIRE_LIMITS);
    expect(cap).toBe(DEFAULT_WIRE_LIMITS.maxUnackedFrames / BATCHES_PER_WINDOW);
    const count = DEFAULT_WIRE_LIMITS.maxUnackedFrames / 2;
    for (let n = 1; n <= count; n += 1) expect(bridge.send(uplink(n))).toBe(true);
    const messages = socket.takeMessages();
    // The first leaves at once; the rest of the turn in messages of at most `cap` frames.
    expect(messages.map((m) => m.length)).toEqual([1, cap, cap, cap, count - 1 - 3 * cap]);
    expect(messages.flat().map(seqOf)).toEqual(Array.from({ length: count }, (_, i) => i + 1));
    bridge.close();
  });

  it('derives the cap from the host window, within 1 and MAX_BATCH_FRAMES', () => {
    expect(batchFrameCap({ maxUnackedFrames: 64 })).toBe(8);
    expect(batchFrameCap({ maxUnackedFrames: 4 })).toBe(1);
    expect(batchFrameCap({ maxUnackedFrames: 1 })).toBe(1);
    expect(batchFrameCap({ maxUnackedFrames: 1_000_000 })).toBe(MAX_BATCH_FRAMES);
    const { bridge, open } = setup();
    const socket = open({ limits: { ...DEFAULT_WIRE_LIMITS, maxUnackedFrames: 64 } });
    socket.take();
    for (let n = 1; n <= 20; n += 1) expect(bridge.send(uplink(n))).toBe(true);
    expect(socket.takeMessages().map((m) => m.length)).toEqual([1, 8, 8, 3]);
    bridge.close();
  });

  it('lets an owed downlink ack ride in the next batch instead of its own message', () => {
    const { bridge, open, received } = setup({ ackDelayMs: 50, ackEvery: 32 });
    const socket = open();
    socket.take();
    socket.push(downlink(1));
    socket.push(downlink(2));
    expect(received).toHaveLength(2);
    bridge.send(uplink(1));
    expect(socket.takeMessages()).toEqual([
      [
        { type: 'ack', seq: 2 },
        { ...uplink(1), seq: 1 },
      ],
    ]);
    // The ack went along: its timer is off, and nothing follows it.
    vi.advanceTimersByTime(50);
    expect(socket.take()).toEqual([]);
    bridge.close();
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('downlink batches', () => {
  it('delivers the frames of a host batch in order, acks and all', () => {
    const { bridge, open, received } = setup();
    const socket = open();
    socket.take();
    bridge.send(uplink(1));
    socket.take();
    socket.push([downlink(1), { type: 'ack', seq: 1 }, downlink(2), downlink(3)]);
    expect(received.map((m) => (m as { payload: number }).payload)).toEqual([1, 2, 3]);
    expect(bridge.unacked).toBe(0);
    bridge.close();
  });

  it('reports a bad frame inside a batch on its own and processes the rest; its seq counts', () => {
    const { bridge, open, received, events } = setup({ ackDelayMs: 10 });
    const socket = open();
    socket.take();
    socket.push([
      downlink(1),
      { type: 'process_stop', processId: 'p-1', force: 'yes', seq: 2 },
      downlink(3),
    ]);
    expect(received.map((m) => (m as { payload: number }).payload)).toEqual([1, 3]);
    expect(events.of('error')).toEqual([
      expect.objectContaining({ source: 'frame', code: 'INVALID_FRAME', seq: 2 }),
    ]);
    vi.advanceTimersByTime(10);
    expect(socket.take()).toEqual([{ type: 'ack', seq: 3 }]);
    expect(bridge.connectionState).toBe('open');
    bridge.close();
  });

  it('reports an unreadable batch once and stays open', () => {
    const { bridge, open, received, events } = setup();
    const socket = open();
    socket.push('[]');
    socket.push('[{"type":');
    expect(received).toEqual([]);
    expect(events.of('error').map((e) => e.code)).toEqual(['INVALID_FRAME', 'INVALID_JSON']);
    expect(bridge.connectionState).toBe('open');
    bridge.close();
  });
});
