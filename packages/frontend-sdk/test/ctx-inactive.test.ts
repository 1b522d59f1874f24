import type { SpindleFrontendContext, SpindleFrontendProcessContext } from '@spindle/types';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTestContext, type TestContext } from '../src/testing/index.ts';
import { bundle, flush, setupHost } from './helpers.ts';

describe('ctx per extension', () => {
  let t: TestContext | undefined;
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    t?.dispose();
    t = undefined;
    vi.useRealTimers();
  });

  it('has exactly the implemented members; the rest of the upstream surface is undefined', async () => {
    t = await createTestContext();
    const ctx = t.ctx as unknown as Record<string, unknown>;
    expect(Object.keys(ctx).sort()).toEqual(
      [
        'deferReady',
        'dom',
        'frontendSessionId',
        'host',
        'manifest',
        'onBackendMessage',
        'processes',
        'ready',
        'sendToBackend',
      ].sort(),
    );
    for (const member of ['on', 'ui', 'chats', 'storage', 'registerSlashCommand', 'events']) {
      expect(ctx[member]).toBeUndefined();
    }
    expect((t.ctx as unknown as { deferReady?: () => void }).deferReady).toBeTypeOf('function');
    expect(Object.isFrozen(t.ctx)).toBe(true);
  });

  it('after unload every ctx call throws EXTENSION_INACTIVE', async () => {
    t = await createTestContext();
    const ctx = t.ctx;
    t.unload();
    const calls: Array<[string, () => unknown]> = [
      ['sendToBackend', () => ctx.sendToBackend(1)],
      ['onBackendMessage', () => ctx.onBackendMessage(() => {})],
      ['ready', () => ctx.ready()],
      ['deferReady', () => ctx.deferReady()],
      ['processes.register', () => ctx.processes.register('k', () => {})],
      ['dom.addStyle', () => ctx.dom?.addStyle('a{}')],
      ['dom.cleanup', () => ctx.dom?.cleanup()],
    ];
    for (const [member, call] of calls) {
      expect(call, member).toThrow(
        expect.objectContaining({
          code: 'EXTENSION_INACTIVE',
          message: `[spindle] extension test_extension is unloaded: ctx.${member}() is no longer available`,
        }),
      );
    }
    expect(ctx.manifest.identifier).toBe('test_extension');
  });

  it('handlers registered through a stale ctx never fire for a newer load', async () => {
    const ctxs: SpindleFrontendContext[] = [];
    const heard: string[] = [];
    const spawned: string[] = [];
    const module = (tag: string) => ({
      setup(ctx: SpindleFrontendContext) {
        ctxs.push(ctx);
        ctx.onBackendMessage((m) => heard.push(`${tag}:${String(m)}`));
        ctx.processes.register('job', (p: SpindleFrontendProcessContext) => {
          spawned.push(`${tag}:${p.processId}`);
          p.ready();
        });
      },
    });
    const { host, remote } = setupHost({
      modules: { 'mem://a/1': module('one'), 'mem://a/2': module('two') },
    });
    host.load(bundle('a', 'mem://a/1'));
    await flush();
    host.load(bundle('a', 'mem://a/2'));
    await flush();
    expect(() => ctxs[0]?.onBackendMessage(() => heard.push('stale'))).toThrow(/unloaded/);
    remote.send({ type: 'backend_message', extensionId: 'a', payload: 'x' });
    remote.send({
      type: 'process_spawn',
      extensionId: 'a',
      processId: 'p1',
      kind: 'job',
      startupTimeoutMs: 15_000,
      heartbeatTimeoutMs: 15_000,
    });
    expect(heard).toEqual(['two:x']);
    expect(spawned).toEqual(['two:p1']);
    host.close();
  });

  it('ctx.dom is undefined when the host has no document', async () => {
    t = await createTestContext({ document: null });
    expect(t.ctx.dom).toBeUndefined();
  });
});
