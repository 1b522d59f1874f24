import type { SpindleFrontendContext } from '@spindle/types';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DropEvent, SendOutcome } from '../src/index.ts';
import { bundle, deferred, flush, setupHost } from './helpers.ts';

/** `ctx.sendToBackend` returns the outcome at run time (the upstream type says `void`). */
const send = (ctx: SpindleFrontendContext, payload: unknown) =>
  ctx.sendToBackend(payload) as unknown as SendOutcome;

/**
 * The host refuses a backend message of an extension the session has not mounted, so what
 * `setup` sends must follow `extension_mounted`, never precede it.
 */
describe('sendToBackend during setup', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('holds messages sent by a synchronous setup until the mount is announced, in order', async () => {
    const outcomes: SendOutcome[] = [];
    const env = setupHost({
      modules: {
        'mem://ext': {
          setup: (ctx: SpindleFrontendContext) => {
            outcomes.push(send(ctx, 1), send(ctx, 2));
            ctx.ready();
            outcomes.push(send(ctx, 3));
          },
        },
      },
    });
    env.host.load(bundle('ext'));
    await flush();
    expect(outcomes).toEqual(['queued', 'queued', 'queued']);
    expect(env.remote.received).toEqual([
      { type: 'extension_mounted', extensionId: 'ext' },
      { type: 'backend_message', extensionId: 'ext', payload: 1 },
      { type: 'backend_message', extensionId: 'ext', payload: 2 },
      { type: 'backend_message', extensionId: 'ext', payload: 3 },
    ]);
    env.host.close();
  });

  it('holds messages of an async setup until it resolves; later sends go straight out', async () => {
    const gate = deferred<void>();
    let ctx: SpindleFrontendContext | undefined;
    const env = setupHost({
      modules: {
        'mem://ext': {
          setup: async (c: SpindleFrontendContext) => {
            ctx = c;
            send(c, 'early');
            await gate.promise;
          },
        },
      },
    });
    env.host.load(bundle('ext'));
    await flush();
    expect(env.sent()).toEqual([]);
    gate.resolve();
    await flush();
    expect(send(ctx!, 'late')).toBe('sent');
    expect(env.remote.received.map((m) => ('payload' in m ? m.payload : m.type))).toEqual([
      'extension_mounted',
      'early',
      'late',
    ]);
    env.host.close();
  });

  it('drops held messages with an event when setup fails: nothing reaches the host', async () => {
    const env = setupHost({
      modules: {
        'mem://ext': {
          setup: (ctx: SpindleFrontendContext) => {
            send(ctx, 'lost');
            throw new Error('boom');
          },
        },
      },
    });
    const drops: DropEvent[] = [];
    env.host.events.on('dropped', (e) => drops.push(e));
    const settled = await env.host.load(bundle('ext')).settled;
    expect(settled.state).toBe('error');
    expect(env.sent()).toEqual([]);
    expect(drops).toEqual([
      {
        what: 'uplink',
        reason: 'not_loaded',
        direction: 'out',
        extensionId: 'ext',
        message: { type: 'backend_message', extensionId: 'ext', payload: 'lost' },
      },
    ]);
    expect(env.host.stats().uplinkDropped).toBe(1);
    env.host.close();
  });

  it('bounds the held messages by the startup queue limit', async () => {
    const outcomes: SendOutcome[] = [];
    const env = setupHost({
      queueLimits: { startup: 2 },
      modules: {
        'mem://ext': {
          setup: (ctx: SpindleFrontendContext) => {
            for (const n of [1, 2, 3]) outcomes.push(send(ctx, n));
          },
        },
      },
    });
    const drops: DropEvent[] = [];
    env.host.events.on('dropped', (e) => drops.push(e));
    env.host.load(bundle('ext'));
    await flush();
    expect(outcomes).toEqual(['queued', 'queued', 'dropped']);
    expect(drops.map((d) => [d.reason, (d.message as { payload: unknown }).payload])).toEqual([
      ['startup_queue_full', 3],
    ]);
    expect(env.sent('backend_message').map((m) => (m as { payload: unknown }).payload)).toEqual([
      1, 2,
    ]);
    env.host.close();
  });
});
