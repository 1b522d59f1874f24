/**
 * Bounded, seeded fuzzing of the WebSocket endpoint on loopback: random bytes, random text,
 * truncated JSON, oversized frames, wrong field types, well-formed frames naming another user's
 * process or another extension, a hello naming another user's session, and all of it before the
 * handshake too. The host stays up, every bad frame gets exactly one error, a well-behaved second
 * session sees nothing of it, and nothing reaches the host core on the attacker's behalf.
 */
import { afterEach, describe, expect, test } from 'bun:test';
import { type FrontendUplink, PROTOCOL_VERSION, WIRE_CLOSE_CODES } from '@spindle/types';
import fc from 'fast-check';
import { ALICE, BOB, type Fixture, startFixture, TestClient } from './helpers.ts';
import { RawWebSocket } from './raw-socket.ts';

const MAX_FRAME = 4096;
const SEED = 0x5eed_2026;

type Bad = { data: string | Uint8Array; sequenced: boolean };
/**
 * `seq` of the invalid sequenced frames: far ahead, so they are gaps. An invalid frame with the
 * next `seq` would count as processed (acked) and turn the forbidden uplink sent with that same
 * `seq` into a duplicate, which is acknowledged without an error (tested in bad-frames).
 */
const FAR_SEQ = 1_000_000;

let fixture: Fixture | undefined;
const clients: TestClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await fixture?.stop();
  fixture = undefined;
});

async function connected(): Promise<TestClient> {
  const c = await TestClient.connect(fixture!.server.wsUrl);
  clients.push(c);
  return c;
}

/** Frames that fail validation, whatever the connection state. */
function invalidFrames(count: number, seed: number): Bad[] {
  const text = (data: string): Bad => ({ data, sequenced: false });
  const validJson = fc.constantFrom(
    '{"type":"ping","at":12345}',
    '{"type":"ack","seq":3}',
    '{"type":"backend_message","extensionId":"ext_a","payload":{"deep":[1,2,3]},"seq":7}',
    '{"type":"hello","protocolVersion":1,"token":"whatever"}',
  );
  const structural = fc.oneof(
    fc.constant(null),
    fc.boolean(),
    fc.array(fc.integer(), { maxLength: 3 }),
    fc.constant({}),
  );
  const nonNumber = fc.oneof(structural, fc.string({ maxLength: 8 }));
  const nonString = fc.oneof(structural, fc.integer(), fc.double());
  const arb: fc.Arbitrary<Bad> = fc.oneof(
    fc.uint8Array({ minLength: 1, maxLength: 300 }).map((data) => ({ data, sequenced: false })),
    fc
      .string({ maxLength: 200 })
      .filter((s) => !s.trim().startsWith('{'))
      .map(text),
    validJson.chain((json) =>
      fc.integer({ min: 0, max: json.length - 1 }).map((cut) => text(json.slice(0, cut))),
    ),
    fc
      .integer({ min: MAX_FRAME + 1, max: MAX_FRAME * 4 })
      .map((size) => text(JSON.stringify({ type: 'ping', at: 1, pad: 'z'.repeat(size) }))),
    nonString.map((v) =>
      text(JSON.stringify({ type: 'backend_message', extensionId: v, payload: 1, seq: FAR_SEQ })),
    ),
    nonNumber.map((v) => text(JSON.stringify({ type: 'ack', seq: v }))),
    nonNumber.map((v) => text(JSON.stringify({ type: 'ping', at: v }))),
    fc
      .constantFrom(-1, 0, 1.5, Number.MAX_SAFE_INTEGER + 2)
      .map((seq) => text(JSON.stringify({ type: 'process_ready', processId: 'p', seq }))),
    fc
      .string({ minLength: 1, maxLength: 40 })
      .map((type) => text(JSON.stringify({ type: `x_${type}`, seq: FAR_SEQ }))),
    fc
      .constantFrom('exploded', '', 'completed ')
      .map((outcome) =>
        text(JSON.stringify({ type: 'process_ended', processId: 'p', outcome, seq: FAR_SEQ })),
      ),
  );
  return fc.sample(arb, { seed, numRuns: count });
}

/** Well-formed uplinks this session may not send (they advance `seq` and are acked). */
function forbiddenUplinks(count: number, seed: number, victimProcess: string): FrontendUplink[] {
  const arb: fc.Arbitrary<FrontendUplink> = fc.oneof(
    fc.constantFrom('ext_a', 'ghost', 'ext_off').map((extensionId) => ({
      type: 'backend_message' as const,
      extensionId,
      payload: { steal: true },
    })),
    fc
      .constantFrom('ghost', 'ext_off')
      .map((extensionId) => ({ type: 'extension_mounted' as const, extensionId })),
    fc.constant({ type: 'process_ready' as const, processId: victimProcess }),
    fc.constant({ type: 'process_heartbeat' as const, processId: victimProcess }),
    fc.constant({ type: 'process_message' as const, processId: victimProcess, payload: 'hijack' }),
    fc.constant({
      type: 'process_ended' as const,
      processId: victimProcess,
      outcome: 'completed' as const,
    }),
    fc.constant({ type: 'subscribe_stats' as const }),
  );
  return fc.sample(arb, { seed, numRuns: count });
}

