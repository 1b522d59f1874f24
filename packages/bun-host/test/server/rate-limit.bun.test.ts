import { afterEach, describe, expect, test } from 'bun:test';
import { WIRE_CLOSE_CODES } from '@spindle/types';
import type { HubClock } from '../../src/frontend/clock.ts';
import { FrameRateLimiter } from '../../src/server/rate-limit.ts';
import { ALICE, BOB, type Fixture, startFixture, TestClient } from './helpers.ts';

/** Real timers, but a hand-moved `now`, so the bucket never depends on how fast this machine is. */
function manualClock(): HubClock & { time: number } {
  const clock = {
    time: 1_000_000,
    now: () => clock.time,
    setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms),
    clearTimeout: (handle: unknown) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  };
  return clock;
}

let fixture: Fixture | undefined;
const clients: TestClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await fixture?.stop();
  fixture = undefined;
});

/** Polls `condition` (a safety net of 10 s, not a timing assumption). */
async function waitFor(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await Bun.sleep(1);
  }
}

async function welcomed(token: string): Promise<TestClient> {
  const c = await TestClient.connect(fixture!.server.wsUrl);
  clients.push(c);
  c.hello(token);
  await c.next('welcome');
  return c;
}

describe('FrameRateLimiter', () => {
  test('bursts to twice the rate, refills over time, notifies once per second', () => {
    let now = 0;
    const limiter = new FrameRateLimiter({ framesPerSecond: 10, now: () => now });
    const verdicts = Array.from({ length: 25 }, () => limiter.take());
    expect(verdicts.filter((v) => v === 'accept')).toHaveLength(20);
    expect(verdicts.slice(20)).toEqual(['drop_and_notify', 'drop', 'drop', 'drop', 'drop']);
    now += 500;
    expect(Array.from({ length: 6 }, () => limiter.take())).toEqual([
      'accept',
      'accept',
      'accept',
      'accept',
      'accept',
      'drop',
    ]);
    now += 600;
    expect(limiter.take()).toBe('accept');
    expect(Array.from({ length: 6 }, () => limiter.take()).at(-1)).toBe('drop_and_notify');
  });

  test('a flood that lasts closeAfterMs asks to close; a pause resets it', () => {
    let now = 0;
    const limiter = new FrameRateLimiter({
      framesPerSecond: 1,
      burst: 1,
      closeAfterMs: 3000,
      now: () => now,
    });
    limiter.take();
    for (; now < 2900; now += 100) expect(limiter.take()).not.toBe('close');
    now += 1500;
    expect(limiter.take()).toBe('accept');
    for (let i = 0; i < 20; i++, now += 100) expect(limiter.take()).not.toBe('close');
    now += 1000;
    expect(['drop', 'drop_and_notify', 'accept']).toContain(limiter.take());
    for (let i = 0; i < 40; i++, now += 100) limiter.take();
    expect(limiter.take()).toBe('close');
  });
});

describe('rate limiting over a real socket', () => {
  test('excess frames are dropped with one RATE_LIMITED error; other connections are unaffected', async () => {
    const clock = manualClock();
    fixture = startFixture({ clock, limits: { maxFramesPerSecond: 10 } });
    const flood = await welcomed(ALICE);
    const calm = await welcomed(BOB);
    const before = fixture.server.counters().framesReceived;
    for (let i = 0; i < 50; i++) flood.send({ type: 'ping', at: i });
    // Move the clock only once the server has judged all 50.
    await waitFor(() => fixture!.server.counters().framesReceived >= before + 50);
    expect(fixture.server.counters().framesDropped).toBe(31);
    clock.time += 1000;
    await flood.roundTrip();
    // hello used one token, so 19 pings fit the burst; the round-trip ping came after a refill.
    expect(
      flood
        .ofType('pong')
        .map((p) => p.at)
        .filter((at) => Number.isInteger(at)),
    ).toEqual(Array.from({ length: 19 }, (_, i) => i));
    expect(flood.ofType('error')).toMatchObject([{ code: 'RATE_LIMITED' }]);
    expect(flood.ws.readyState).toBe(WebSocket.OPEN);
    await calm.roundTrip();
    expect(calm.ofType('error')).toEqual([]);
  });

  test('a sustained flood closes the connection with RATE_LIMITED', async () => {
    const clock = manualClock();
    fixture = startFixture({
      clock,
      limits: { maxFramesPerSecond: 10 },
      rateLimitCloseAfterMs: 2000,
    });
    const flood = await welcomed(ALICE);
    let closed: { code: number; reason: string } | undefined;
    void flood.closed.then((c) => {
      closed = c;
    });
    for (let round = 0; round < 100 && !closed; round++) {
      const before = fixture.server.counters().framesReceived;
      for (let i = 0; i < 30; i++) flood.send({ type: 'ping', at: i });
      await waitFor(
        () => closed !== undefined || fixture!.server.counters().framesReceived >= before + 30,
      );
      clock.time += 250;
    }
    expect(fixture.server.counters().rateLimitCloses).toBe(1);
    expect(await flood.closed).toMatchObject({ code: WIRE_CLOSE_CODES.RATE_LIMITED });
    expect((await flood.closed).reason).toMatch(/flooding/);
    expect(flood.ofType('error').length).toBeGreaterThanOrEqual(2);
  });
});
