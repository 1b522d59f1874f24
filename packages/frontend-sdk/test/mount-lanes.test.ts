import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createExtensionHost } from '../src/host/host.ts';
import { createMemoryTransport } from '../src/transport.ts';
import { bundle, type Deferred, deferred, flush, setupHost } from './helpers.ts';

describe('deferred, non-blocking mounting in lanes', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    expect(vi.getTimerCount()).toBe(0);
    vi.useRealTimers();
  });

  function hostWithGates(count: number, lanes?: number) {
    const gates: Deferred<unknown>[] = [];
    const setups: string[] = [];
    const modules: Record<string, () => Promise<unknown>> = {};
    for (let i = 0; i < count; i += 1) {
      const gate = deferred<unknown>();
      gates.push(gate);
      modules[`mem://e${i}`] = () =>
        gate.promise.then(() => ({ setup: () => void setups.push(`e${i}`) }));
    }
    const yields: number[] = [];
    const env = setupHost({
      ...(lanes === undefined ? {} : { lanes }),
      modules,
      yieldToBrowser: async () => {
        yields.push(setups.length);
      },
    });
    return { ...env, gates, setups, yields };
  }

  it('load() returns at once with the extension loading; list() never waits for bundles', () => {
    const { host } = hostWithGates(1, 4);
    const ticket = host.load(bundle('e0'));
    expect(ticket).toMatchObject({
      extensionId: 'e0',
      state: 'loading',
      generation: 1,
      noop: false,
    });
    expect(host.list()).toEqual([
      { extensionId: 'e0', generation: 1, state: 'loading', isolation: 'main' },
    ]);
    host.close();
  });

  it('imports at most `lanes` bundles at once', async () => {
    const { host, gates, loader } = hostWithGates(5, 2);
    for (let i = 0; i < 5; i += 1) host.load(bundle(`e${i}`));
    await flush();
    expect(loader).toHaveBeenCalledTimes(2);
    gates[0]?.resolve(undefined);
    await flush();
    expect(loader).toHaveBeenCalledTimes(3);
    gates[1]?.resolve(undefined);
    gates[2]?.resolve(undefined);
    await flush();
    expect(loader).toHaveBeenCalledTimes(5);
    for (const gate of gates) gate.resolve(undefined);
    await flush();
    expect(host.list().map((e) => e.state)).toEqual(['ready', 'ready', 'ready', 'ready', 'ready']);
    host.close();
  });

  it('defaults to 4 lanes', async () => {
    const { host, loader } = hostWithGates(6);
    for (let i = 0; i < 6; i += 1) host.load(bundle(`e${i}`));
    await flush();
    expect(loader).toHaveBeenCalledTimes(4);
    host.close();
  });

  it('yields to the browser after every mount before a lane takes the next bundle', async () => {
    const { host, gates, yields } = hostWithGates(3, 1);
    for (let i = 0; i < 3; i += 1) host.load(bundle(`e${i}`));
    for (const gate of gates) gate.resolve(undefined);
    await flush();
    expect(yields).toEqual([1, 2, 3]);
    host.close();
  });

  it('settles each ticket when its bundle is ready', async () => {
    const { host, gates } = hostWithGates(2, 4);
    const a = host.load(bundle('e0'));
    const b = host.load(bundle('e1'));
    gates[1]?.resolve(undefined);
    await expect(b.settled).resolves.toMatchObject({ extensionId: 'e1', state: 'ready' });
    expect(host.get('e0')?.state).toBe('loading');
    gates[0]?.resolve(undefined);
    await expect(a.settled).resolves.toMatchObject({ state: 'ready' });
    host.close();
  });

  it('rejects bad input with INVALID_OPTIONS and a closed host with HOST_CLOSING', () => {
    const { host } = setupHost();
    expect(() => host.load({ manifest: {} } as never)).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTIONS' }),
    );
    expect(() => host.load({ manifest: bundle('x').manifest })).toThrow(/needs a url or a source/);
    expect(() => host.load(bundle('x'), { isolation: 'worker' })).toThrow(/no workerConnector/);
    expect(() => setupHost({ lanes: 0 })).toThrow(/lanes must be a positive integer/);
    host.close();
    expect(() => host.load(bundle('x'))).toThrow(expect.objectContaining({ code: 'HOST_CLOSING' }));
  });

  it('refuses bad host options with INVALID_OPTIONS', () => {
    expect(() => createExtensionHost({} as never)).toThrow(/options.transport must be a Transport/);
    const { transport } = createMemoryTransport();
    expect(() => createExtensionHost({ transport, importTimeoutMs: -1 })).toThrow(
      '[spindle] createExtensionHost: importTimeoutMs must be a finite number >= 0, got -1',
    );
    expect(() => createExtensionHost({ transport, queueLimits: { startup: Number.NaN } })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTIONS' }),
    );
  });
});
