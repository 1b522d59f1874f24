import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { HostBridge } from '../src/index.ts';
import { setup, uplink } from './helpers.ts';
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
  | { t: 'replay'; from: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ t: fc.constant('appSend' as const), n: fc.integer({ min: 1, max: 4 }) }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      t: fc.constant('hostEmit' as const),
      n: fc.integer({ min: 1, max: 4 }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      t: fc.constant('hostRead' as const),
      n: fc.integer({ min: 1, max: 8 }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({ t: fc.constant('deliver' as const), n: fc.integer({ min: 1, max: 8 }) }),
  },
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
);

/** The SDK's side in miniature: queue while not open, hand over in order once open. */
function miniSdk(bridge: HostBridge) {
  const queue: number[] = [];
  const flush = () => {
    while (queue.length > 0 && bridge.state === 'open') {
      if (!bridge.send(uplink(queue[0] as number))) throw new Error('bridge refused an uplink');
      queue.shift();
    }
  };
  bridge.onStateChange(flush);
  return {
    send(n: number) {
      queue.push(n);
      flush();
    },
  };
}

describe('exactly-once delivery across drops, resumes and replays', () => {
  it('every uplink reaches the host once and in order; every downlink reaches the app once and in order', () => {
    fc.assert(
      fc.property(
        fc.array(step, { minLength: 20, maxLength: 120 }),
        fc.double({ min: 0, max: 0.999, noNaN: true }),
        (steps, r) => {
          const { bridge, fakes, events, received } = setup({
            random: () => r,
            ackDelayMs: 20,
            ackEvery: 4,
          });
          const host = new SimHost(fakes.sockets);
          const sdk = miniSdk(bridge);
          let sent = 0;
          let emitted = 0;
          try {
            for (const s of steps) {
              switch (s.t) {
                case 'appSend':
                  for (let i = 0; i < s.n; i += 1) sdk.send(++sent);
                  break;
                case 'hostEmit':
                  for (let i = 0; i < s.n; i += 1) host.emit(++emitted);
                  break;
                case 'hostRead':
                  host.read(s.n);
                  break;
                case 'deliver':
                  host.deliver(s.n);
                  break;
                case 'hostAck':
                  host.ack();
                  break;
                case 'drop':
                  host.drop(s.code);
                  break;
                case 'tick':
                  vi.advanceTimersByTime(s.ms);
                  break;
                case 'replay':
                  host.replay(s.from);
                  break;
              }
            }
            // Settle: reconnect if needed, then move everything in flight until both sides are quiet.
            for (let round = 0; round < 200 && !(host.quiet && bridge.unacked === 0); round += 1) {
              host.read(1000);
              host.deliver(1000);
              host.ack();
              host.deliver(1000);
              vi.advanceTimersByTime(20);
              host.read(1000);
              if (bridge.state !== 'open') vi.advanceTimersByTime(11_000);
            }
            expect(host.violations).toEqual([]);
            expect(host.processed).toEqual(Array.from({ length: sent }, (_, i) => i + 1));
            expect(received.map((m) => (m as { payload: unknown }).payload)).toEqual(
              Array.from({ length: emitted }, (_, i) => i + 1),
            );
            expect(events.of('dropped')).toEqual([]);
            expect(events.of('session_lost')).toEqual([]);
            expect(events.of('error').filter((e) => e.source !== 'host')).toEqual([]);
          } finally {
            bridge.close();
          }
          expect(vi.getTimerCount()).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('sessions that expire while the tab is away', () => {
  it('nothing is processed or delivered twice, nothing accepted vanishes without a report, order holds', () => {
    const withExpiry = fc.oneof(
      { weight: 12, arbitrary: step },
      { weight: 2, arbitrary: fc.record({ t: fc.constant('expire' as const) }) },
    );
    fc.assert(
      fc.property(
        fc.array(withExpiry, { minLength: 20, maxLength: 120 }),
        fc.constantFrom('welcome_new' as const, 'close_4007' as const),
        (steps, reply) => {
          const { bridge, fakes, events, received } = setup({ random: () => 0.5, ackDelayMs: 20 });
          const host = new SimHost(fakes.sockets, reply);
          const accepted: number[] = [];
          bridge.onStateChange(() => flush());
          const queue: number[] = [];
          const flush = () => {
            while (queue.length > 0 && bridge.state === 'open') {
              const n = queue.shift() as number;
              if (bridge.send(uplink(n))) accepted.push(n);
            }
          };
          let sent = 0;
          let emitted = 0;
          try {
            for (const s of steps) {
              if (s.t === 'expire') host.expire();
              else if (s.t === 'appSend') {
                for (let i = 0; i < s.n; i += 1) queue.push(++sent);
                flush();
              } else if (s.t === 'hostEmit') for (let i = 0; i < s.n; i += 1) host.emit(++emitted);
              else if (s.t === 'hostRead') host.read(s.n);
              else if (s.t === 'deliver') host.deliver(s.n);
              else if (s.t === 'hostAck') host.ack();
              else if (s.t === 'drop') host.drop(s.code);
              else if (s.t === 'tick') vi.advanceTimersByTime(s.ms);
              else host.replay(s.from);
            }
            for (let round = 0; round < 200 && !(host.quiet && bridge.unacked === 0); round += 1) {
              host.read(1000);
              host.deliver(1000);
              host.ack();
              host.deliver(1000);
              vi.advanceTimersByTime(20);
              host.read(1000);
              if (bridge.state !== 'open') vi.advanceTimersByTime(11_000);
            }
            expect(host.violations).toEqual([]);
            const increasing = (xs: unknown[]) =>
              xs.every((x, i) => i === 0 || (x as number) > (xs[i - 1] as number));
            // Uplinks: each processed at most once and in order; each accepted one processed or reported.
            expect(increasing(host.processed)).toBe(true);
            const reported = new Set(
              events
                .of('dropped')
                .flatMap((e) => e.messages.map((m) => (m as { payload: number }).payload)),
            );
            const processed = new Set(host.processed);
            expect(accepted.filter((n) => !processed.has(n) && !reported.has(n))).toEqual([]);
            expect(
              events.of('dropped').every((e) => e.reason === 'session_lost' && e.maybeDelivered),
            ).toBe(true);
            // Downlinks: each delivered at most once and in order; the current session's all delivered.
            const got = received.filter((m) => (m as { type: string }).type === 'backend_message');
            const payloads = got.map((m) => (m as { payload: number }).payload);
            expect(increasing(payloads)).toBe(true);
            expect(payloads.slice(payloads.length - host.producedInSession.length)).toEqual(
              host.producedInSession,
            );
            expect(bridge.sessionId).toBe(host.sessionId);
          } finally {
            bridge.close();
          }
          expect(vi.getTimerCount()).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });
});
