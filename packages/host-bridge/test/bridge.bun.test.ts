/**
 * The bridge under Bun against the real host server (`createHostServer` + `FrontendHub`) over
 * real loopback sockets: handshake, exactly-once delivery across a forced drop and resume,
 * a refused token, and a session that expired while the tab was away.
 */
import { afterEach, describe, expect, test } from 'bun:test';
import type { FrontendDownlink, FrontendUplink } from '@spindle/types';
import { FrontendHub } from '../../bun-host/src/frontend/hub.ts';
import { createTokenAuthenticator } from '../../bun-host/src/server/auth.ts';
import { createHostServer } from '../../bun-host/src/server/server.ts';
import type { HostBridgeOptions, WebSocketConstructor } from '../src/index.ts';
import { connectHostBridge } from '../src/index.ts';
import { extensionInfo, recordEvents } from './helpers.ts';

type HostServer = ReturnType<typeof createHostServer>;

const TOKEN = 'alice-token-0123456789';

interface Fixture {
  hub: FrontendHub;
  server: HostServer;
}

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function startHost(resumeGraceMs = 30_000, maxFramesPerSecond = 500): Fixture {
  const extensions = [extensionInfo('ext_a')];
  const hub = new FrontendHub({
    limits: { resumeGraceMs, maxFramesPerSecond },
    reportError: () => {},
  });
  const server = createHostServer({
    hub,
    limits: { maxFramesPerSecond },
    authenticate: createTokenAuthenticator({ tokens: { [TOKEN]: { userId: 'alice' } } }),
    getExtensions: () => extensions,
    resolveBundle: () => null,
    reportError: () => {},
  });
  cleanups.push(() => server.stop());
  return { hub, server };
}

/** Bun's WebSocket, with every socket the bridge opens kept so a test can cut one. */
function recordingWebSocket() {
  const sockets: WebSocket[] = [];
  class Recording extends WebSocket {
    constructor(url: string) {
      super(url);
      sockets.push(this);
    }
  }
  return { WebSocket: Recording as unknown as WebSocketConstructor, sockets };
}

function connect(server: HostServer, options: Partial<HostBridgeOptions> = {}) {
  const recording = recordingWebSocket();
  const bridge = connectHostBridge({
    url: server.wsUrl,
    token: TOKEN,
    WebSocket: recording.WebSocket,
    random: () => 0,
    ...options,
  });
  cleanups.push(() => bridge.close());
  const events = recordEvents(bridge);
  const received: FrontendDownlink[] = [];
  bridge.onMessage((message) => received.push(message));
  return { bridge, events, received, sockets: recording.sockets };
}

/** Waits for a condition that real sockets make true (the deadline is a safety net, not timing). */
async function until(condition: () => boolean, what: string, ms = 4_000): Promise<void> {
  // Under bun:test's 5 s default test timeout, so the failure names what was awaited.
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(5);
  }
}

const up = (n: number): FrontendUplink => ({
  type: 'backend_message',
  extensionId: 'ext_a',
  payload: n,
});
const down = (n: number): FrontendDownlink => ({
  type: 'backend_message',
  extensionId: 'ext_a',
  payload: n,
});
const payloads = (messages: { payload?: unknown }[]) => messages.map((m) => m.payload);

function hubUplinks(hub: FrontendHub): FrontendUplink[] {
  const seen: FrontendUplink[] = [];
  hub.events.on('uplink', ({ message }) => seen.push(message));
  return seen;
}