describe('fuzzing the WebSocket endpoint', () => {
  test('every bad frame gets one error, the host stays up, and the other session sees nothing', async () => {
    const owners = new Map<string, string>();
    fixture = startFixture(
      {
        limits: { maxFrameBytes: MAX_FRAME, maxFramesPerSecond: 100_000 },
        hardMaxFrameBytes: 64 * 1024,
      },
      {
        authorizeProcessFrame: (session, processId) => owners.get(processId) === session.sessionId,
      },
    );
    const uplinks: Array<{ sessionId: string; message: FrontendUplink }> = [];
    fixture.hub.events.on('uplink', ({ session, message }) =>
      uplinks.push({ sessionId: session.sessionId, message }),
    );

    const bob = await connected();
    bob.hello(BOB);
    const { frontendSessionId: bobSession } = await bob.next('welcome');
    owners.set('bob-proc-1', bobSession);
    bob.send({ type: 'extension_mounted', extensionId: 'ext_a', seq: 1 });
    bob.send({ type: 'process_ready', processId: 'bob-proc-1', seq: 2 });
    await bob.next('ack', 2);
    const bobFramesBefore = bob.frames.length;

    // Before the handshake: everything is refused, then a normal hello still works.
    const early = await connected();
    const earlyFrames = [
      ...invalidFrames(60, SEED),
      ...forbiddenUplinks(20, SEED + 1, 'bob-proc-1').map((m, i) => ({
        data: JSON.stringify({ ...m, seq: i + 1 }),
        sequenced: false,
      })),
    ];
    for (const bad of earlyFrames) early.ws.send(bad.data);
    await early.next('error', earlyFrames.length);
    for (const error of early.ofType('error')) expect(error.message).toStartWith('[spindle] ');
    expect(
      early.ofType('error').filter((e) => e.code === 'HANDSHAKE_REQUIRED').length,
    ).toBeGreaterThanOrEqual(20);
    early.hello(ALICE);
    await early.next('welcome');

    // After the handshake: invalid frames and forbidden uplinks, interleaved.
    const attacker = early;
    const { frontendSessionId: attackerSession } = attacker.ofType('welcome')[0]!;
    const invalid = invalidFrames(300, SEED + 2);
    const forbidden = forbiddenUplinks(150, SEED + 3, 'bob-proc-1');
    let seq = 0;
    const expectedSeqErrors: number[] = [];
    const before = attacker.ofType('error').length;
    for (let i = 0; i < Math.max(invalid.length, forbidden.length); i++) {
      const bad = invalid[i];
      if (bad) attacker.ws.send(bad.data);
      const uplink = forbidden[i];
      if (uplink) {
        seq += 1;
        expectedSeqErrors.push(seq);
        attacker.send({ ...uplink, seq });
      }
    }
    attacker.send({
      type: 'hello',
      protocolVersion: PROTOCOL_VERSION,
      token: ALICE,
      resumeSessionId: bobSession,
    });
    await attacker.roundTrip();
    const errors = attacker.ofType('error').slice(before);
    expect(errors).toHaveLength(invalid.length + forbidden.length + 1);
    for (const error of errors) {
      expect(typeof error.code).toBe('string');
      expect(error.message).toStartWith('[spindle] ');
    }
    const seqErrors = errors.filter((e) =>
      ['FORBIDDEN', 'EXTENSION_NOT_FOUND', 'EXTENSION_INACTIVE'].includes(e.code),
    );
    expect(seqErrors.map((e) => e.seq)).toEqual(expectedSeqErrors);
    expect(attacker.ofType('ack').at(-1)).toEqual({ type: 'ack', seq });

    // Nothing reached the host core for the attacker; Bob's process is untouched.
    expect(uplinks.filter((u) => u.sessionId === attackerSession)).toEqual([]);
    expect(uplinks.filter((u) => u.sessionId === bobSession).map((u) => u.message.type)).toEqual([
      'extension_mounted',
      'process_ready',
    ]);
    // Bob saw nothing of it and still works.
    expect(bob.frames.length).toBe(bobFramesBefore);
    fixture.hub.send(bobSession, {
      type: 'backend_message',
      extensionId: 'ext_a',
      payload: 'still here',
    });
    await bob.next('backend_message');
    await bob.roundTrip();
    expect(bob.ofType('error')).toEqual([]);

    // Trying to resume Bob's session from a fresh connection with Alice's token is refused.
    const thief = await connected();
    thief.hello(ALICE, { resumeSessionId: bobSession, lastServerSeq: 0 });
    expect((await thief.closed).code).toBe(WIRE_CLOSE_CODES.SESSION_UNKNOWN);
    expect(fixture.hub.getSession(bobSession)?.connected).toBe(true);
    await attacker.roundTrip();
  });

  test('garbage below the WebSocket layer closes only the offending sockets', async () => {
    fixture = startFixture();
    const good = await connected();
    good.hello(ALICE);
    await good.next('welcome');
    const chunks = fc.sample(fc.uint8Array({ minLength: 1, maxLength: 2048 }), {
      seed: SEED + 9,
      numRuns: 30,
    });
    for (const [i, chunk] of chunks.entries()) {
      if (i % 2 === 0) {
        // Random bytes instead of an HTTP request.
        const socket = await Bun.connect({
          hostname: '127.0.0.1',
          port: fixture.server.port,
          socket: { data() {} },
        });
        socket.write(chunk);
        socket.end();
      } else {
        // A completed upgrade followed by bytes that are not valid WebSocket framing.
        const raw = await RawWebSocket.connect(fixture.server.port);
        raw.socket.write(chunk);
        raw.sendText(
          JSON.stringify({ type: 'hello', protocolVersion: PROTOCOL_VERSION, token: ALICE }),
        );
        raw.close();
      }
    }
    await good.roundTrip();
    const fresh = await connected();
    fresh.hello(BOB);
    await fresh.next('welcome');
    expect(good.ofType('error')).toEqual([]);
    expect((await fetch(`${fixture.server.url}/extensions/ext_a/frontend.js`)).status).toBe(200);
  });
});
