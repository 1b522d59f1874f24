import type { SpindleFrontendContext } from '@spindle/types';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DropEvent, SendOutcome } from '../src/index.ts';
import { bundle, flush, setupHost } from './helpers.ts';

/** `ctx.sendToBackend` returns the outcome at run time (the upstream type says `void`). */
const send = (ctx: SpindleFrontendContext, payload: unknown) =>
  ctx.sendToBackend(payload) as unknown as SendOutcome;

describe('sendToBackend while the transport is down', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    vi.useRealTimers();
  });

  async function mounted(queueLimit = 1000) {
    let ctx: SpindleFrontendContext | undefined;
    const env = setupHost({
      queueLimits: { outbound: queueLimit },
      modules: {
        'mem://ext': {
          setup: (c: SpindleFrontendContext) => {
            ctx = c;
          },
        },
      },
    });
    env.host.load(bundle('ext'));
    await flush();
    return { ...env, ctx: ctx! };
  }

  it('hands messages over at once while open', async () => {
    const { ctx, sent, host } = await mounted();
    expect(send(ctx, 'a')).toBe('sent');
    expect(sent('backend_message')).toEqual([
      { type: 'backend_message', extensionId: 'ext', payload: 'a' },
    ]);
    host.close();
  });

  it('queues while not open and flushes in order on open', async () => {
    const { ctx, remote, sent, host } = await mounted();
    remote.setState('closed');
    expect(send(ctx, 1)).toBe('queued');
    expect(send(ctx, 2)).toBe('queued');
    expect(host.stats().uplinkQueued).toBe(2);
    remote.setState('connecting');
    expect(sent('backend_message')).toEqual([]);
    remote.setState('open');
    expect(sent('backend_message').map((m) => (m as { payload: unknown }).payload)).toEqual([1, 2]);
    expect(host.stats().uplinkQueued).toBe(0);
    expect(send(ctx, 3)).toBe('sent');
    host.close();
  });

  it('rejects the newest message on overflow with a return value, an event and a counter', async () => {
    const { ctx, remote, sent, host } = await mounted(3);
    const drops: DropEvent[] = [];
    host.events.on('dropped', (e) => drops.push(e));
    remote.setState('closed');
    const outcomes = [1, 2, 3, 4, 5].map((n) => send(ctx, n));
    expect(outcomes).toEqual(['queued', 'queued', 'queued', 'dropped', 'dropped']);
    expect(host.stats().uplinkDropped).toBe(2);
    expect(drops.map((d) => (d.message as { payload: unknown }).payload)).toEqual([4, 5]);
    expect(drops[0]).toMatchObject({
      what: 'uplink',
      reason: 'queue_full',
      direction: 'out',
      extensionId: 'ext',
    });
    remote.setState('open');
    expect(sent('backend_message').map((m) => (m as { payload: unknown }).payload)).toEqual([
      1, 2, 3,
    ]);
    host.close();
  });

  it('queues process reports too, keeping one heartbeat per process', async () => {
    let ctx: SpindleFrontendContext | undefined;
    const env = setupHost({
      modules: {
        'mem://ext': {
          setup: (c: SpindleFrontendContext) => {
            ctx = c;
          },
        },
      },
    });
    env.host.load(bundle('ext'));
    await flush();
    let beat = () => {};
    ctx!.processes.register('job', (p) => {
      beat = () => p.heartbeat();
      p.ready();
    });
    env.remote.send({
      type: 'process_spawn',
      extensionId: 'ext',
      processId: 'p1',
      kind: 'job',
      startupTimeoutMs: 15_000,
      heartbeatTimeoutMs: 15_000,
    });
    env.remote.setState('closed');
    beat();
    beat();
    beat();
    send(ctx!, 'x');
    env.remote.take();
    env.remote.setState('open');
    expect(env.remote.received).toEqual([
      { type: 'extension_mounted', extensionId: 'ext' },
      { type: 'process_heartbeat', processId: 'p1' },
      { type: 'backend_message', extensionId: 'ext', payload: 'x' },
    ]);
    env.host.close();
  });

  it('announces mounted extensions again after a reconnect, before the queue', async () => {
    const { ctx, remote, host } = await mounted();
    remote.setState('closed');
    send(ctx, 'q');
    remote.take();
    remote.setState('open');
    expect(remote.received.map((m) => m.type)).toEqual(['extension_mounted', 'backend_message']);
    host.close();
  });

  it('reports a message the transport refused as dropped', async () => {
    const { ctx, transport, host } = await mounted();
    const drops: DropEvent[] = [];
    host.events.on('dropped', (e) => drops.push(e));
    vi.spyOn(transport, 'send').mockImplementation(() => {
      throw new Error('socket gone');
    });
    expect(send(ctx, 'x')).toBe('dropped');
    expect(drops[0]).toMatchObject({ reason: 'transport_error' });
    host.close();
  });

  it('reports what is still queued when the host closes', async () => {
    const { ctx, remote, host } = await mounted();
    remote.setState('closed');
    send(ctx, 'a');
    const drops: DropEvent[] = [];
    host.events.on('dropped', (e) => drops.push(e));
    host.close();
    expect(drops.map((d) => [d.reason, d.message?.type])).toEqual([
      ['host_closed', 'backend_message'],
      ['host_closed', 'extension_unmounted'],
    ]);
  });

  it('queues lifecycle reports even past the limit', async () => {
    const { ctx, remote, host, sent } = await mounted(2);
    remote.setState('closed');
    send(ctx, 1);
    send(ctx, 2);
    expect(send(ctx, 3)).toBe('dropped');
    host.unload('ext');
    remote.setState('open');
    expect(
      sent()
        .slice(-3)
        .map((m) => m.type),
    ).toEqual(['backend_message', 'backend_message', 'extension_unmounted']);
    host.close();
  });
});
