import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { HostBridge, HostBridgeOptions } from '../src/index.ts';
import { setup, uplink } from './helpers.ts';
import type { UnknownSessionReply } from './sim-host.ts';
import { SimHost } from './sim-host.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

type Step =
  | { t: 'appSend'; n: number }
  | { t: 'hostEmit'; n: number }
  | { t: 'hostRead'; n: number }
  | { t: 'deliver'; n: number }
  | { t: 'hostAck' }
  | { t: 'drop'; code: number }
  | { t: 'tick'; ms: number }
  | { t: 'replay'; from: number }
  | { t: 'expire' }
  | { t: 'lose' };

const count = (max: number) => fc.integer({ min: 1, max });
const base: fc.WeightedArbitrary<Step>[] = [
  { weight: 4, arbitrary: fc.record({ t: fc.constant('appSend' as const), n: count(4) }) },
  { weight: 4, arbitrary: fc.record({ t: fc.constant('hostEmit' as const), n: count(4) }) },
  { weight: 4, arbitrary: fc.record({ t: fc.constant('hostRead' as const), n: count(8) }) },
  { weight: 4, arbitrary: fc.record({ t: fc.constant('deliver' as const), n: count(8) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('hostAck' as const) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('drop' as const),
      code: fc.constantFrom(1001, 1006, 1011, 4004, 4005),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('tick' as const),
      ms: fc.integer({ min: 1, max: 3000 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('replay' as const),
      from: fc.integer({ min: 1, max: 20 }),
    }),
  },
];
const expire: fc.WeightedArbitrary<Step> = {
  weight: 2,
  arbitrary: fc.record({ t: fc.constant('expire' as const) }),
};
const lose: fc.WeightedArbitrary<Step> = {
  weight: 2,
  arbitrary: fc.record({ t: fc.constant('lose' as const) }),
};
const steps = (...extra: fc.WeightedArbitrary<Step>[]) =>
  fc.array(fc.oneof(...base, ...extra), { minLength: 20, maxLength: 120 });

/** Plays the steps; the app side queues like the SDK does (hand over only while open). */
function play(
  list: Step[],
  options: Partial<HostBridgeOptions>,
  host: (sockets: ReturnType<typeof setup>['fakes']['sockets']) => SimHost,
) {
  const t = setup({ ackDelayMs: 20, ackEvery: 4, ...options });
  const sim = host(t.fakes.sockets);
  const accepted: number[] = [];
  const queue: number[] = [];
  const flush = (bridge: HostBridge) => {
    while (queue.length > 0 && bridge.state === 'open') {
      const n = queue.shift() as number;
      if (bridge.send(uplink(n))) accepted.push(n);
    }
  };
  t.bridge.onStateChange(() => flush(t.bridge));
  let sent = 0;
  let emitted = 0;
  for (const s of list) {
    if (s.t === 'appSend') {
      for (let i = 0; i < s.n; i += 1) queue.push(++sent);
      flush(t.bridge);
    } else if (s.t === 'hostEmit') for (let i = 0; i < s.n; i += 1) sim.emit(++emitted);
    else if (s.t === 'hostRead') sim.read(s.n);
    else if (s.t === 'deliver') sim.deliver(s.n);
    else if (s.t === 'hostAck') sim.ack();
    else if (s.t === 'drop') sim.drop(s.code);
    else if (s.t === 'tick') vi.advanceTimersByTime(s.ms);
    else if (s.t === 'replay') sim.replay(s.from);
    else if (s.t === 'expire') sim.expire();
    else sim.loseNext();
  }
  // Settle: reconnect if needed, move everything in flight, and let resends fire.
  for (let round = 0; round < 200 && !(sim.quiet && t.bridge.unacked === 0); round += 1) {
    sim.read(10_000);
    sim.deliver(10_000);
    sim.ack();
    sim.deliver(10_000);
    vi.advanceTimersByTime(20);
    sim.read(10_000);
    if (t.bridge.state !== 'open') vi.advanceTimersByTime(11_000);
    else if (round > 2) vi.advanceTimersByTime(6_000);
  }
  const downlinks = t.received
    .filter((m) => (m as { type: string }).type === 'backend_message')
    .map((m) => (m as { payload: number }).payload);
  return { ...t, sim, accepted, sent, emitted, downlinks };
}

const oneToN = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
const increasing = (xs: unknown[]) =>
  xs.every((x, i) => i === 0 || (x as number) > (xs[i - 1] as number));

function finish(bridge: HostBridge) {
  bridge.close();
  expect(vi.getTimerCount()).toBe(0);
}

describe('exactly-once delivery', () => {
  it('across drops, resumes and replays: each uplink reaches the host once, in order, never resent after its ack; each downlink reaches the app once, in order', () => {
    fc.assert(
      fc.property(steps(), fc.double({ min: 0, max: 0.999, noNaN: true }), (list, r) => {
        // No ack timeouts here, so any frame the host sees twice is a replay bug.
        const run = play(list, { random: () => r, resendAfterMs: 1e9 }, (s) => new SimHost(s));
        try {
          expect(run.sim.violations).toEqual([]);
          expect(run.sim.processed).toEqual(oneToN(run.sent));
          expect(run.downlinks).toEqual(oneToN(run.emitted));
          expect(run.events.of('dropped')).toEqual([]);
          expect(run.events.of('session_lost')).toEqual([]);
          expect(run.events.of('error').filter((e) => e.source !== 'host')).toEqual([]);
        } finally {
          finish(run.bridge);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('with a host that drops frames (rate limit) and answers gaps with errors: still once and in order', () => {
    fc.assert(
      fc.property(steps(lose), (list) => {
        const run = play(list, { random: () => 0.5 }, (s) => new SimHost(s, 'welcome_new', false));
        try {
          expect(run.sim.violations).toEqual([]);
          expect(run.sim.processed).toEqual(oneToN(run.sent));
          expect(run.downlinks).toEqual(oneToN(run.emitted));
          expect(run.events.of('dropped')).toEqual([]);
        } finally {
          finish(run.bridge);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('with sessions that expire while away: nothing twice, nothing accepted lost without a report, order holds', () => {
    fc.assert(
      fc.property(
        steps(expire, lose),
        fc.constantFrom<UnknownSessionReply>('welcome_new', 'close_4007'),
        (list, reply) => {
          const run = play(list, { random: () => 0.5 }, (s) => new SimHost(s, reply, false));
          try {
            expect(run.sim.violations).toEqual([]);
            expect(increasing(run.sim.processed)).toBe(true);
            const reported = new Set(
              run.events
                .of('dropped')
                .flatMap((e) => e.messages.map((m) => (m as { payload: number }).payload)),
            );
            const processed = new Set(run.sim.processed);
            expect(run.accepted.filter((n) => !processed.has(n) && !reported.has(n))).toEqual([]);
            expect(
              run.events
                .of('dropped')
                .every((e) => e.reason === 'session_lost' && e.maybeDelivered),
            ).toBe(true);
            expect(increasing(run.downlinks)).toBe(true);
            const current = run.sim.producedInSession;
            expect(run.downlinks.slice(run.downlinks.length - current.length)).toEqual(current);
            expect(run.bridge.sessionId).toBe(run.sim.sessionId);
          } finally {
            finish(run.bridge);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
