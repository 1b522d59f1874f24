import type { SpindleFrontendContext } from '@spindle/types';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ExtensionErrorEvent } from '../src/index.ts';
import { bundle, deferred, flush, setupHost } from './helpers.ts';

describe('setup(ctx) results and teardown', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    expect(vi.getTimerCount()).toBe(0);
    vi.useRealTimers();
  });

  it('runs the cleanup setup returned, once, on unload', async () => {
    const cleanup = vi.fn();
    const { host } = setupHost({ modules: { 'mem://x': { setup: () => cleanup } } });
    host.load(bundle('x'));
    await flush();
    host.unload('x');
    host.unload('x');
    expect(cleanup).toHaveBeenCalledTimes(1);
    host.close();
  });

  it('accepts a promise of a cleanup', async () => {
    const cleanup = vi.fn();
    const { host } = setupHost({ modules: { 'mem://x': { setup: async () => cleanup } } });
    host.load(bundle('x'));
    await flush();
    expect(host.get('x')?.state).toBe('ready');
    host.unload('x');
    expect(cleanup).toHaveBeenCalledTimes(1);
    host.close();
  });

  it('falls back to an exported teardown when setup returns none', async () => {
    const teardown = vi.fn();
    const { host } = setupHost({ modules: { 'mem://x': { setup: () => {}, teardown } } });
    host.load(bundle('x'));
    await flush();
    host.unload('x');
    expect(teardown).toHaveBeenCalledTimes(1);
    host.close();
  });

  it('prefers the returned cleanup over an exported teardown', async () => {
    const cleanup = vi.fn();
    const teardown = vi.fn();
    const { host } = setupHost({ modules: { 'mem://x': { setup: () => cleanup, teardown } } });
    host.load(bundle('x'));
    await flush();
    host.unload('x');
    expect(cleanup).toHaveBeenCalledTimes(1);
    expect(teardown).not.toHaveBeenCalled();
    host.close();
  });

  it('a rejected async setup unloads the extension into error, leaving nothing behind', async () => {
    const gate = deferred<void>();
    const { host, sent, remote } = setupHost({
      modules: {
        'mem://x': {
          async setup(ctx: SpindleFrontendContext) {
            ctx.dom?.addStyle('.x{}');
            ctx.onBackendMessage(() => {});
            ctx.processes.register('job', () => {});
            await gate.promise;
            throw new Error('config missing');
          },
        },
      },
    });
    const ticket = host.load(bundle('x'));
    await flush();
    expect(document.head.querySelectorAll('style')).toHaveLength(1);
    gate.resolve();
    await expect(ticket.settled).resolves.toMatchObject({
      state: 'error',
      code: 'SETUP_FAILED',
      error: '[spindle] setup() of extension x failed: config missing',
    });
    expect(document.head.querySelectorAll('style')).toHaveLength(0);
    expect(sent('extension_mounted')).toEqual([]);
    remote.send({ type: 'backend_message', extensionId: 'x', payload: 1 });
    expect(host.stats().backendMessagesDropped).toBe(1);
    host.close();
  });

  it('reports a throwing teardown as an error event; unload still completes', async () => {
    const { host } = setupHost({
      modules: {
        'mem://x': {
          setup: (ctx: SpindleFrontendContext) => {
            ctx.dom?.addStyle('.x{}');
            return () => {
              throw new Error('teardown broke');
            };
          },
        },
      },
    });
    const errors: ExtensionErrorEvent[] = [];
    host.events.on('error', (e) => errors.push(e));
    host.load(bundle('x'));
    await flush();
    host.unload('x');
    expect(errors).toEqual([{ extensionId: 'x', phase: 'teardown', message: 'teardown broke' }]);
    expect(document.head.querySelectorAll('style')).toHaveLength(0);
    host.close();
  });

  it('an async setup that never settles ends in error at the setup deadline', async () => {
    const { host } = setupHost({
      setupTimeoutMs: 5_000,
      modules: { 'mem://x': { setup: () => new Promise(() => {}) } },
    });
    const ticket = host.load(bundle('x'));
    await vi.advanceTimersByTimeAsync(4_999);
    expect(host.get('x')?.state).toBe('loading');
    await vi.advanceTimersByTimeAsync(1);
    await expect(ticket.settled).resolves.toMatchObject({
      state: 'error',
      code: 'SETUP_FAILED',
      error: '[spindle] setup() of extension x did not finish within 5000 ms',
    });
    host.close();
  });
});
