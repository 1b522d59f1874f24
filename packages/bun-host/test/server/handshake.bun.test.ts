import { afterEach, describe, expect, test } from 'bun:test';
import { PROTOCOL_VERSION, WIRE_CLOSE_CODES } from '@spindle/types';
import { ALICE, type Fixture, startFixture, TestClient } from './helpers.ts';

let fixture: Fixture | undefined;
const clients: TestClient[] = [];
async function client(): Promise<TestClient> {
  const c = await TestClient.connect(fixture!.server.wsUrl);
  clients.push(c);
  return c;
}

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await fixture?.stop();
  fixture = undefined;
});

describe('handshake', () => {
  test('a valid hello gets a welcome with the session, limits and extension list', async () => {
    fixture = startFixture({ limits: { maxFrameBytes: 65_536 } });
    const c = await client();
    c.hello(ALICE);
    const welcome = await c.next('welcome');
    expect(welcome).toMatchObject({
      protocolVersion: PROTOCOL_VERSION,
      userId: 'alice',
      resumed: false,
      lastClientSeq: 0,
      isAdmin: false,
      limits: { maxFrameBytes: 65_536, maxFramesPerSecond: 10_000 },
    });
    expect(
      welcome.extensions.map((e) => [e.identifier, e.state, e.frontendUrl?.split('?')[0]]),
    ).toEqual([
      ['ext_a', 'running', '/extensions/ext_a/frontend.js'],
      ['ext_off', 'disabled', undefined],
    ]);
    expect(fixture.hub.getSession(welcome.frontendSessionId)?.userId).toBe('alice');
    await c.roundTrip();
  });

  test('a bad token is refused with UNAUTHORIZED before any extension data is sent', async () => {
    fixture = startFixture();
    const c = await client();
    c.hello('wrong-token');
    const closed = await c.closed;
    expect(closed.code).toBe(WIRE_CLOSE_CODES.UNAUTHORIZED);
    expect(closed.reason).toMatch(/token refused/);
    expect(c.frames.map((f) => f.type)).toEqual(['error']);
    expect(c.frames[0]).toMatchObject({ code: 'UNAUTHORIZED', frameType: 'hello' });
    expect(JSON.stringify(c.frames)).not.toContain('ext_a');
    expect(fixture.hub.listSessions()).toEqual([]);
  });

  test('a protocol version mismatch closes with its code and a sentence a person can act on', async () => {
    fixture = startFixture();
    const c = await client();
    // A version 1 client (no batches) against this host.
    c.send({ type: 'hello', protocolVersion: 1, token: ALICE });
    const closed = await c.closed;
    expect(closed.code).toBe(WIRE_CLOSE_CODES.PROTOCOL_VERSION_MISMATCH);
    expect(closed.reason).toBe(
      `client speaks protocol 1, host speaks ${PROTOCOL_VERSION}: reload the page or update the app`,
    );
    expect(c.frames).toMatchObject([
      { type: 'error', code: 'PROTOCOL_VERSION_MISMATCH', frameType: 'hello' },
    ]);
  });

  test('frames before the handshake get HANDSHAKE_REQUIRED and the connection stays up', async () => {
    fixture = startFixture();
    const c = await client();
    c.send({ type: 'extension_mounted', extensionId: 'ext_a', seq: 1 });
    c.send({ type: 'ack', seq: 3 });
    await c.next('error', 2);
    expect(c.ofType('error')).toMatchObject([
      { code: 'HANDSHAKE_REQUIRED', seq: 1, frameType: 'extension_mounted' },
      { code: 'HANDSHAKE_REQUIRED', frameType: 'ack' },
    ]);
    c.hello(ALICE);
    await c.next('welcome');
  });

  test('no hello within handshakeTimeoutMs closes with HANDSHAKE_TIMEOUT', async () => {
    fixture = startFixture({ handshakeTimeoutMs: 100 });
    const c = await client();
    const closed = await c.closed;
    expect(closed.code).toBe(WIRE_CLOSE_CODES.HANDSHAKE_TIMEOUT);
    expect(closed.reason).toMatch(/send hello/);
    expect(fixture.server.connectionCount).toBe(0);
  });

  test('ping gets pong, and a second hello is refused without closing', async () => {
    fixture = startFixture();
    const c = await client();
    c.hello(ALICE);
    await c.next('welcome');
    c.hello(ALICE);
    await c.roundTrip();
    expect(c.ofType('error')).toMatchObject([{ code: 'INVALID_FRAME', frameType: 'hello' }]);
    expect(c.ws.readyState).toBe(WebSocket.OPEN);
  });

  test('a disallowed browser Origin cannot upgrade', async () => {
    fixture = startFixture();
    const response = await fetch(fixture.server.wsUrl.replace('ws:', 'http:'), {
      headers: {
        Upgrade: 'websocket',
        Connection: 'Upgrade',
        Origin: 'https://evil.example',
        'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
        'Sec-WebSocket-Version': '13',
      },
    });
    expect(response.status).toBe(403);
  });

  test('stop() closes connections with HOST_SHUTDOWN and ends sessions', async () => {
    fixture = startFixture();
    const c = await client();
    c.hello(ALICE);
    await c.next('welcome');
    const pending = await client();
    await fixture.server.stop();
    expect((await c.closed).code).toBe(WIRE_CLOSE_CODES.HOST_SHUTDOWN);
    expect((await pending.closed).code).toBe(WIRE_CLOSE_CODES.HOST_SHUTDOWN);
    expect(fixture.hub.listSessions()).toEqual([]);
  });
});

describe('connection limit', () => {
  test('upgrades beyond maxConnections are refused with 503; the open ones keep working', async () => {
    fixture = startFixture({ maxConnections: 2 });
    const a = await client();
    const b = await client();
    const refused = await fetch(fixture.server.wsUrl.replace('ws:', 'http:'), {
      headers: {
        Upgrade: 'websocket',
        Connection: 'Upgrade',
        'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
        'Sec-WebSocket-Version': '13',
      },
    });
    expect(refused.status).toBe(503);
    a.hello(ALICE);
    b.hello(ALICE);
    await a.next('welcome');
    await b.next('welcome');
  });
});
