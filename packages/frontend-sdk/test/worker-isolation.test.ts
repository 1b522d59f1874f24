import type { SpindleFrontendContext, SpindleFrontendProcessContext } from '@spindle/types';
import type { Endpoint } from 'comlink';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ContributeContext } from '../src/host/contributions.ts';
import { createExtensionHost, type ExtensionHost } from '../src/host/host.ts';
import { createWorkerConnector, type WorkerLike } from '../src/isolation/worker-connector.ts';
import { exposeWorkerRealm } from '../src/isolation/worker-realm.ts';
import { yieldMicrotask } from '../src/timers.ts';
import { createMemoryTransport } from '../src/transport.ts';
import { manifest, spawnMessage } from './helpers.ts';
import { createManualTimers } from './manual-timers.ts';

/**
 * Worker isolation over real comlink and real MessagePorts. happy-dom has no Worker, so the
 * "worker" is the far end of a MessageChannel in this thread, exposing the real worker realm;
 * `freeze()` makes it stop processing messages, as a worker stuck in `while (true) {}` would.
 * Deadlines run on injected manual timers; message delivery is awaited with `vi.waitFor`.
 */
function channelWorker(modules: Record<string, unknown>) {
  const channel = new MessageChannel();
  let frozen = false;
  const workerSide: Endpoint = {
    postMessage: (message, transfer) => channel.port2.postMessage(message, transfer ?? []),
    addEventListener: (type, listener) =>
      channel.port2.addEventListener(type, (event) => {
        if (!frozen) (listener as (e: Event) => void)(event);
      }),
    removeEventListener: () => {},
    start: () => channel.port2.start(),
  };
  exposeWorkerRealm(workerSide, {
    loader: async ({ url }) => {
      const entry = modules[url ?? ''];
      return typeof entry === 'function' ? (entry as () => unknown)() : entry;
    },
  });
  const terminate = vi.fn(() => {
    channel.port1.close();
    channel.port2.close();
  });
  const errorListeners = new Set<(event: Event) => void>();
  const worker: WorkerLike = {
    postMessage: (message, transfer) => channel.port1.postMessage(message, transfer ?? []),
    addEventListener: (type, listener) => {
      if (type === 'error') errorListeners.add(listener as (event: Event) => void);
      else channel.port1.addEventListener(type, listener);
    },
    removeEventListener: (type, listener) => {
      if (type === 'error') errorListeners.delete(listener as (event: Event) => void);
      else channel.port1.removeEventListener(type, listener);
    },
    terminate,
  };
  channel.port1.start();
  const crash = (message: string) => {
    for (const listener of [...errorListeners])
      listener({ type: 'error', message } as unknown as Event);
  };
  return {
    worker,
    terminate,
    crash,
    freeze: () => {
      frozen = true;
    },
  };
}

function isolatedHost(
  modules: Record<string, unknown>,
  frontendSessionId?: string,
  contributeContext?: ContributeContext,
) {
  const timers = createManualTimers();
  const { transport, remote } = createMemoryTransport(
    frontendSessionId === undefined ? {} : { frontendSessionId },
  );
  const workers: ReturnType<typeof channelWorker>[] = [];
  const host = createExtensionHost({
    transport,
    timers,
    yieldToBrowser: yieldMicrotask,
    processDeadlines: { marginMs: 0, endAckMs: 500 },
    ...(contributeContext ? { contributeContext } : {}),
    loader: async () => {
      throw new Error('main-thread loader must not be used for worker loads');
    },
    workerConnector: createWorkerConnector({
      timers,
      disposeGraceMs: 200,
      createWorker: () => {
        const w = channelWorker(modules);
        workers.push(w);
        return w.worker;
      },
    }),
  });
  const sent = (type: string) => remote.received.filter((m) => m.type === type);
  return { host, remote, timers, workers, sent };
}

const load = (host: ExtensionHost, id: string) =>
  host.load({ manifest: manifest(id), url: `mem://${id}` }, { isolation: 'worker' });

