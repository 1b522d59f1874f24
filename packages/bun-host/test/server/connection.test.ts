/**
 * `WireConnection` deadlines with fake timers: the socket is a recording fake (the real one is
 * covered by the `*.bun.test.ts` files); the hub and the validator are the real ones. Runs
 * under vitest and, unchanged, under `bun test`.
 */
import { PROTOCOL_VERSION, WIRE_CLOSE_CODES } from '@spindle/types';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Authenticate } from '../../src/server/auth.ts';
import { cutUtf8 } from '../../src/server/close-reason.ts';
import { setup } from './fake-wire-socket.ts';

/** Lets the handshake's promise chain run (no timers involved). */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

const hello = (token = 'good') =>
  JSON.stringify({ type: 'hello', protocolVersion: PROTOCOL_VERSION, token });

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('WireConnection deadlines', () => {
  it('closes with HANDSHAKE_TIMEOUT exactly at handshakeTimeoutMs, then terminates if the close stalls', () => {
    const { socket, connection } = setup();
    vi.advanceTimersByTime(4999);
    expect(socket.closes).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(socket.closes).toMatchObject([{ code: WIRE_CLOSE_CODES.HANDSHAKE_TIMEOUT }]);
    expect(connection.state).toBe('closing');
    vi.advanceTimersByTime(1000);
    expect(socket.terminated).toBe(1);
    connection.onClose();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a completed handshake cancels the deadline', async () => {
    const { socket, connection } = setup();
    connection.onMessage(hello());
    await settle();
    expect(connection.state).toBe('open');
    expect(socket.frames[0]).toMatchObject({ type: 'welcome', userId: 'alice' });
    vi.advanceTimersByTime(60_000);
    expect(socket.closes).toEqual([]);
    connection.onClose();
    expect(vi.getTimerCount()).toBe(1); // the hub's resume window, not ours
  });

  it('a congested socket pauses the hub, and a stall of stallTimeoutMs ends it (BACKPRESSURE)', async () => {
    const { socket, hub, connection, settings } = setup();
    connection.onMessage(hello());
    await settle();
    socket.buffered = 600; // above half of maxBufferedBytes
    hub.send('s-1', { type: 'extension_removed', extensionId: 'a' });
    hub.send('s-1', { type: 'extension_removed', extensionId: 'b' });
    expect(socket.frames.filter((f) => f.type === 'extension_removed')).toHaveLength(1);
    vi.advanceTimersByTime(1999);
    expect(socket.terminated).toBe(0);
    vi.advanceTimersByTime(1);
    // A close frame would wait behind what the client left unread: the socket is ended at once.
    expect(socket.terminated).toBe(1);
    expect(socket.closes).toEqual([]);
    expect(settings.counters.backpressureCloses).toBe(1);
    expect(hub.getSession('s-1')?.connected).toBe(false);
    expect(hub.pendingCount('s-1')).toBe(2);
  });

  it('a drain before the stall deadline delivers what waited and cancels the close', async () => {
    const { socket, hub, connection } = setup();
    connection.onMessage(hello());
    await settle();
    socket.buffered = 600;
    hub.send('s-1', { type: 'extension_removed', extensionId: 'a' });
    hub.send('s-1', { type: 'extension_removed', extensionId: 'b' });
    vi.advanceTimersByTime(1500);
    socket.buffered = 0;
    connection.onDrain();
    expect(socket.frames.filter((f) => f.type === 'extension_removed')).toHaveLength(2);
    vi.advanceTimersByTime(5000);
    expect(socket.closes).toEqual([]);
  });

  it('more than maxBufferedBytes ends the socket at once', async () => {
    const { socket, hub, connection, settings } = setup();
    connection.onMessage(hello());
    await settle();
    socket.buffered = 1001;
    hub.send('s-1', { type: 'extension_removed', extensionId: 'a' });
    expect(socket.terminated).toBe(1);
    expect(settings.counters.backpressureCloses).toBe(1);
    expect(connection.state).toBe('closing');
  });

  it('a session that overflows: the close code only after a pong proves the client reads', async () => {
    const { socket, hub, connection } = setup({}, { limits: { maxUnackedFrames: 1 } });
    connection.onMessage(hello());
    await settle();
    hub.send('s-1', { type: 'extension_removed', extensionId: 'a' });
    hub.send('s-1', { type: 'extension_removed', extensionId: 'b' }); // overflow
    expect(socket.frames.at(-1)).toMatchObject({ type: 'error', code: 'QUEUE_FULL' });
    expect(socket.pings).toBe(1);
    expect(socket.closes).toEqual([]);
    vi.advanceTimersByTime(999);
    connection.onPong();
    expect(socket.closes).toMatchObject([{ code: WIRE_CLOSE_CODES.SESSION_OVERFLOW }]);
    expect(socket.terminated).toBe(0);
    connection.onClose();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a session that overflows and never answers the ping: the socket is ended at the close deadline', async () => {
    const { socket, hub, connection } = setup({}, { limits: { maxUnackedFrames: 1 } });
    connection.onMessage(hello());
    await settle();
    hub.send('s-1', { type: 'extension_removed', extensionId: 'a' });
    hub.send('s-1', { type: 'extension_removed', extensionId: 'b' });
    vi.advanceTimersByTime(1000);
    expect(socket.closes).toEqual([]);
    expect(socket.terminated).toBe(1);
    connection.onPong(); // too late: nothing more happens
    expect(socket.closes).toEqual([]);
  });

  it('a failing authenticate closes with 1011 and is reported; a socket gone meanwhile opens nothing', async () => {
    const failing: Authenticate = () => Promise.reject(new Error('auth backend down'));
    const a = setup({ authenticate: failing });
    a.connection.onMessage(hello());
    await settle();
    expect(a.socket.closes).toMatchObject([{ code: 1011 }]);
    expect(a.reported).toHaveLength(1);

    let release: (value: { userId: string }) => void = () => {};
    const slow: Authenticate = () => new Promise((resolve) => (release = resolve));
    const b = setup({ authenticate: slow });
    b.connection.onMessage(hello());
    b.connection.onClose();
    release({ userId: 'alice' });
    await settle();
    expect(b.hub.listSessions()).toEqual([]);
    expect(b.socket.frames).toEqual([]);
  });
});

describe('cutUtf8', () => {
  it('keeps short reasons and cuts long ones to 123 bytes without splitting characters', () => {
    expect(cutUtf8('short')).toBe('short');
    const long = 'é'.repeat(100);
    const cut = cutUtf8(long);
    expect(new TextEncoder().encode(cut).length).toBeLessThanOrEqual(123);
    expect(cut.endsWith('...')).toBe(true);
    expect(cut.replace('...', '')).toMatch(/^é+$/);
  });
});
