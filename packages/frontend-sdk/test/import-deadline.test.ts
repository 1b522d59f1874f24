import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { bundle, deferred, flush, setupHost } from './helpers.ts';

describe('import deadline', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    expect(vi.getTimerCount()).toBe(0);
    vi.useRealTimers();
  });

  it('a hung import ends in error at the deadline and frees its lane', async () => {
    const setup = vi.fn();
    const { host } = setupHost({
      lanes: 1,
      modules: {
        'mem://hung': () => new Promise(() => {}),
        'mem://ok': { setup },
      },
    });
    const hung = host.load(bundle('hung'));
    host.load(bundle('ok'));
    await flush();
    expect(setup).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(9_999);
    expect(host.get('hung')?.state).toBe('loading');
    await vi.advanceTimersByTimeAsync(1);
    await expect(hung.settled).resolves.toMatchObject({
      state: 'error',
      code: 'IMPORT_TIMEOUT',
      error: '[spindle] bundle of extension hung did not finish importing within 10000 ms',
    });
    expect(setup).toHaveBeenCalledTimes(1);
    expect(host.get('ok')?.state).toBe('ready');
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
