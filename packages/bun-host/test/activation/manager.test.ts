/**
 * The activation manager on a fake clock (docs/operations.md, "Activation and hibernation"):
 * lazy wake-up with single flight, idle hibernation, keepAlive, LRU eviction at the cap, bounded
 * waiting, drain, and failed starts.
 */
import { isSpindleError } from '@spindle/types';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRig, type Rig, settle } from './rig.ts';

let rig: Rig | undefined;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
});
afterEach(async () => {
  await rig?.close();
  rig = undefined;
  vi.useRealTimers();
});

async function dormant(r: Rig): Promise<void> {
  for (const unit of r.units.values()) await unit.controller.enableDormant();
}

describe('lazy activation', () => {
  it('the first message wakes a hibernated extension once; messages wait and arrive in order', async () => {
    rig = createRig(['a'], {});
    await dormant(rig);
    const a = rig.units.get('a')!;
    expect(a.controller.state).toBe('hibernated');
    for (let n = 1; n <= 5; n += 1) rig.send('a', n);
    expect(a.delivered).toEqual([]);
    expect(rig.manager.isActivating('a')).toBe(true);
    await settle(50);
    expect(a.controller.state).toBe('running');
    expect(a.runtimes).toHaveLength(1);
    expect(a.delivered).toEqual([1, 2, 3, 4, 5]);
    rig.send('a', 6);
    expect(a.delivered.at(-1)).toBe(6);
  });

  it('concurrent ensure calls share one activation and all resolve', async () => {
    rig = createRig(['a'], {});
    await dormant(rig);
    const calls = [
      rig.manager.ensure('a', 'mount'),
      rig.manager.ensure('a', 'message'),
      rig.manager.ensure('a', 'spawn'),
    ];
    await settle(50);
    await expect(Promise.all(calls)).resolves.toEqual([undefined, undefined, undefined]);
    expect(rig.units.get('a')!.runtimes).toHaveLength(1);
  });

  it('a start that fails refuses what waited and reports EXTENSION_INACTIVE', async () => {
    rig = createRig(['a'], {});
    await dormant(rig);
    const a = rig.units.get('a')!;
    a.failNextStart = true;
    const ensured = rig.manager.ensure('a', 'admin').catch((e: unknown) => e);
    rig.send('a', 1);
    await settle(50);
    expect(isSpindleError(await ensured, 'EXTENSION_INACTIVE')).toBe(true);
    expect(a.controller.state).toBe('failed');
    expect(a.refused).toEqual([1]);
    expect(a.delivered).toEqual([]);
    // A failed extension is not woken by a need: it waits for the operator.
    rig.send('a', 2);
    expect(a.refused).toEqual([1, 2]);
    await expect(rig.manager.ensure('a', 'message')).rejects.toMatchObject({
      code: 'EXTENSION_INACTIVE',
    });
  });
});

describe('idle hibernation', () => {
  it('hibernates an idle runtime after idleAfterMs with exit reason idle; traffic postpones it', async () => {
    rig = createRig(['a'], { idleAfterMs: 1000 });
    await dormant(rig);
    const a = rig.units.get('a')!;
    rig.send('a', 1);
    await settle(20);
    expect(a.controller.state).toBe('running');
    await settle(600);
    rig.send('a', 2);
    await settle(600);
    expect(a.controller.state).toBe('running');
    await settle(500);
    expect(a.controller.state).toBe('hibernated');
    expect(a.exits.map((e) => e.reason)).toEqual(['idle']);
    rig.send('a', 3);
    await settle(20);
    expect(a.delivered).toEqual([1, 2, 3]);
    expect(a.runtimes).toHaveLength(2);
  });

  it('a busy runtime stays; the idle clock starts when it becomes idle', async () => {
    rig = createRig(['a'], { idleAfterMs: 1000 });
    await dormant(rig);
    const a = rig.units.get('a')!;
    a.busy = true;
    await Promise.all([rig.manager.ensure('a', 'admin'), settle(20)]);
    await settle(5000);
    expect(a.controller.state).toBe('running');
    a.busy = false;
    rig.manager.reevaluate('a');
    await settle(999);
    expect(a.controller.state).toBe('running');
    await settle(10);
    expect(a.controller.state).toBe('hibernated');
  });

  it('keepAlive (settings or manifest) never hibernates', async () => {
    rig = createRig(['a', 'b'], {
      idleAfterMs: 100,
      extensions: { a: { keepAlive: true } },
    });
    await dormant(rig);
    rig.manager.add(
      {
        id: 'b',
        state: () => rig!.units.get('b')!.controller.state,
        start: () => rig!.units.get('b')!.controller.wake(),
        enable: () => rig!.units.get('b')!.controller.enable(),
        enableDormant: () => rig!.units.get('b')!.controller.enableDormant(),
        hibernate: (r) => rig!.units.get('b')!.controller.hibernate(r),
        busy: () => false,
      },
      { keepAlive: true },
    );
    rig.send('a', 1);
    rig.send('b', 2);
    await settle(10_000);
    expect(rig.units.get('a')!.controller.state).toBe('running');
    expect(rig.units.get('b')!.controller.state).toBe('running');
  });

  it('without idleAfterMs (the default) nothing hibernates', async () => {
    rig = createRig(['a'], {});
    await dormant(rig);
    rig.send('a', 1);
    await settle(3_600_000);
    expect(rig.units.get('a')!.controller.state).toBe('running');
  });
});

