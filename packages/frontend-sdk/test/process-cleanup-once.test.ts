import type { SpindleFrontendProcessContext } from '@spindle/types';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTestContext, type TestContext, type TestProcess } from '../src/testing/index.ts';

/**
 * Every way a process can end, each with a sync and an async cleanup: the cleanup runs exactly
 * once, whether it was returned before the end or arrives after it.
 */
type Ending = (p: SpindleFrontendProcessContext, process: TestProcess, t: TestContext) => void;

const endings: Record<string, Ending> = {
  complete: (p) => p.complete(),
  fail: (p) => p.fail(new Error('x')),
  'graceful stop without onStop': (_p, process) => process.stop(),
  'graceful stop with onStop completing': (p, process) => {
    p.onStop(() => p.complete());
    process.stop({ reason: 'r' });
  },
  'force stop': (_p, process) => process.stop({ force: true }),
  'host terminated': (_p, process, t) =>
    t.backend.remote.send({
      type: 'process_terminated',
      processId: process.processId,
      state: 'timed_out',
      exitReason: 'timed_out',
    }),
  unload: (_p, _process, t) => t.unload(),
  'throwing message handler': (p, process) => {
    p.onMessage(() => {
      throw new Error('boom');
    });
    process.send(1);
  },
  'stop grace expiry': (p, process) => {
    p.onStop(() => {});
    process.stop();
    vi.advanceTimersByTime(10_000);
  },
};

describe('process cleanup runs exactly once under every ending', () => {
  let t: TestContext | undefined;
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    t?.dispose();
    t = undefined;
    expect(vi.getTimerCount()).toBe(0);
    vi.useRealTimers();
  });

  for (const [name, end] of Object.entries(endings)) {
    it(`${name}: cleanup returned synchronously`, async () => {
      t = await createTestContext();
      const cleanup = vi.fn();
      let ctx: SpindleFrontendProcessContext | undefined;
      t.ctx.processes.register('job', (p) => {
        ctx = p;
        p.ready();
        return cleanup;
      });
      const process = t.backend.spawn('job');
      end(ctx!, process, t);
      await vi.advanceTimersByTimeAsync(0);
      expect(cleanup).toHaveBeenCalledTimes(1);
      // Nothing afterwards runs it again.
      ctx?.complete();
      ctx?.fail('again');
      t.unload();
      expect(cleanup).toHaveBeenCalledTimes(1);
    });

    it(`${name}: cleanup that arrives asynchronously after the end runs at once`, async () => {
      t = await createTestContext();
      const cleanup = vi.fn();
      let release!: () => void;
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      let ctx: SpindleFrontendProcessContext | undefined;
      t.ctx.processes.register('job', async (p) => {
        ctx = p;
        p.ready();
        await gate;
        return cleanup;
      });
      const process = t.backend.spawn('job');
      end(ctx!, process, t);
      await vi.advanceTimersByTimeAsync(0);
      expect(cleanup).not.toHaveBeenCalled();
      release();
      await vi.advanceTimersByTimeAsync(0);
      expect(cleanup).toHaveBeenCalledTimes(1);
      t.unload();
      expect(cleanup).toHaveBeenCalledTimes(1);
    });
  }

  it('a handler that throws before returning has no cleanup to run and still ends once', async () => {
    t = await createTestContext();
    t.ctx.processes.register('job', () => {
      throw new Error('early');
    });
    const process = t.backend.spawn('job');
    expect(t.backend.uplinks.filter((m) => m.type === 'process_ended')).toHaveLength(1);
    expect(process.info.state).toBe('failed');
  });

  it('reports a throwing or rejecting cleanup as an error event and keeps the outcome', async () => {
    t = await createTestContext();
    const errors: string[] = [];
    t.host.events.on('error', (e) => errors.push(`${e.phase}:${e.message}`));
    t.ctx.processes.register('sync', (p) => {
      p.ready();
      return () => {
        throw new Error('cleanup threw');
      };
    });
    t.ctx.processes.register('async', (p) => {
      p.ready();
      return async () => {
        throw new Error('cleanup rejected');
      };
    });
    const a = t.backend.spawn('sync');
    const b = t.backend.spawn('async');
    a.stop();
    b.stop();
    await vi.advanceTimersByTimeAsync(0);
    expect(a.ended).toEqual({ outcome: 'stopped' });
    expect(b.ended).toEqual({ outcome: 'stopped' });
    expect(errors).toEqual(['process_cleanup:cleanup threw', 'process_cleanup:cleanup rejected']);
  });
});
