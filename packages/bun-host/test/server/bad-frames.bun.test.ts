import { afterEach, describe, expect, test } from 'bun:test';
import { ALICE, type Fixture, startFixture, TestClient } from './helpers.ts';

let fixture: Fixture | undefined;
const clients: TestClient[] = [];
async function welcomed(token = ALICE): Promise<TestClient> {
  const c = await TestClient.connect(fixture!.server.wsUrl);
  clients.push(c);
  c.hello(token);
  await c.next('welcome');
  return c;
}

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await fixture?.stop();
  fixture = undefined;
});

describe('bad frames', () => {
  test('each bad frame gets an error frame with its code, seq and type; the connection stays up', async () => {
    fixture = startFixture({ limits: { maxFrameBytes: 4096 } });
    const c = await welcomed();
    const cases: Array<[unknown, Record<string, unknown>]> = [
      ['{"type":"ack",', { code: 'INVALID_JSON' }],
      ['not json at all', { code: 'INVALID_JSON' }],
      ['[]', { code: 'INVALID_FRAME' }],
      ['"just a string"', { code: 'INVALID_FRAME' }],
      ['{"seq":4}', { code: 'INVALID_FRAME', seq: 4 }],
      [
        { type: 'launch_missiles', seq: 9 },
        { code: 'UNKNOWN_TYPE', seq: 9, frameType: 'launch_missiles' },
      ],
      [
        { type: 'backend_message', extensionId: 42, payload: 1, seq: 1 },
        { code: 'INVALID_FRAME', seq: 1, frameType: 'backend_message' },
      ],
      [
        { type: 'ack', seq: 'one' },
        { code: 'INVALID_FRAME', frameType: 'ack' },
      ],
      [{ type: 'ping', at: 1, pad: 'x'.repeat(5000) }, { code: 'FRAME_TOO_LARGE' }],
      [new Uint8Array([0xff, 0x00, 0x13, 0x37]), { code: 'INVALID_JSON' }],
    ];
    for (const [frame] of cases) {
      if (frame instanceof Uint8Array) c.ws.send(frame);
      else c.send(frame);
    }
    await c.roundTrip();
    const errors = c.ofType('error');
    expect(errors).toHaveLength(cases.length);
    for (const [i, [, expected]] of cases.entries()) expect(errors[i]).toMatchObject(expected);
    for (const error of errors) expect(error.message).toStartWith('[spindle] ');
    // The invalid frame with seq 1 counts as processed (acked, never to be replayed); the
    // bogus seqs 4 and 9 were gaps and consumed nothing.
    // Still fully working: the next valid uplink is processed and acknowledged.
    c.send({ type: 'extension_mounted', extensionId: 'ext_a', seq: 2 });
    await c.next('ack', 2);
    expect(c.ofType('ack')).toEqual([
      { type: 'ack', seq: 1 },
      { type: 'ack', seq: 2 },
    ]);
  });

  test('a sequenced frame that fails validation is acked, so the next one is no gap', async () => {
    fixture = startFixture();
    const uplinks: string[] = [];
    fixture.hub.events.on('uplink', ({ message }) => uplinks.push(message.type));
    const c = await welcomed();
    c.send({ type: 'extension_mounted', extensionId: 'ext_a', seq: 1 });
    c.send({ type: 'backend_message', extensionId: ['not', 'a', 'string'], payload: 1, seq: 2 });
    c.send({ type: 'backend_message', extensionId: 'ext_a', payload: 'ok', seq: 3 });
    await c.next('ack', 3);
    expect(c.ofType('error').map((e) => [e.code, e.seq])).toEqual([['INVALID_FRAME', 2]]);
    expect(uplinks).toEqual(['extension_mounted', 'backend_message']);
  });

  test('frames naming extensions the session may not use are refused and still acked', async () => {
    fixture = startFixture();
    const uplinks: string[] = [];
    fixture.hub.events.on('uplink', ({ message }) => uplinks.push(message.type));
    const c = await welcomed();
    c.send({ type: 'extension_mounted', extensionId: 'ghost', seq: 1 });
    c.send({ type: 'extension_mounted', extensionId: 'ext_off', seq: 2 });
    c.send({ type: 'backend_message', extensionId: 'ext_a', payload: 'not mounted', seq: 3 });
    c.send({ type: 'subscribe_stats', seq: 4 });
    await c.next('ack', 4);
    expect(c.ofType('error').map((e) => [e.code, e.seq])).toEqual([
      ['EXTENSION_NOT_FOUND', 1],
      ['EXTENSION_INACTIVE', 2],
      ['FORBIDDEN', 3],
      ['FORBIDDEN', 4],
    ]);
    expect(uplinks).toEqual([]);
  });

  test('a frame above the hard cap closes only that socket; the host keeps serving', async () => {
    fixture = startFixture({ limits: { maxFrameBytes: 1024 }, hardMaxFrameBytes: 64 * 1024 });
    const big = await welcomed();
    const other = await welcomed();
    big.send({ type: 'ping', at: 1, pad: 'x'.repeat(100 * 1024) });
    const closed = await big.closed;
    expect(closed.code).toBe(1009);
    await other.roundTrip();
    const fresh = await welcomed();
    await fresh.roundTrip();
  });
});
