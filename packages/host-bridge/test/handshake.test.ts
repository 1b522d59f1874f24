import { PROTOCOL_VERSION, SpindleError } from '@spindle/types';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { connectHostBridge } from '../src/index.ts';
import { fakeSockets } from './fake-websocket.ts';
import { extensionInfo, setup, uplink, welcome } from './helpers.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('handshake', () => {
  it('sends hello with the protocol version and token as the first frame once the socket opens', () => {
    const { fakes, bridge } = setup();
    expect(fakes.sockets).toHaveLength(1);
    expect(fakes.last.url).toBe('ws://host.test/spindle');
    expect(fakes.last.sent).toEqual([]);
    fakes.last.accept();
    expect(fakes.last.frames).toEqual([
      { type: 'hello', protocolVersion: PROTOCOL_VERSION, token: 'tok' },
    ]);
    expect(bridge.connectionState).toBe('connecting');
    expect(bridge.state).toBe('connecting');
    bridge.close();
  });

  it('becomes open on welcome and exposes the session', () => {
    const { bridge, open, events } = setup();
    const states: string[] = [];
    bridge.onStateChange((state) => states.push(state));
    const extension = extensionInfo('demo');
    open({ frontendSessionId: 's-9', userId: 'alice', isAdmin: true, extensions: [extension] });
    expect(bridge.connectionState).toBe('open');
    expect(bridge.state).toBe('open');
    expect(states).toEqual(['open']);
    expect(bridge.sessionId).toBe('s-9');
    expect(bridge.userId).toBe('alice');
    expect(bridge.isAdmin).toBe(true);
    expect(bridge.extensions).toEqual([extension]);
    expect(events.of('welcome')).toHaveLength(1);
    expect(events.of('state').map((e) => e.state)).toEqual(['open']);
    bridge.close();
  });

  it('calls a token function on every connection attempt', () => {
    let n = 0;
    const { fakes, bridge } = setup({ token: () => `t${++n}` });
    fakes.last.accept();
    fakes.last.drop(1006);
    vi.runOnlyPendingTimers();
    fakes.last.accept();
    expect(fakes.sockets.map((s) => (s.frames[0] as { token: string }).token)).toEqual([
      't1',
      't2',
    ]);
    bridge.close();
  });

  it('refuses send before welcome with NOT_CONNECTED and keeps nothing', () => {
    const { fakes, bridge } = setup();
    fakes.last.accept();
    expect(() => bridge.send(uplink(1))).toThrow(SpindleError);
    try {
      bridge.send(uplink(1));
    } catch (error) {
      expect((error as SpindleError).code).toBe('NOT_CONNECTED');
      expect((error as Error).message).toMatch(/connecting/);
    }
    expect(bridge.unacked).toBe(0);
    fakes.last.push(welcome());
    expect(fakes.last.frames.filter((f) => f.type !== 'hello')).toEqual([]);
    bridge.close();
  });

  it('ignores sequenced frames and acks before welcome, reporting them', () => {
    const { fakes, bridge, events, received } = setup();
    fakes.last.accept();
    fakes.last.push({ type: 'backend_message', extensionId: 'x', payload: 1, seq: 1 });
    fakes.last.push({ type: 'ack', seq: 1 });
    expect(received).toEqual([]);
    expect(events.of('error').map((e) => e.code)).toEqual([
      'HANDSHAKE_REQUIRED',
      'HANDSHAKE_REQUIRED',
    ]);
    bridge.close();
  });

  it('abandons an attempt without welcome after handshakeTimeoutMs and retries', () => {
    const { fakes, bridge, events } = setup({ handshakeTimeoutMs: 1000 });
    fakes.last.accept();
    vi.advanceTimersByTime(999);
    expect(fakes.sockets).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(fakes.sockets[0]?.closeCalls).toEqual([{ code: 4100, reason: 'no welcome in time' }]);
    expect(bridge.connectionState).toBe('reconnecting');
    expect(events.of('reconnect_scheduled')).toHaveLength(1);
    vi.runOnlyPendingTimers();
    expect(fakes.sockets).toHaveLength(2);
    // The abandoned socket's late close changes nothing.
    fakes.sockets[0]?.drop(4001);
    expect(bridge.connectionState).toBe('reconnecting');
    bridge.close();
  });

  it('fails with a readable reason when welcome carries another protocol version', () => {
    const { fakes, bridge, open } = setup();
    open({ protocolVersion: PROTOCOL_VERSION + 1 });
    expect(bridge.connectionState).toBe('failed');
    expect(bridge.state).toBe('closed');
    expect(bridge.failure?.code).toBe('PROTOCOL_VERSION_MISMATCH');
    expect(bridge.failure?.message).toMatch(/reload the page/);
    vi.advanceTimersByTime(60_000);
    expect(fakes.sockets).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects bad options with INVALID_OPTIONS before connecting', () => {
    const fakes = fakeSockets();
    const base = { url: 'ws://h/', token: 't', WebSocket: fakes.WebSocket };
    for (const bad of [
      { ...base, url: 'ftp://h/' },
      { ...base, url: 'ws://[bad' },
      { ...base, token: 3 as unknown as string },
      { ...base, maxQueued: 0 },
      { ...base, backoff: { initialMs: -1 } },
      { ...base, backoff: { initialMs: 500, maxMs: 100 } },
      { ...base, backoff: { jitter: 'some' as 'full' } },
    ]) {
      expect(() => connectHostBridge(bad)).toThrow(
        expect.objectContaining({ code: 'INVALID_OPTIONS' }),
      );
    }
    expect(fakes.sockets).toHaveLength(0);
  });

  it('resolves relative and http URLs to ws URLs', () => {
    const fakes = fakeSockets();
    const a = connectHostBridge({
      url: 'https://h.test/ws',
      token: 't',
      WebSocket: fakes.WebSocket,
    });
    const b = connectHostBridge({ url: '/spindle/ws', token: 't', WebSocket: fakes.WebSocket });
    expect(fakes.sockets[0]?.url).toBe('wss://h.test/ws');
    expect(fakes.sockets[1]?.url).toMatch(/^wss?:\/\/[^/]+\/spindle\/ws$/);
    a.close();
    b.close();
  });
});
