import type { SpindleFrontendContext } from '@spindle/types';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { bundle, deferred, flush, setupHost } from './helpers.ts';

describe('per-extension serialization and stale loads', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    expect(vi.getTimerCount()).toBe(0);
    vi.useRealTimers();
  });

  it('discards an older import that finishes after a newer load started', async () => {
    const old = deferred<unknown>();
    const oldSetup = vi.fn();
    const newSetup = vi.fn();
    const { host } = setupHost({
      modules: { 'mem://x/1': () => old.promise, 'mem://x/2': { setup: newSetup } },
    });
    const first = host.load(bundle('x', 'mem://x/1'));
    await flush();
    host.load(bundle('x', 'mem://x/2'));
    await flush();
    old.resolve({ setup: oldSetup });
    await flush();
    expect(oldSetup).not.toHaveBeenCalled();
    expect(newSetup).toHaveBeenCalledTimes(1);
    await expect(first.settled).resolves.toMatchObject({ generation: 1, state: 'unloaded' });
    expect(host.get('x')).toMatchObject({ generation: 2, state: 'ready' });
    host.close();
  });

  it('a stale async setup is torn down as soon as it resolves', async () => {
    const slow = deferred<void>();
    const oldCleanup = vi.fn();
    const { host, sent } = setupHost({
      modules: {
        'mem://x/1': {
          async setup() {
            await slow.promise;
            return oldCleanup;
          },
        },
        'mem://x/2': { setup: () => {} },
      },
    });
    host.load(bundle('x', 'mem://x/1'));
    await flush();
    host.load(bundle('x', 'mem://x/2'));
    await flush();
    expect(host.get('x')).toMatchObject({ generation: 2, state: 'ready' });
    slow.resolve();
    await flush();
    expect(oldCleanup).toHaveBeenCalledTimes(1);
    expect(host.get('x')).toMatchObject({ generation: 2, state: 'ready' });
    expect(sent('extension_mounted')).toHaveLength(1);
    host.close();
  });

  it('tears the older load down before the newer one runs setup', async () => {
    const log: string[] = [];
    const { host } = setupHost({
      modules: {
        'mem://x/1': { setup: () => () => log.push('teardown 1') },
        'mem://x/2': { setup: () => void log.push('setup 2') },
      },
    });
    host.load(bundle('x', 'mem://x/1'));
    await flush();
    host.load(bundle('x', 'mem://x/2'));
    await flush();
    expect(log).toEqual(['teardown 1', 'setup 2']);
    host.close();
  });

  it('loading an identical bundle is a no-op; so is a forced reload within the window', async () => {
    const setup = vi.fn();
    const { host } = setupHost({ reloadWindowMs: 1_000, modules: { 'mem://x': { setup } } });
    host.load(bundle('x'));
    const again = host.load(bundle('x'));
    expect(again).toMatchObject({ noop: true, generation: 1 });
    await flush();
    expect(host.reload('x')).toMatchObject({ noop: true, generation: 1 });
    expect(host.load(bundle('x'), { force: true })).toMatchObject({ noop: true });
    await flush();
    expect(setup).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(host.reload('x')).toMatchObject({ noop: false, generation: 2 });
    await flush();
    expect(setup).toHaveBeenCalledTimes(2);
    host.close();
  });

  it('compares bundles by hash when both have one', async () => {
    const setup = vi.fn();
    const { host } = setupHost({ modules: { 'mem://x?v=1': { setup }, 'mem://x?v=2': { setup } } });
    host.load({ ...bundle('x', 'mem://x?v=1'), hash: 'abc' });
    expect(host.load({ ...bundle('x', 'mem://x?v=2'), hash: 'abc' }).noop).toBe(true);
    expect(host.load({ ...bundle('x', 'mem://x?v=2'), hash: 'def' }).noop).toBe(false);
    await flush();
    expect(setup).toHaveBeenCalledTimes(1);
    expect(host.get('x')?.generation).toBe(2);
    host.close();
  });

  it('reloads an extension that is in error even when the bundle is identical', async () => {
    let attempt = 0;
    const { host } = setupHost({
      modules: {
        'mem://x': () => ({
          setup() {
            attempt += 1;
            if (attempt === 1) throw new Error('first try fails');
          },
        }),
      },
    });
    host.load(bundle('x'));
    await flush();
    expect(host.get('x')?.state).toBe('error');
    expect(host.load(bundle('x')).noop).toBe(false);
    await flush();
    expect(host.get('x')).toMatchObject({ state: 'ready', generation: 2 });
    host.close();
  });

  it('an unload during loading makes the load stale: setup never runs', async () => {
    const gate = deferred<unknown>();
    const setup = vi.fn();
    const { host } = setupHost({ modules: { 'mem://x': () => gate.promise } });
    const ticket = host.load(bundle('x'));
    await flush();
    host.unload('x');
    gate.resolve({ setup });
    await flush();
    expect(setup).not.toHaveBeenCalled();
    expect(host.get('x')).toBeUndefined();
    await expect(ticket.settled).resolves.toMatchObject({ state: 'unloaded' });
    host.close();
  });

  it('state events carry the generation of the load they belong to', async () => {
    const { host } = setupHost({
      modules: {
        'mem://x/1': { setup: () => {} },
        'mem://x/2': { setup: (c: SpindleFrontendContext) => c.deferReady() },
      },
    });
    const events: string[] = [];
    host.events.on('state', (e) => events.push(`${e.generation}:${e.state}`));
    host.load(bundle('x', 'mem://x/1'));
    await flush();
    host.load(bundle('x', 'mem://x/2'));
    await flush();
    expect(events).toEqual([
      '1:loading',
      '1:mounted',
      '1:ready',
      '2:loading',
      '1:unloaded',
      '2:mounted',
    ]);
    host.close();
  });
});
