import type { SpindleFrontendContext } from '@spindle/types';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { bundle, deferred, flush, setupHost, spawnMessage } from './helpers.ts';

/** An extension that defers readiness and records what reaches it. */
function deferringModule(log: unknown[], onCtx: (ctx: SpindleFrontendContext) => void = () => {}) {
  return {
    setup(ctx: SpindleFrontendContext) {
      ctx.deferReady();
      ctx.onBackendMessage((m) => log.push(['message', m]));
      ctx.processes.register('job', (p) => {
        log.push(['spawn', p.processId]);
        p.onMessage((m) => log.push(['process_message', p.processId, m]));
        p.ready();
      });
      onCtx(ctx);
    },
  };
}

describe('startup queue: held until ready, replayed exactly once', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    expect(vi.getTimerCount()).toBe(0);
    vi.useRealTimers();
  });

  it('holds backend messages and spawns until ready(), then replays them once, in order', async () => {
    const log: unknown[] = [];
    let ctx: SpindleFrontendContext | undefined;
    const { host, remote } = setupHost({
      modules: { 'mem://ext': deferringModule(log, (c) => (ctx = c)) },
    });
    host.load(bundle('ext'));
    await flush();
    expect(host.get('ext')?.state).toBe('mounted');
    remote.send({ type: 'backend_message', extensionId: 'ext', payload: 1 });
    remote.send(spawnMessage('ext', 'p1', 'job'));
    remote.send({ type: 'process_message', processId: 'p1', payload: 'for p1' });
    remote.send({ type: 'backend_message', extensionId: 'ext', payload: 2 });
    expect(log).toEqual([]);
    ctx?.ready();
    expect(host.get('ext')?.state).toBe('ready');
    expect(log).toEqual([
      ['message', 1],
      ['spawn', 'p1'],
      ['process_message', 'p1', 'for p1'],
      ['message', 2],
    ]);
    ctx?.ready();
    remote.send({ type: 'backend_message', extensionId: 'ext', payload: 3 });
    expect(log.filter((e) => (e as unknown[])[0] === 'message')).toEqual([
      ['message', 1],
      ['message', 2],
      ['message', 3],
    ]);
    host.close();
  });

  it('holds messages that arrive while the bundle is still loading, and replays on auto-ready', async () => {
    const log: unknown[] = [];
    const gate = deferred<unknown>();
    const { host, remote } = setupHost({
      modules: {
        'mem://ext': () =>
          gate.promise.then(() => ({
            setup: (ctx: SpindleFrontendContext) => ctx.onBackendMessage((m) => log.push(m)),
          })),
      },
    });
    host.load(bundle('ext'));
    remote.send({ type: 'backend_message', extensionId: 'ext', payload: 'early' });
    await flush();
    expect(log).toEqual([]);
    gate.resolve(undefined);
    await flush();
    expect(host.get('ext')?.state).toBe('ready');
    expect(log).toEqual(['early']);
    host.close();
  });

  it('becomes ready automatically at the deferReady deadline and replays then', async () => {
    const log: unknown[] = [];
    const { host, remote } = setupHost({
      readyTimeoutMs: 5_000,
      modules: { 'mem://ext': deferringModule(log) },
    });
    const states: unknown[] = [];
    host.events.on('state', (e) => states.push([e.state, e.readyTimedOut ?? false]));
    host.load(bundle('ext'));
    await flush();
    remote.send({ type: 'backend_message', extensionId: 'ext', payload: 'held' });
    await vi.advanceTimersByTimeAsync(4_999);
    expect(log).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(log).toEqual([['message', 'held']]);
    expect(states).toEqual([
      ['loading', false],
      ['mounted', false],
      ['ready', true],
    ]);
    host.close();
  });

  it('ready() called inside setup makes the extension ready as soon as setup returns', async () => {
    const log: unknown[] = [];
    const { host, remote } = setupHost({
      modules: {
        'mem://ext': {
          setup(ctx: SpindleFrontendContext) {
            ctx.deferReady();
            ctx.onBackendMessage((m) => log.push(m));
            ctx.ready();
          },
        },
      },
    });
    host.load(bundle('ext'));
    remote.send({ type: 'backend_message', extensionId: 'ext', payload: 'x' });
    await flush();
    expect(host.get('ext')?.state).toBe('ready');
    expect(log).toEqual(['x']);
    host.close();
  });

  it('is bounded: overflowing messages are counted, an overflowing spawn fails visibly', async () => {
    const log: unknown[] = [];
    const { host, remote, sent } = setupHost({
      queueLimits: { startup: 2 },
      modules: { 'mem://ext': deferringModule(log) },
    });
    host.load(bundle('ext'));
    await flush();
    remote.send({ type: 'backend_message', extensionId: 'ext', payload: 1 });
    remote.send({ type: 'backend_message', extensionId: 'ext', payload: 2 });
    remote.send({ type: 'backend_message', extensionId: 'ext', payload: 3 });
    remote.send(spawnMessage('ext', 'p1', 'job'));
    expect(host.stats().backendMessagesDropped).toBe(1);
    expect(sent('process_ended')).toEqual([
      {
        type: 'process_ended',
        processId: 'p1',
        outcome: 'failed',
        error: '[spindle] startup queue of extension ext is full (2); process p1 refused',
      },
    ]);
    host.close();
  });

  it('never replays into a newer load of the same extension', async () => {
    const first: unknown[] = [];
    const second: unknown[] = [];
    const { host, remote, sent } = setupHost({
      modules: { 'mem://ext/1': deferringModule(first), 'mem://ext/2': deferringModule(second) },
    });
    host.load(bundle('ext', 'mem://ext/1'));
    await flush();
    remote.send({ type: 'backend_message', extensionId: 'ext', payload: 'for load 1' });
    remote.send(spawnMessage('ext', 'p1', 'job'));
    host.load(bundle('ext', 'mem://ext/2'));
    await flush();
    expect(host.get('ext')).toMatchObject({ generation: 2, state: 'mounted' });
    host.close();
    expect(first).toEqual([]);
    expect(second).toEqual([]);
    expect(host.stats().backendMessagesDropped).toBe(1);
    expect(sent('process_ended')).toEqual([
      { type: 'process_ended', processId: 'p1', outcome: 'frontend_unloaded' },
    ]);
  });

  it('a held spawn that is force-stopped or terminated never starts its handler', async () => {
    const log: unknown[] = [];
    let ctx: SpindleFrontendContext | undefined;
    const { host, remote } = setupHost({
      modules: { 'mem://ext': deferringModule(log, (c) => (ctx = c)) },
    });
    host.load(bundle('ext'));
    await flush();
    remote.send(spawnMessage('ext', 'p1', 'job'));
    remote.send(spawnMessage('ext', 'p2', 'job'));
    remote.send(spawnMessage('ext', 'p3', 'job'));
    remote.send({ type: 'process_stop', processId: 'p1', force: true });
    remote.send({
      type: 'process_terminated',
      processId: 'p2',
      state: 'stopped',
      exitReason: 'replaced',
    });
    ctx?.ready();
    expect(log).toEqual([['spawn', 'p3']]);
    host.close();
  });

  it('the startup deadline of a held spawn still applies', async () => {
    const log: unknown[] = [];
    const { host, remote, sent } = setupHost({
      readyTimeoutMs: 60_000,
      processDeadlines: { marginMs: 0 },
      modules: { 'mem://ext': deferringModule(log) },
    });
    host.load(bundle('ext'));
    await flush();
    remote.send(spawnMessage('ext', 'p1', 'job', { startupTimeoutMs: 2_000 }));
    await vi.advanceTimersByTimeAsync(2_000);
    expect(sent('process_ended')).toEqual([
      {
        type: 'process_ended',
        processId: 'p1',
        outcome: 'failed',
        error: '[spindle] process p1 (job) did not call ready() within 2000 ms',
      },
    ]);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(log).toEqual([]);
    host.close();
  });
});
