import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { bundle, deferred, flush, setupHost } from './helpers.ts';

describe('import deadline', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    expect(vi.getTimerCount()).toBe(0);
    vi.useRealTimers();
  });

  it('a hung import gives up its lane after laneHoldMs and ends in error at the deadline', async () => {
    const setup = vi.fn();
    const { host } = setupHost({
      lanes: 1,
      laneHoldMs: 200,
      modules: {
        'mem://hung': () => new Promise(() => {}),
        'mem://ok': { setup },
      },
    });
    const hung = host.load(bundle('hung'));
    host.load(bundle('ok'));
    await vi.advanceTimersByTimeAsync(199);
    expect(setup).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(setup).toHaveBeenCalledTimes(1);
    expect(host.get('ok')?.state).toBe('ready');
    await vi.advanceTimersByTimeAsync(9_799);
    expect(host.get('hung')?.state).toBe('loading');
    await vi.advanceTimersByTimeAsync(1);
    await expect(hung.settled).resolves.toMatchObject({
      state: 'error',
      code: 'IMPORT_TIMEOUT',
      error: '[spindle] bundle of extension hung did not finish importing within 10000 ms',
    });
    host.close();
  });

  it('a slow import that arrives after leaving its lane takes a lane again for setup', async () => {
    const slow = deferred<unknown>();
    const busy = deferred<unknown>();
    const order: string[] = [];
    const { host } = setupHost({
      lanes: 1,
      laneHoldMs: 100,
      modules: {
        'mem://slow': () => slow.promise,
        'mem://busy': () => busy.promise,
      },
    });
    host.load(bundle('slow'));
    host.load(bundle('busy'));
    await vi.advanceTimersByTimeAsync(100);
    // slow left its lane; busy holds the only lane now. slow's import arrives meanwhile.
    slow.resolve({ setup: () => void order.push('slow setup') });
    await vi.advanceTimersByTimeAsync(50);
    expect(order).toEqual([]);
    busy.resolve({ setup: () => void order.push('busy setup') });
    await vi.advanceTimersByTimeAsync(0);
    expect(order).toEqual(['busy setup', 'slow setup']);
    expect(host.list().map((e) => e.state)).toEqual(['ready', 'ready']);
    host.close();
  });

  it('with a hold as long as the deadline, a hung import holds its lane until the deadline', async () => {
    const setup = vi.fn();
    const { host } = setupHost({
      lanes: 1,
      laneHoldMs: 10_000,
      modules: { 'mem://hung': () => new Promise(() => {}), 'mem://ok': { setup } },
    });
    host.load(bundle('hung'));
    host.load(bundle('ok'));
    await vi.advanceTimersByTimeAsync(9_999);
    expect(setup).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(host.get('hung')).toMatchObject({ state: 'error', code: 'IMPORT_TIMEOUT' });
    expect(setup).toHaveBeenCalledTimes(1);
    host.close();
  });

  it('an import that finishes after its deadline is discarded (setup never runs)', async () => {
    const late = deferred<unknown>();
    const setup = vi.fn();
    const { host, sent } = setupHost({
      importTimeoutMs: 1_000,
      modules: { 'mem://slow': () => late.promise },
    });
    host.load(bundle('slow'));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(host.get('slow')).toMatchObject({ state: 'error', code: 'IMPORT_TIMEOUT' });
    late.resolve({ setup });
    await flush();
    expect(setup).not.toHaveBeenCalled();
    expect(host.get('slow')?.state).toBe('error');
    expect(sent('extension_mounted')).toEqual([]);
    host.close();
  });

  it('a newer load of the same extension frees the lane of a hung import at once', async () => {
    const setup = vi.fn();
    const { host } = setupHost({
      lanes: 1,
      modules: { 'mem://x/hung': () => new Promise(() => {}), 'mem://x/good': { setup } },
    });
    host.load(bundle('x', 'mem://x/hung'));
    await flush();
    host.load(bundle('x', 'mem://x/good'));
    await flush();
    expect(setup).toHaveBeenCalledTimes(1);
    expect(host.get('x')).toMatchObject({ generation: 2, state: 'ready' });
    host.close();
  });
});