describe('maxActiveRuntimes', () => {
  it('at the cap, the least recently used idle runtime is evicted before the new one starts', async () => {
    rig = createRig(['a', 'b', 'c'], { maxActiveRuntimes: 2 });
    await dormant(rig);
    rig.send('a', 1);
    await settle(5);
    rig.send('b', 2);
    await settle(20);
    rig.send('a', 3); // a is now used more recently than b
    rig.send('c', 4);
    await settle(50);
    expect(rig.units.get('b')!.controller.state).toBe('hibernated');
    expect(rig.units.get('b')!.exits.map((e) => e.reason)).toEqual(['evicted']);
    expect(rig.units.get('a')!.controller.state).toBe('running');
    expect(rig.units.get('c')!.delivered).toEqual([4]);
    expect(rig.maxLive).toBe(2);
  });

  it('when none is idle, an activation waits and starts once one becomes idle', async () => {
    rig = createRig(['a', 'b'], { maxActiveRuntimes: 1, capacityWaitMs: 5000 });
    await dormant(rig);
    const a = rig.units.get('a')!;
    a.busy = true;
    rig.send('a', 1);
    await settle(20);
    rig.send('b', 2);
    await settle(1000);
    expect(rig.units.get('b')!.controller.state).toBe('hibernated');
    expect(rig.manager.waiting).toBe(1);
    a.busy = false;
    rig.manager.reevaluate('a');
    await settle(50);
    expect(a.controller.state).toBe('hibernated');
    expect(rig.units.get('b')!.delivered).toEqual([2]);
    expect(rig.maxLive).toBe(1);
  });

  it('the wait is bounded: CAPACITY_EXCEEDED, and what waited is refused', async () => {
    rig = createRig(['a', 'b'], { maxActiveRuntimes: 1, capacityWaitMs: 2000 });
    await dormant(rig);
    rig.units.get('a')!.busy = true;
    rig.send('a', 1);
    await settle(20);
    const waited = rig.manager.ensure('b', 'admin').catch((e: unknown) => e);
    rig.send('b', 2);
    await settle(2000);
    const error = await waited;
    expect(isSpindleError(error, 'CAPACITY_EXCEEDED')).toBe(true);
    expect((error as Error).message).toContain('within 2000 ms');
    expect(rig.units.get('b')!.refused).toEqual([2]);
    expect(rig.manager.waiting).toBe(0);
  });

  it('waiters are bounded: one past maxCapacityWaiters fails at once', async () => {
    rig = createRig(['a', 'b', 'c'], {
      maxActiveRuntimes: 1,
      maxCapacityWaiters: 1,
      capacityWaitMs: 10_000,
    });
    await dormant(rig);
    rig.units.get('a')!.busy = true;
    await Promise.all([rig.manager.ensure('a', 'admin'), settle(20)]);
    const first = rig.manager.ensure('b', 'admin').catch((e: unknown) => e);
    const second = rig.manager.ensure('c', 'admin').catch((e: unknown) => e);
    await settle(0);
    expect(isSpindleError(await second, 'CAPACITY_EXCEEDED')).toBe(true);
    expect(rig.manager.waiting).toBe(1);
    await settle(10_000);
    expect(isSpindleError(await first, 'CAPACITY_EXCEEDED')).toBe(true);
  });

  it('an enable at the cap neither evicts nor waits', async () => {
    rig = createRig(['a', 'b'], { maxActiveRuntimes: 1 });
    await dormant(rig);
    await Promise.all([rig.manager.ensure('a', 'admin'), settle(20)]);
    await expect(
      rig.manager.ensure('b', 'enable', { evict: false, wait: false }),
    ).rejects.toMatchObject({ code: 'CAPACITY_EXCEEDED' });
    expect(rig.units.get('a')!.controller.state).toBe('running');
    expect(rig.units.get('b')!.controller.state).toBe('hibernated');
  });

  it('raising the cap by configure lets a waiter start', async () => {
    rig = createRig(['a', 'b'], { maxActiveRuntimes: 1 });
    await dormant(rig);
    rig.units.get('a')!.busy = true;
    await Promise.all([rig.manager.ensure('a', 'admin'), settle(20)]);
    const waiting = rig.manager.ensure('b', 'admin');
    await settle(10);
    rig.manager.configure({ maxActiveRuntimes: 2 }, () => ({ activation: 'lazy' }));
    await settle(20);
    await expect(waiting).resolves.toBeUndefined();
    expect(rig.live()).toBe(2);
  });
});

describe('drain', () => {
  it('refuses activations with DRAINING, fails waiters, refuses queued work, stops idle timers', async () => {
    rig = createRig(['a', 'b', 'c'], { maxActiveRuntimes: 1, idleAfterMs: 100 });
    await dormant(rig);
    const a = rig.units.get('a')!;
    a.busy = true;
    rig.send('a', 1);
    await settle(20);
    const waiter = rig.manager.ensure('b', 'admin').catch((e: unknown) => e);
    rig.send('b', 2);
    await settle(0);
    rig.manager.drain();
    expect(isSpindleError(await waiter, 'DRAINING')).toBe(true);
    await settle(0);
    expect(rig.units.get('b')!.refused).toEqual([2]);
    rig.send('c', 3);
    await settle(0);
    expect(rig.units.get('c')!.refused).toEqual([3]);
    a.busy = false;
    rig.manager.reevaluate('a');
    await settle(1000);
    expect(a.controller.state).toBe('running');
    rig.send('a', 4);
    expect(a.delivered).toEqual([1, 4]);
  });
});