describe('host bridge against the real host server', () => {
  test('handshake opens a session the hub knows, and messages flow both ways', async () => {
    const { hub, server } = startHost();
    const uplinks = hubUplinks(hub);
    const { bridge, received } = connect(server);
    await until(() => bridge.connectionState === 'open', 'open');
    expect(bridge.userId).toBe('alice');
    expect(bridge.extensions.map((e) => e.identifier)).toEqual(['ext_a']);
    const sessionId = bridge.sessionId as string;
    expect(hub.getSession(sessionId)?.connected).toBe(true);

    bridge.send({ type: 'extension_mounted', extensionId: 'ext_a' });
    for (let n = 1; n <= 20; n += 1) bridge.send(up(n));
    for (let n = 1; n <= 20; n += 1) hub.send(sessionId, down(n));
    await until(() => uplinks.length === 21 && received.length === 20, 'traffic');
    await until(() => bridge.unacked === 0, 'acks from the host');
    await until(() => hub.pendingCount(sessionId) === 0, 'acks from the bridge');
    expect(payloads(uplinks.slice(1) as { payload?: unknown }[])).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    expect(payloads(received as { payload?: unknown }[])).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
  });

  test('a forced drop resumes the session and delivers everything exactly once, in order', async () => {
    const { hub, server } = startHost();
    const uplinks = hubUplinks(hub);
    const { bridge, events, received, sockets } = connect(server, {
      ackDelayMs: 1000,
      ackEvery: 1000,
    });
    await until(() => bridge.connectionState === 'open', 'open');
    const sessionId = bridge.sessionId as string;
    bridge.send({ type: 'extension_mounted', extensionId: 'ext_a' });
    for (let n = 1; n <= 10; n += 1) hub.send(sessionId, down(n));
    await until(() => received.length === 10, 'first downlinks');

    // Uplinks in flight, our acks (1 s batching) still pending: cut the socket without a
    // closing handshake. What the host did not process comes again on resume, once.
    for (let n = 1; n <= 10; n += 1) bridge.send(up(n));
    const unackedAtDrop = bridge.unacked;
    (sockets[0] as WebSocket & { terminate(): void }).terminate();
    await until(() => events.of('reconnect_scheduled').length === 1, 'the drop');
    for (let n = 11; n <= 15; n += 1) hub.send(sessionId, down(n));

    await until(() => bridge.connectionState === 'open' && sockets.length === 2, 'resumed');
    expect(bridge.sessionId).toBe(sessionId);
    expect(events.of('welcome').at(-1)?.resumed).toBe(true);
    for (let n = 11; n <= 20; n += 1) bridge.send(up(n));
    for (let n = 16; n <= 20; n += 1) hub.send(sessionId, down(n));

    await until(() => uplinks.length === 21 && received.length === 20, 'all traffic');
    await until(() => bridge.unacked === 0, 'the last acks');
    bridge.close();
    expect(payloads(uplinks.slice(1) as { payload?: unknown }[])).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    expect(payloads(received as { payload?: unknown }[])).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    expect(unackedAtDrop).toBeGreaterThan(0);
    expect(events.of('session_lost')).toEqual([]);
    expect(events.of('dropped')).toEqual([]);
    expect(events.of('error')).toEqual([]);
  });

  test('a burst far over the host rate limit is paced: every uplink arrives once, none is refused', async () => {
    const { hub, server } = startHost(30_000, 200);
    const uplinks = hubUplinks(hub);
    const { bridge, events } = connect(server);
    await until(() => bridge.connectionState === 'open', 'open');
    expect(bridge.limits.maxFramesPerSecond).toBe(200);
    bridge.send({ type: 'extension_mounted', extensionId: 'ext_a' });
    for (let n = 1; n <= 700; n += 1) expect(bridge.send(up(n))).toBe(true);
    await until(() => uplinks.length === 701 && bridge.unacked === 0, 'all uplinks', 10_000);
    expect(payloads(uplinks.slice(1) as { payload?: unknown }[])).toEqual(
      Array.from({ length: 700 }, (_, i) => i + 1),
    );
    expect(events.of('error')).toEqual([]);
    expect(server.counters().framesDropped).toBe(0);
  }, 15_000);

  test('a producer pacing on acked sends more than the buffer holds without a refusal or a poll', async () => {
    const { hub, server } = startHost(30_000, 1_000_000);
    const uplinks = hubUplinks(hub);
    const { bridge, events } = connect(server);
    await until(() => bridge.connectionState === 'open', 'open');
    bridge.send({ type: 'extension_mounted', extensionId: 'ext_a' });
    const total = 5_000; // five times the buffer (maxQueued 1000)
    const window = bridge.limits.maxUnackedFrames / 2;
    let next = 1;
    const pump = () => {
      while (bridge.unacked < window && next <= total) bridge.send(up(next++));
    };
    bridge.events.on('acked', pump);
    pump();
    await until(() => uplinks.length === total + 1 && bridge.unacked === 0, 'every uplink');
    expect(payloads(uplinks.slice(1) as { payload?: unknown }[])).toEqual(
      Array.from({ length: total }, (_, i) => i + 1),
    );
    expect(events.of('dropped')).toEqual([]);
    const acked = events.of('acked') as { seq: number; unacked: number }[];
    expect(acked.at(-1)).toEqual({ seq: total + 1, unacked: 0 });
    // Cumulative: each one confirms more than the one before.
    expect(acked.every((e, i) => i === 0 || e.seq > (acked[i - 1] as { seq: number }).seq)).toBe(
      true,
    );
  });

  test('a refused token fails the bridge without retrying', async () => {
    const { server } = startHost();
    const failures: unknown[] = [];
    const { bridge, events, sockets } = connect(server, {
      token: 'wrong-token-0000000000',
      onAuthFailed: (failure) => failures.push(failure),
    });
    await until(() => bridge.connectionState === 'failed', 'failed');
    expect(bridge.failure?.code).toBe('UNAUTHORIZED');
    expect(failures).toHaveLength(1);
    expect(events.of('reconnect_scheduled')).toEqual([]);
    expect(sockets).toHaveLength(1);
  });

  test('a session that expired while away is reported lost and replaced by a new one', async () => {
    const { hub, server } = startHost(50);
    const { bridge, events, sockets } = connect(server, {
      random: () => 0.999,
      backoff: { initialMs: 60_000, maxMs: 60_000 },
    });
    await until(() => bridge.connectionState === 'open', 'open');
    const sessionId = bridge.sessionId as string;
    const closed: string[] = [];
    hub.events.on('session_closed', (info) => closed.push(info.sessionId));
    (sockets[0] as WebSocket & { terminate(): void }).terminate();
    await until(() => closed.includes(sessionId), 'the hub to expire the session');
    await until(() => bridge.connectionState === 'reconnecting', 'reconnecting');
    bridge.reconnect();
    await until(
      () => bridge.connectionState === 'open' && bridge.sessionId !== sessionId,
      'new session',
    );
    expect(events.of('session_lost')).toEqual([
      {
        previousSessionId: sessionId,
        reason: expect.stringMatching(/not_resumed|session_unknown/),
        terminatedProcesses: [],
      },
    ]);
  });
});
