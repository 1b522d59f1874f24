import type { ExtensionInfoDTO } from '@spindle/types';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { bundle, flush, manifest, setupHost, spawnMessage } from './helpers.ts';

describe('routing of host messages', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    expect(vi.getTimerCount()).toBe(0);
    vi.useRealTimers();
  });

  it('turns extension_state / extension_removed / runtime_stats into events without loading anything', () => {
    const { host, remote, loader } = setupHost();
    const seen: unknown[] = [];
    host.events.on('extension_state', (e) => seen.push(['state', e.identifier, e.state]));
    host.events.on('extension_removed', (e) => seen.push(['removed', e.extensionId]));
    host.events.on('runtime_stats', (e) => seen.push(['stats', e.extension]));
    const info: ExtensionInfoDTO = {
      identifier: 'x',
      manifest: manifest('x'),
      state: 'running',
      frontendUrl: '/x.js',
    };
    remote.send({ type: 'extension_state', extension: info });
    remote.send({ type: 'extension_removed', extensionId: 'x' });
    remote.send({
      type: 'runtime_stats',
      event: {
        extension: 'x',
        extensionId: 'x',
        identifier: 'x',
        name: 'X',
        runtimeMode: 'process',
        phase: 'sample',
        pid: 1,
        rssKb: 1,
        at: '',
      },
    });
    expect(seen).toEqual([
      ['state', 'x', 'running'],
      ['removed', 'x'],
      ['stats', 'x'],
    ]);
    expect(loader).not.toHaveBeenCalled();
    expect(host.list()).toEqual([]);
    host.close();
  });

  it('announces a mount after setup and an unmount on unload; never for a failed load', async () => {
    const { host, remote } = setupHost({
      modules: { 'mem://ok': { setup() {} }, 'mem://bad': { nope: true } },
    });
    host.load(bundle('ok'));
    host.load(bundle('bad'));
    await flush();
    host.unload('ok');
    host.unload('bad');
    expect(remote.received).toEqual([
      { type: 'extension_mounted', extensionId: 'ok' },
      { type: 'extension_unmounted', extensionId: 'ok' },
    ]);
    host.close();
  });

  it('refuses a spawn for an extension that is not loaded, visibly', () => {
    const { host, remote, sent } = setupHost();
    const drops: unknown[] = [];
    host.events.on('dropped', (e) => drops.push([e.what, e.reason, e.processId]));
    remote.send(spawnMessage('ghost', 'p9', 'k'));
    expect(sent('process_ended')).toEqual([
      {
        type: 'process_ended',
        processId: 'p9',
        outcome: 'failed',
        error: '[spindle] extension ghost is not loaded in this frontend session',
      },
    ]);
    expect(drops).toEqual([['process_spawn', 'not_loaded', 'p9']]);
    expect(host.stats().processSpawnsRefused).toBe(1);
    host.close();
  });

  it('answers a stop for an unknown process with process_ended stopped', () => {
    const { host, remote, sent } = setupHost();
    remote.send({ type: 'process_stop', processId: 'old', force: false });
    expect(sent('process_ended')).toEqual([
      { type: 'process_ended', processId: 'old', outcome: 'stopped' },
    ]);
    host.close();
  });

  it('ignores a duplicate spawn of a live process id', async () => {
    const handler = vi.fn((p: { ready(): void }) => p.ready());
    const { host, remote } = setupHost({
      modules: {
        'mem://x': {
          setup: (ctx: { processes: { register: (k: string, h: unknown) => void } }) =>
            ctx.processes.register('k', handler),
        },
      },
    });
    host.load(bundle('x'));
    await flush();
    remote.send(spawnMessage('x', 'p1', 'k'));
    remote.send(spawnMessage('x', 'p1', 'k'));
    expect(handler).toHaveBeenCalledTimes(1);
    expect(host.stats().processSpawnsRefused).toBe(1);
    expect(host.processes()).toEqual([
      { processId: 'p1', extensionId: 'x', kind: 'k', state: 'running' },
    ]);
    host.close();
  });

  it('process_terminated ends the local process silently with the host state and reason', async () => {
    const cleanup = vi.fn();
    const { host, remote, sent } = setupHost({
      modules: {
        'mem://x': {
          setup: (ctx: { processes: { register: (k: string, h: unknown) => void } }) =>
            ctx.processes.register('k', (p: { ready(): void }) => {
              p.ready();
              return cleanup;
            }),
        },
      },
    });
    const events: unknown[] = [];
    host.events.on('process', (e) => events.push([e.info.state, e.info.exitReason]));
    host.load(bundle('x'));
    await flush();
    remote.send(spawnMessage('x', 'p1', 'k'));
    remote.send({
      type: 'process_terminated',
      processId: 'p1',
      state: 'timed_out',
      exitReason: 'timed_out',
      error: 'heartbeat',
    });
    expect(cleanup).toHaveBeenCalledTimes(1);
    expect(sent('process_ended')).toEqual([]);
    expect(events).toEqual([
      ['starting', undefined],
      ['running', undefined],
      ['timed_out', 'timed_out'],
    ]);
    host.close();
  });
});
