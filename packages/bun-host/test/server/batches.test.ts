/**
 * Batches at the server edge (`wire-protocol.ts`, version 2), with fake timers: a client
 * message carrying several frames is taken frame by frame (errors, rate limit and sequencing per
 * frame), acknowledged once, and the replies it causes leave as one message; downlinks of one
 * turn are batched below `maxFrameBytes`; an owed ack rides on the next downlink.
 */
import { PROTOCOL_VERSION, type ServerFrame } from '@spindle/types';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WireConnection } from '../../src/server/connection.ts';
import { FakeSocket, setup } from './fake-wire-socket.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

async function opened(...args: Parameters<typeof setup>) {
  const t = setup(...args);
  const received: unknown[] = [];
  t.hub.events.on('uplink', ({ message }) => received.push(message));
  t.connection.onMessage(
    JSON.stringify({ type: 'hello', protocolVersion: PROTOCOL_VERSION, token: 'good' }),
  );
  for (let i = 0; i < 5; i++) await Promise.resolve();
  expect(t.connection.state).toBe('open');
  t.socket.messages.length = 0;
  t.socket.frames.length = 0;
  return { ...t, received };
}

const mount = (seq: number) => ({ type: 'extension_mounted', extensionId: 'ext_a', seq });
const types = (frames: ServerFrame[]) => frames.map((f) => f.type);

describe('client batches', () => {
  it('takes every frame of a batch, in order, and acknowledges the batch once', async () => {
    const { connection, socket, received } = await opened({}, { ackDelayMs: 0 });
    connection.onMessage(JSON.stringify([mount(1), mount(2), mount(3)]));
    expect(received).toHaveLength(3);
    expect(socket.messages).toEqual([[{ type: 'ack', seq: 3 }]]);
  });

  it('refuses a bad frame inside a batch with its own seq, processes the rest, one message back', async () => {
    const { connection, socket, received, settings } = await opened({}, { ackDelayMs: 0 });
    connection.onMessage(
      JSON.stringify([
        mount(1),
        { type: 'backend_message', extensionId: 42, payload: 1, seq: 2 },
        { type: 'nope', seq: 77 },
        mount(3),
      ]),
    );
    expect(received).toHaveLength(2);
    // Errors and the ack the message caused leave together; seq 2 counts as processed.
    expect(socket.messages).toHaveLength(1);
    expect(socket.messages[0]).toMatchObject([
      { type: 'error', code: 'INVALID_FRAME', seq: 2, frameType: 'backend_message' },
      { type: 'error', code: 'UNKNOWN_TYPE', seq: 77, frameType: 'nope' },
      { type: 'ack', seq: 3 },
    ]);
    expect(settings.counters.framesReceived).toBe(1 + 4);
    expect(settings.counters.framesRejected).toBe(2);
    expect(connection.state).toBe('open');
  });

  it('counts each frame of a batch against the rate limit', async () => {
    const { connection, socket, received, settings } = await opened(
      { limits: { maxFrameBytes: 4096, maxFramesPerSecond: 2 } },
      { ackDelayMs: 0 },
    );
    // Burst 4 tokens, the hello took one: frames 1-3 pass, 4 and 5 are dropped.
    connection.onMessage(JSON.stringify([1, 2, 3, 4, 5].map(mount)));
    expect(received).toHaveLength(3);
    expect(settings.counters.framesDropped).toBe(2);
    expect(types(socket.frames)).toEqual(['error', 'ack']);
    expect(socket.frames[0]).toMatchObject({ code: 'RATE_LIMITED' });
    expect(socket.frames[1]).toEqual({ type: 'ack', seq: 3 });
    // The client re-sends from the gap, as the bridge does once refills allow.
    vi.advanceTimersByTime(1000);
    connection.onMessage(JSON.stringify([mount(4), mount(5)]));
    expect(received).toHaveLength(5);
  });

  it('refuses a whole message that is an empty or oversized batch with one error', async () => {
    const { connection, socket, received } = await opened();
    connection.onMessage('[]');
    const big = JSON.stringify([1, 2, 3].map((n) => ({ ...mount(n), pad: 'x'.repeat(2000) })));
    connection.onMessage(big);
    expect(received).toEqual([]);
    expect(socket.frames).toMatchObject([
      { type: 'error', code: 'INVALID_FRAME' },
      { type: 'error', code: 'FRAME_TOO_LARGE' },
    ]);
    expect(connection.state).toBe('open');
  });
});

describe('delayed acks', () => {
  it('a lone frame waits ackDelayMs for a downlink, and the ack rides in front of it', async () => {
    const { connection, socket, hub } = await opened({}, { ackDelayMs: 5 });
    connection.onMessage(JSON.stringify(mount(1)));
    expect(socket.messages).toEqual([]);
    vi.advanceTimersByTime(2);
    hub.send('s-1', { type: 'backend_message', extensionId: 'ext_a', payload: 'hi' });
    expect(socket.messages).toEqual([
      [
        { type: 'ack', seq: 1 },
        { type: 'backend_message', extensionId: 'ext_a', payload: 'hi', seq: 1 },
      ],
    ]);
    vi.advanceTimersByTime(10);
    expect(socket.messages).toHaveLength(1);
  });

  it('without a downlink the ack goes alone after ackDelayMs; a large batch is acked at once', async () => {
    const { connection, socket } = await opened({}, { ackDelayMs: 5, ackEvery: 3 });
    connection.onMessage(JSON.stringify(mount(1)));
    vi.advanceTimersByTime(4);
    expect(socket.frames).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(socket.frames).toEqual([{ type: 'ack', seq: 1 }]);
    connection.onMessage(JSON.stringify([mount(2), mount(3), mount(4)]));
    expect(socket.frames).toEqual([
      { type: 'ack', seq: 1 },
      { type: 'ack', seq: 4 },
    ]);
  });
});

describe('downlink batches', () => {
  it('replays a resumed session in batches below maxFrameBytes, after a lone welcome', async () => {
    const limits = { maxFrameBytes: 600, maxFramesPerSecond: 100 };
    const { connection, hub, settings } = await opened({ limits, maxBufferedBytes: 1_000_000 });
    connection.onClose();
    const payload = 'y'.repeat(100);
    for (let n = 1; n <= 10; n++) {
      hub.send('s-1', { type: 'backend_message', extensionId: 'e', payload: `${n}${payload}` });
    }
    const socket = new FakeSocket();
    const resumed = new WireConnection(socket, settings);
    resumed.onMessage(
      JSON.stringify({
        type: 'hello',
        protocolVersion: PROTOCOL_VERSION,
        token: 'good',
        resumeSessionId: 's-1',
        lastServerSeq: 0,
      }),
    );
    for (let i = 0; i < 5; i++) await Promise.resolve();
    expect(socket.messages[0]).toMatchObject([{ type: 'welcome', resumed: true }]);
    const replay = socket.messages.slice(1);
    expect(replay.length).toBeGreaterThan(1);
    expect(replay.some((m) => m.length > 1)).toBe(true);
    for (const text of socket.texts.slice(1)) {
      expect(new TextEncoder().encode(text).length).toBeLessThanOrEqual(600);
    }
    expect(replay.flat().map((f) => (f as { seq: number }).seq)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
    ]);
  });
});
