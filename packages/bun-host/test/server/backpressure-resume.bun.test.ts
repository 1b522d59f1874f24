import { afterEach, describe, expect, test } from 'bun:test';
import { PROTOCOL_VERSION, WIRE_CLOSE_CODES } from '@spindle/types';
import { ALICE, BOB, type Fixture, startFixture, TestClient } from './helpers.ts';
import { RawWebSocket } from './raw-socket.ts';

let fixture: Fixture | undefined;
const clients: TestClient[] = [];
const raws: RawWebSocket[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const r of raws.splice(0)) r.close();
  await fixture?.stop();
  fixture = undefined;
});

async function connected(): Promise<TestClient> {
  const c = await TestClient.connect(fixture!.server.wsUrl);
  clients.push(c);
  return c;
}

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(5);
  }
}

/** Small seeded generator, so every run drops sockets at the same points. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const message = (n: number, pad = '') => ({
  type: 'backend_message' as const,
  extensionId: 'ext_a',
  payload: { n, pad },
});

describe('resume', () => {
  test('after a dropped socket the unacked downlinks are replayed exactly once, uplinks deduplicated', async () => {
    fixture = startFixture();
    const uplinks: unknown[] = [];
    fixture.hub.events.on('uplink', ({ message: m }) => uplinks.push(m));
    const first = await connected();
    first.hello(ALICE);
    const { frontendSessionId: sessionId } = await first.next('welcome');
    first.send({ type: 'extension_mounted', extensionId: 'ext_a', seq: 1 });
    first.send({ type: 'backend_message', extensionId: 'ext_a', payload: 'up-2', seq: 2 });
    await first.next('ack', 2);
    for (let n = 1; n <= 5; n++) fixture.hub.send(sessionId, message(n));
    await first.next('backend_message', 5);
    first.send({ type: 'ack', seq: 2 });
    await first.roundTrip();
    expect(fixture.hub.pendingCount(sessionId)).toBe(3);

    first.close();
    await first.closed;
    await waitFor(() => fixture!.hub.getSession(sessionId)?.connected === false, 'detach');
    fixture.hub.send(sessionId, message(6));
    fixture.hub.send(sessionId, message(7));

    const second = await connected();
    // This client had processed up to 3 (its ack for 3 never left).
    second.hello(ALICE, { resumeSessionId: sessionId, lastServerSeq: 3 });
    const welcome = await second.next('welcome');
    expect(welcome).toMatchObject({
      resumed: true,
      lastClientSeq: 2,
      frontendSessionId: sessionId,
    });
    await second.next('backend_message', 4);
    // A duplicate of an uplink the host already processed is dropped and acked again.
    second.send({ type: 'backend_message', extensionId: 'ext_a', payload: 'up-2', seq: 2 });
    second.send({ type: 'backend_message', extensionId: 'ext_a', payload: 'up-3', seq: 3 });
    await second.next('ack', 2);
    await second.roundTrip();
    expect(
      second.ofType('backend_message').map((f) => [f.seq, (f.payload as { n: number }).n]),
    ).toEqual([
      [4, 4],
      [5, 5],
      [6, 6],
      [7, 7],
    ]);
    expect(second.ofType('ack').map((a) => a.seq)).toEqual([2, 3]);
    expect(uplinks.filter((u) => (u as { type: string }).type === 'backend_message')).toHaveLength(
      2,
    );
  });

  test('another user cannot resume the session; a second tab of the owner takes it over', async () => {
    fixture = startFixture();
    const owner = await connected();
    owner.hello(ALICE);
    const { frontendSessionId: sessionId } = await owner.next('welcome');
    const thief = await connected();
    thief.hello(BOB, { resumeSessionId: sessionId, lastServerSeq: 0 });
    expect((await thief.closed).code).toBe(WIRE_CLOSE_CODES.SESSION_UNKNOWN);
    expect(thief.frames).toMatchObject([{ type: 'error', code: 'NO_FRONTEND_SESSION' }]);
    expect(fixture.hub.getSession(sessionId)?.connected).toBe(true);

    const again = await connected();
    again.hello(ALICE, { resumeSessionId: sessionId, lastServerSeq: 0 });
    await again.next('welcome');
    expect((await owner.closed).code).toBe(WIRE_CLOSE_CODES.SESSION_TAKEN_OVER);
    await again.roundTrip();
    expect(fixture.hub.getSession(sessionId)?.connected).toBe(true);
  });
});

describe('resume under random drops', () => {
  test('seeded rounds of sends, partial acks and dropped sockets deliver every downlink exactly once', async () => {
    fixture = startFixture();
    const random = mulberry32(0xdecaf);
    const sent: number[] = [];
    const processed: number[] = [];
    let lastServerSeq = 0;
    let sessionId: string | undefined;
    let n = 0;
    for (let round = 0; round < 12; round++) {
      const c = await connected();
      c.hello(ALICE, sessionId ? { resumeSessionId: sessionId, lastServerSeq } : {});
      const welcome = await c.next('welcome');
      expect(welcome.resumed).toBe(sessionId !== undefined);
      sessionId = welcome.frontendSessionId;
      const burst = 1 + Math.floor(random() * 20);
      for (let i = 0; i < burst; i++) {
        sent.push(++n);
        fixture.hub.send(sessionId, message(n));
      }
      // Read everything pending (replay included), acking at a random point.
      const expected = sent.length - processed.length;
      await c.next('backend_message', expected);
      for (const frame of c.ofType('backend_message')) {
        expect(frame.seq).toBe(lastServerSeq + 1);
        lastServerSeq = frame.seq;
        processed.push((frame.payload as { n: number }).n);
      }
      if (random() < 0.5)
        c.send({ type: 'ack', seq: Math.max(0, lastServerSeq - Math.floor(random() * 3)) });
      await c.roundTrip();
      c.close();
      await c.closed;
      const id = sessionId;
      await waitFor(() => fixture!.hub.getSession(id)?.connected === false, 'detach');
      // Some downlinks arrive while nobody is connected.
      const offline = Math.floor(random() * 5);
      for (let i = 0; i < offline; i++) {
        sent.push(++n);
        fixture.hub.send(sessionId, message(n));
      }
    }
    const last = await connected();
    last.hello(ALICE, { resumeSessionId: sessionId!, lastServerSeq });
    await last.next('welcome');
    const remaining = sent.length - processed.length;
    if (remaining > 0) await last.next('backend_message', remaining);
    for (const frame of last.ofType('backend_message')) {
      expect(frame.seq).toBe(lastServerSeq + 1);
      lastServerSeq = frame.seq;
      processed.push((frame.payload as { n: number }).n);
    }
    expect(processed).toEqual(sent);
    expect(last.ofType('error')).toEqual([]);
  });
});

describe('backpressure', () => {
  test('a client that stops reading is dropped with BACKPRESSURE; its session resumes with every frame once', async () => {
    // The replay buffer may hold all 600 frames (38 MB): the socket's limit is what is tested.
    fixture = startFixture(
      { maxBufferedBytes: 512 * 1024, stallTimeoutMs: 200 },
      { maxUnackedBytes: 64 * 1024 * 1024 },
    );
    const detached: string[] = [];
    fixture.hub.events.on('session_detached', (s) => detached.push(s.sessionId));
    const raw = await RawWebSocket.connect(fixture.server.port);
    raws.push(raw);
    raw.sendText(
      JSON.stringify({ type: 'hello', protocolVersion: PROTOCOL_VERSION, token: ALICE }),
    );
    await raw.until(() => /"frontendSessionId":"([^"]+)"/.test(raw.received), 'welcome');
    const sessionId = /"frontendSessionId":"([^"]+)"/.exec(raw.received)?.[1] ?? '';
    raw.socket.pause();

    const pad = 'x'.repeat(64 * 1024);
    let sent = 0;
    // Enough to fill the kernel's socket buffers many times over; past that, frames wait in the
    // hub (bounded by maxUnackedFrames) instead of the socket.
    while (detached.length === 0 && sent < 600) {
      fixture.hub.send(sessionId, message(++sent, pad));
      if (sent % 8 === 0) await Bun.sleep(0);
    }
    await waitFor(() => detached.length > 0, 'backpressure close');
    expect(detached).toEqual([sessionId]);
    expect(fixture.server.counters().backpressureCloses).toBe(1);
    // The host let go of the socket's buffer: the connection is gone (terminated if need be).
    await waitFor(() => fixture!.server.connectionCount === 0, 'connection closed');
    expect(fixture.hub.getSession(sessionId)?.connected).toBe(false);
    expect(fixture.hub.pendingCount(sessionId)).toBe(sent);

    const resumed = await connected();
    resumed.hello(ALICE, { resumeSessionId: sessionId, lastServerSeq: 0 });
    await resumed.next('welcome');
    await resumed.next('backend_message', sent);
    const seqs = resumed.ofType('backend_message').map((f) => f.seq);
    expect(seqs).toEqual(Array.from({ length: sent }, (_, i) => i + 1));
    resumed.send({ type: 'ack', seq: sent });
    await resumed.roundTrip();
    expect(fixture.hub.pendingCount(sessionId)).toBe(0);
  });

  test('a burst far above the socket limit reaches a client that reads, in order, without a close', async () => {
    fixture = startFixture({ maxBufferedBytes: 256 * 1024, stallTimeoutMs: 5000 });
    const c = await connected();
    c.hello(ALICE);
    const { frontendSessionId: sessionId } = await c.next('welcome');
    const pad = 'y'.repeat(32 * 1024);
    // ~16 MB in one synchronous burst: the hub holds what the socket cannot take yet.
    for (let n = 1; n <= 500; n++) expect(fixture.hub.send(sessionId, message(n, pad))).toBe(true);
    await c.next('backend_message', 500);
    expect(c.ofType('backend_message').map((f) => f.seq)).toEqual(
      Array.from({ length: 500 }, (_, i) => i + 1),
    );
    expect(fixture.server.counters().backpressureCloses).toBe(0);
    expect(c.ws.readyState).toBe(WebSocket.OPEN);
  });
});
