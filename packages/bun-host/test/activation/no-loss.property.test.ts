/**
 * Property: across random interleavings of needs, idleness, cap changes, crashes, failed starts,
 * disables and drains, every message sent to an extension is delivered exactly once or refused
 * exactly once, deliveries keep the order of sending, and the manager's own starts never run more
 * runtimes than the cap (fake clock, real controllers over fake runtimes).
 */
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRig, settle } from './rig.ts';

const IDS = ['a', 'b', 'c', 'd'];

type Op =
  | { kind: 'send'; id: string }
  | { kind: 'busy'; id: string; busy: boolean }
  | { kind: 'advance'; ms: number }
  | { kind: 'crash'; id: string }
  | { kind: 'failNext'; id: string }
  | { kind: 'disable'; id: string }
  | { kind: 'enable'; id: string }
  | { kind: 'hibernate'; id: string }
  | { kind: 'cap'; cap: number };

const id = fc.constantFrom(...IDS);
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('send' as const), id }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('busy' as const), id, busy: fc.boolean() }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('advance' as const),
      ms: fc.integer({ min: 0, max: 400 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('crash' as const), id }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('failNext' as const), id }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('disable' as const), id }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('enable' as const), id }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('hibernate' as const), id }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('cap' as const),
      cap: fc.integer({ min: 1, max: 3 }),
    }),
  },
);

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('activation: no message lost or delivered twice', () => {
  it('holds across random interleavings', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(op, { minLength: 10, maxLength: 80 }),
        fc.integer({ min: 1, max: 3 }),
        fc.constantFrom(undefined, 150, 600),
        // Where a drain happens, if one does (most runs have none).
        fc.option(fc.nat({ max: 80 }), { freq: 3 }),
        async (ops, cap, idleAfterMs, drainAt) => {
          const settings = {
            maxActiveRuntimes: cap,
            capacityWaitMs: 500,
            maxCapacityWaiters: 2,
            ...(idleAfterMs === undefined ? {} : { idleAfterMs }),
          };
          const rig = createRig(IDS, settings);
          let highestCap = cap;
          const sent = new Map<string, number[]>(IDS.map((i) => [i, []]));
          let next = 0;
          try {
            for (const unit of rig.units.values()) await unit.controller.enableDormant();
            for (const [index, step] of ops.entries()) {
              if (index === drainAt) rig.manager.drain();
              const unit = 'id' in step ? rig.units.get(step.id)! : undefined;
              switch (step.kind) {
                case 'send':
                  next += 1;
                  sent.get(step.id)!.push(next);
                  rig.send(step.id, next);
                  break;
                case 'busy':
                  unit!.busy = step.busy;
                  rig.manager.reevaluate(step.id);
                  break;
                case 'advance':
                  await settle(step.ms);
                  break;
                case 'crash': {
                  const live = unit!.controller.runtime;
                  if (live && unit!.controller.state === 'running') {
                    (live as unknown as { exit(s: unknown): void }).exit({ code: 1, signal: null });
                  }
                  break;
                }
                case 'failNext':
                  unit!.failNextStart = true;
                  break;
                case 'disable':
                  void unit!.controller.disable();
                  break;
                case 'enable':
                  void unit!.controller.enableDormant().catch(() => {});
                  break;
                case 'hibernate':
                  void rig.manager.hibernate(step.id).catch(() => {});
                  break;
                case 'cap':
                  // A config reload: a raised cap lets waiters start, a lowered one admits none.
                  highestCap = Math.max(highestCap, step.cap);
                  rig.manager.configure({ ...settings, maxActiveRuntimes: step.cap }, () => ({
                    activation: 'lazy',
                  }));
                  break;
              }
              await settle(0);
            }
            // Let every start, stop, restart and wait run out, then stop everything.
            await settle(120_000);
            // Nothing waits for ever: everything was delivered or refused in bounded time.
            for (const unit of rig.units.values()) expect(unit.inbox.size).toBe(0);
            await Promise.all([rig.close(), settle(10_000)]);
            for (const i of IDS) {
              const unit = rig.units.get(i)!;
              const all = [...unit.delivered, ...unit.refused].sort((x, y) => x - y);
              expect(all).toEqual(sent.get(i));
              expect(unit.delivered).toEqual([...unit.delivered].sort((x, y) => x - y));
            }
            // Crash restarts hold their slot, so runtimes never outnumber the highest cap in
            // force (a lowered cap stops new starts; it does not stop what runs).
            expect(rig.maxLive).toBeLessThanOrEqual(highestCap);
          } finally {
            await Promise.all([rig.close(), settle(10_000)]);
          }
        },
      ),
      { numRuns: 200 },
    );
  }, 120_000);
});
