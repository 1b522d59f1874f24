import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTestContext, type TestContext } from '../src/testing/index.ts';

describe('local startup deadline', () => {
  let t: TestContext | undefined;
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    t?.dispose();
    t = undefined;
    expect(vi.getTimerCount()).toBe(0);
    vi.useRealTimers();
  });

  it('fails a handler that never calls ready once the deadline plus margin passes', async () => {
    t = await createTestContext({ processDeadlines: { marginMs: 1_000 } });
    const cleanup = vi.fn();
    t.ctx.processes.register('job', () => cleanup);
    const process = t.backend.spawn('job', { startupTimeoutMs: 3_000 });
    await vi.advanceTimersByTimeAsync(3_999);
    expect(process.ended).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(process.info).toMatchObject({ state: 'timed_out', exitReason: 'timed_out' });
    expect(process.ended).toEqual({
      outcome: 'failed',
      error: `[spindle] process ${process.processId} (job) did not call ready() within 3000 ms`,
    });
    expect(cleanup).toHaveBeenCalledTimes(1);
  });

  it('disarms the deadline on ready()', async () => {
    t = await createTestContext();
    t.ctx.processes.register('job', (p) => p.ready());
    const process = t.backend.spawn('job', { startupTimeoutMs: 1_000 });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(process.info.state).toBe('running');
    expect(process.ended).toBeUndefined();
    process.stop({ force: true });
  });

  it('a process the host already terminated is not failed again locally', async () => {
    t = await createTestContext();
    t.ctx.processes.register('job', () => {});
    const process = t.backend.spawn('job', { startupTimeoutMs: 1_000 });
    t.backend.remote.send({
      type: 'process_terminated',
      processId: process.processId,
      state: 'timed_out',
      exitReason: 'timed_out',
      error: 'startup timeout',
    });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(process.info).toMatchObject({
      state: 'timed_out',
      exitReason: 'timed_out',
      error: 'startup timeout',
    });
    expect(t.backend.uplinks.filter((m) => m.type === 'process_ended')).toEqual([]);
  });
});