describe('worker isolation (comlink over MessagePorts)', () => {
  let close: (() => void) | undefined;
  afterEach(() => {
    close?.();
    close = undefined;
  });

  it('mounts the bundle in the worker with a DOM-less ctx', async () => {
    let seen: SpindleFrontendContext | undefined;
    const env = isolatedHost({
      'mem://iso': {
        setup: (ctx: SpindleFrontendContext) => {
          seen = ctx;
        },
      },
    });
    close = () => env.host.close();
    const settled = await load(env.host, 'iso').settled;
    expect(settled).toMatchObject({ state: 'ready', isolation: 'worker' });
    expect(seen?.dom).toBeUndefined();
    expect(seen?.manifest.identifier).toBe('iso');
    expect(env.sent('extension_mounted')).toEqual([
      { type: 'extension_mounted', extensionId: 'iso' },
    ]);
  });

  it('ctx.host and ctx.frontendSessionId cross the worker boundary; a new session is pushed', async () => {
    let seen: SpindleFrontendContext | undefined;
    const env = isolatedHost(
      {
        'mem://who': {
          setup: (ctx: SpindleFrontendContext) => {
            seen = ctx;
          },
        },
      },
      'session-1',
    );
    close = () => env.host.close();
    const host = {
      descriptorVersion: 1 as const,
      lumiverseVersion: '9.9.9',
      capabilities: { 'frontend-session-routing-v1': 1, 'app-thing': 2 },
      extensionInstallationId: 'who@alice',
    };
    await env.host.load(
      { manifest: manifest('who'), url: 'mem://who', host },
      { isolation: 'worker' },
    ).settled;
    expect(seen?.host).toEqual(host);
    expect(seen?.frontendSessionId).toBe('session-1');
    env.remote.setFrontendSessionId('session-2');
    env.remote.setState('closed');
    env.remote.setState('open');
    await vi.waitFor(() => expect(seen?.frontendSessionId).toBe('session-2'));
  });

  it('app contributions are not offered to a worker realm: their members are undefined there', async () => {
    let seen: Record<string, unknown> | undefined;
    const contribute = vi.fn(() => ({ members: { ui: { registerDrawerTab() {} } } }));
    const env = isolatedHost(
      {
        'mem://iso-ui': {
          setup: (ctx: unknown) => {
            seen = { ui: (ctx as Record<string, unknown>).ui };
          },
        },
      },
      undefined,
      contribute,
    );
    close = () => env.host.close();
    await load(env.host, 'iso-ui').settled;
    expect(seen).toEqual({ ui: undefined });
    expect(contribute).not.toHaveBeenCalled();
  });

  it('carries backend messages in and sendToBackend out', async () => {
    const env = isolatedHost({
      'mem://echo': {
        setup: (ctx: SpindleFrontendContext) =>
          ctx.onBackendMessage((m) => ctx.sendToBackend({ echo: m })),
      },
    });
    close = () => env.host.close();
    await load(env.host, 'echo').settled;
    env.remote.send({ type: 'backend_message', extensionId: 'echo', payload: 42 });
    await vi.waitFor(() =>
      expect(env.sent('backend_message')).toEqual([
        { type: 'backend_message', extensionId: 'echo', payload: { echo: 42 } },
      ]),
    );
  });

  it('a message sent during setup in the worker follows extension_mounted', async () => {
    const env = isolatedHost({
      'mem://eager': {
        setup: (ctx: SpindleFrontendContext) => {
          ctx.ready();
          ctx.sendToBackend({ cmd: 'start' });
        },
      },
    });
    close = () => env.host.close();
    await load(env.host, 'eager').settled;
    await vi.waitFor(() =>
      expect(env.remote.received).toEqual([
        { type: 'extension_mounted', extensionId: 'eager' },
        { type: 'backend_message', extensionId: 'eager', payload: { cmd: 'start' } },
      ]),
    );
  });

  it('runs processes exactly as on the main thread', async () => {
    const env = isolatedHost({
      'mem://proc': {
        setup: (ctx: SpindleFrontendContext) =>
          ctx.processes.register('job', (p: SpindleFrontendProcessContext) => {
            p.onMessage((m) => {
              p.send({ got: m });
              p.complete();
            });
            p.ready();
          }),
      },
    });
    close = () => env.host.close();
    await load(env.host, 'proc').settled;
    env.remote.send(spawnMessage('proc', 'p1', 'job'));
    await vi.waitFor(() => expect(env.sent('process_ready')).toHaveLength(1));
    env.remote.send({ type: 'process_message', processId: 'p1', payload: 'hi' });
    await vi.waitFor(() =>
      expect(env.sent('process_ended')).toEqual([
        { type: 'process_ended', processId: 'p1', outcome: 'completed' },
      ]),
    );
    expect(env.sent('process_message')).toEqual([
      { type: 'process_message', processId: 'p1', payload: { got: 'hi' } },
    ]);
  });

  it('terminates the worker when a process misses its heartbeat deadline', async () => {
    let beat = () => {};
    const env = isolatedHost({
      'mem://stuck': {
        setup: (ctx: SpindleFrontendContext) =>
          ctx.processes.register('loop', (p: SpindleFrontendProcessContext) => {
            beat = () => p.heartbeat();
            p.ready();
          }),
      },
    });
    close = () => env.host.close();
    await load(env.host, 'stuck').settled;
    env.remote.send(spawnMessage('stuck', 'p1', 'loop', { heartbeatTimeoutMs: 1_000 }));
    await vi.waitFor(() => expect(env.sent('process_ready')).toHaveLength(1));
    env.timers.advance(900);
    beat();
    await vi.waitFor(() => expect(env.sent('process_heartbeat')).toHaveLength(1));
    env.timers.advance(999);
    expect(env.workers[0]?.terminate).not.toHaveBeenCalled();
    // The bundle is now "in while (true) {}": no more beats.
    env.workers[0]?.freeze();
    env.timers.advance(1);
    expect(env.workers[0]?.terminate).toHaveBeenCalledTimes(1);
    expect(env.sent('process_ended')).toEqual([
      {
        type: 'process_ended',
        processId: 'p1',
        outcome: 'failed',
        error: '[spindle] process p1 missed its heartbeat deadline (1000 ms)',
      },
    ]);
    expect(env.host.get('stuck')).toMatchObject({
      state: 'error',
      code: 'RUNTIME_GONE',
      error:
        '[spindle] worker of extension stuck was terminated: a process in it missed its heartbeat deadline',
    });
    expect(env.sent('extension_unmounted')).toHaveLength(1);
  });

  it('terminates the worker when it does not carry out a forced stop, reporting stopped', async () => {
    const env = isolatedHost({
      'mem://deaf': {
        setup: (ctx: SpindleFrontendContext) =>
          ctx.processes.register('job', (p: SpindleFrontendProcessContext) => p.ready()),
      },
    });
    close = () => env.host.close();
    await load(env.host, 'deaf').settled;
    env.remote.send(spawnMessage('deaf', 'p1', 'job'));
    await vi.waitFor(() => expect(env.sent('process_ready')).toHaveLength(1));
    env.workers[0]?.freeze();
    env.remote.send({ type: 'process_stop', processId: 'p1', force: true });
    expect(env.sent('process_ended')).toEqual([
      { type: 'process_ended', processId: 'p1', outcome: 'stopped' },
    ]);
    env.timers.advance(499);
    expect(env.workers[0]?.terminate).not.toHaveBeenCalled();
    env.timers.advance(1);
    expect(env.workers[0]?.terminate).toHaveBeenCalledTimes(1);
    expect(env.host.get('deaf')).toMatchObject({ state: 'error', code: 'RUNTIME_GONE' });
  });

  it('unload ends processes, runs the teardown in the worker, then terminates it', async () => {
    const order: string[] = [];
    const env = isolatedHost({
      'mem://bye': {
        setup: (ctx: SpindleFrontendContext) => {
          ctx.processes.register('job', (p: SpindleFrontendProcessContext) => {
            p.ready();
            return () => void order.push('process cleanup');
          });
          return () => void order.push('teardown');
        },
      },
    });
    close = () => env.host.close();
    await load(env.host, 'bye').settled;
    env.remote.send(spawnMessage('bye', 'p1', 'job'));
    await vi.waitFor(() => expect(env.sent('process_ready')).toHaveLength(1));
    env.host.unload('bye');
    expect(env.sent('process_ended')).toEqual([
      { type: 'process_ended', processId: 'p1', outcome: 'frontend_unloaded' },
    ]);
    await vi.waitFor(() => expect(env.workers[0]?.terminate).toHaveBeenCalledTimes(1));
    expect(order).toEqual(['process cleanup', 'teardown']);
    expect(env.timers.pending).toBe(0);
    env.timers.advance(60_000);
    expect(env.host.list()).toEqual([]);
  });

  it('a worker that does not answer dispose is terminated after the grace', async () => {
    const env = isolatedHost({ 'mem://busy': { setup() {} } });
    close = () => env.host.close();
    await load(env.host, 'busy').settled;
    env.workers[0]?.freeze();
    env.host.unload('busy');
    expect(env.workers[0]?.terminate).not.toHaveBeenCalled();
    env.timers.advance(200);
    expect(env.workers[0]?.terminate).toHaveBeenCalledTimes(1);
  });

  it('keeps error codes across the boundary: a throwing setup ends in SETUP_FAILED', async () => {
    const env = isolatedHost({
      'mem://bad': {
        setup() {
          throw new Error('no config in worker');
        },
      },
    });
    close = () => env.host.close();
    await expect(load(env.host, 'bad').settled).resolves.toMatchObject({
      state: 'error',
      code: 'SETUP_FAILED',
      error: '[spindle] setup() of extension bad failed: no config in worker',
    });
    await vi.waitFor(() => expect(env.workers[0]?.terminate).toHaveBeenCalled());
  });

  it('an import that hangs in the worker hits the import deadline', async () => {
    const env = isolatedHost({ 'mem://hang': () => new Promise(() => {}) });
    close = () => env.host.close();
    const ticket = load(env.host, 'hang');
    // The import deadline is armed once the worker was asked to import.
    await vi.waitFor(() => expect(env.timers.delays()).toContain(10_000));
    env.timers.advance(10_000);
    await expect(ticket.settled).resolves.toMatchObject({ state: 'error', code: 'IMPORT_TIMEOUT' });
    env.timers.advance(200);
    await vi.waitFor(() => expect(env.workers[0]?.terminate).toHaveBeenCalled());
  });

  it('a worker stuck in setup hits the setup deadline and is terminated', async () => {
    const env = isolatedHost({
      'mem://spin': () => {
        // From here on the worker processes nothing, as if setup ran `while (true) {}`.
        env.workers[0]?.freeze();
        return { setup() {} };
      },
    });
    close = () => env.host.close();
    const ticket = load(env.host, 'spin');
    await vi.waitFor(() => expect(env.timers.delays()).toEqual([30_000]));
    env.timers.advance(30_000);
    await expect(ticket.settled).resolves.toMatchObject({
      state: 'error',
      code: 'SETUP_FAILED',
      error: '[spindle] setup() of extension spin did not finish within 30000 ms',
    });
    env.timers.advance(200);
    expect(env.workers[0]?.terminate).toHaveBeenCalledTimes(1);
  });

  it('a worker that fails to start ends the load at once with its message', async () => {
    // The import never finishes: only the error event can end this load before the deadline.
    const env = isolatedHost({ 'mem://crash': () => new Promise(() => {}) });
    close = () => env.host.close();
    const ticket = load(env.host, 'crash');
    await vi.waitFor(() => expect(env.workers).toHaveLength(1));
    env.workers[0]?.crash('Failed to fetch worker script');
    await expect(ticket.settled).resolves.toMatchObject({
      state: 'error',
      code: 'IMPORT_FAILED',
      error: '[spindle] worker of extension crash failed: Failed to fetch worker script',
    });
  });

  it('a responsive worker that carries out a forced stop is left running', async () => {
    const cleanup = vi.fn();
    const env = isolatedHost({
      'mem://calm': {
        setup: (ctx: SpindleFrontendContext) =>
          ctx.processes.register('job', (p: SpindleFrontendProcessContext) => {
            p.ready();
            return cleanup;
          }),
      },
    });
    close = () => env.host.close();
    await load(env.host, 'calm').settled;
    env.remote.send(spawnMessage('calm', 'p1', 'job'));
    await vi.waitFor(() => expect(env.sent('process_ready')).toHaveLength(1));
    env.remote.send({ type: 'process_stop', processId: 'p1', force: true });
    await vi.waitFor(() => expect(cleanup).toHaveBeenCalledTimes(1));
    await vi.waitFor(() => expect(env.timers.pending).toBe(0));
    env.timers.advance(60_000);
    expect(env.workers[0]?.terminate).not.toHaveBeenCalled();
    expect(env.host.get('calm')?.state).toBe('ready');
    env.remote.send(spawnMessage('calm', 'p2', 'job'));
    await vi.waitFor(() => expect(env.sent('process_ready')).toHaveLength(2));
  });
});
