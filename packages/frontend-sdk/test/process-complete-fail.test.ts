import type { SpindleFrontendProcessContext } from '@spindle/types';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTestContext, type TestContext } from '../src/testing/index.ts';

describe('process complete() / fail() and throwing handlers', () => {
  let t: TestContext | undefined;
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    t?.dispose();
    t = undefined;
    expect(vi.getTimerCount()).toBe(0);
    vi.useRealTimers();
  });

  const ended = () => t!.backend.uplinks.filter((m) => m.type === 'process_ended');

  it('complete() ends the process once; later complete()/fail() change nothing', async () => {
    t = await createTestContext();
    let ctx: SpindleFrontendProcessContext | undefined;
    t.ctx.processes.register('job', (p) => {
      ctx = p;
      p.ready();
    });
    const process = t.backend.spawn('job');
    ctx?.complete({ result: 1 });
    ctx?.complete();
    ctx?.fail(new Error('late'));
    expect(ended()).toEqual([
      { type: 'process_ended', processId: process.processId, outcome: 'completed' },
    ]);
    expect(process.info).toMatchObject({ state: 'completed', exitReason: 'completed' });
  });

  it('fail() ends the process failed with the message, once', async () => {
    t = await createTestContext();
    let ctx: SpindleFrontendProcessContext | undefined;
    t.ctx.processes.register('job', (p) => {
      ctx = p;
    });
    const process = t.backend.spawn('job');
    ctx?.fail(new Error('disk on fire'));
    ctx?.fail('again');
    ctx?.complete();
    expect(ended()).toEqual([
      {
        type: 'process_ended',
        processId: process.processId,
        outcome: 'failed',
        error: 'disk on fire',
      },
    ]);
    expect(process.info).toMatchObject({
      state: 'failed',
      exitReason: 'failed',
      error: 'disk on fire',
    });
  });

  it('a handler that throws fails the process with its message', async () => {
    t = await createTestContext();
    t.ctx.processes.register('job', () => {
      throw new Error('handler exploded');
    });
    const process = t.backend.spawn('job');
    expect(process.ended).toEqual({ outcome: 'failed', error: 'handler exploded' });
  });

  it('a handler that rejects fails the process with its message', async () => {
    t = await createTestContext();
    t.ctx.processes.register('job', async (p) => {
      p.ready();
      await Promise.resolve();
      throw new Error('async explosion');
    });
    const process = t.backend.spawn('job');
    const end = await process.whenEnded();
    expect(end).toMatchObject({ state: 'failed', error: 'async explosion' });
    expect(process.ended).toEqual({ outcome: 'failed', error: 'async explosion' });
  });

  it('an onMessage handler that throws fails the process', async () => {
    t = await createTestContext();
    t.ctx.processes.register('job', (p) => {
      p.onMessage(() => {
        throw new Error('bad message');
      });
      p.ready();
    });
    const process = t.backend.spawn('job');
    process.send('x');
    expect(process.ended).toEqual({ outcome: 'failed', error: 'bad message' });
  });

  it('fail() with a non-Error keeps a readable message', async () => {
    t = await createTestContext();
    t.ctx.processes.register('job', (p) => p.fail({ reason: 'quota' }));
    const process = t.backend.spawn('job');
    expect(process.ended).toEqual({ outcome: 'failed', error: '{"reason":"quota"}' });
  });
});
