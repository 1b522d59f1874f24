import type { ProcessStopRequest, SpindleFrontendProcessContext } from '@spindle/types';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTestContext, type TestContext } from '../src/testing/index.ts';

describe('process stop requests', () => {
  let t: TestContext | undefined;
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    t?.dispose();
    t = undefined;
    expect(vi.getTimerCount()).toBe(0);
    vi.useRealTimers();
  });

  it('calls every onStop handler with { reason } and moves to stopping', async () => {
    t = await createTestContext();
    const requests: ProcessStopRequest[] = [];
    t.ctx.processes.register('job', (p) => {
      p.onStop((r) => {
        requests.push(r);
      });
      p.onStop((r) => {
        requests.push(r);
      });
      p.ready();
    });
    const process = t.backend.spawn('job');
    process.stop({ reason: 'maintenance' });
    expect(requests).toEqual([{ reason: 'maintenance' }, { reason: 'maintenance' }]);
    expect(process.info.state).toBe('stopping');
    expect(process.ended).toBeUndefined();
  });

  it('passes {} when the stop has no reason', async () => {
    t = await createTestContext();
    const requests: ProcessStopRequest[] = [];
    t.ctx.processes.register('job', (p) => {
      p.onStop((r) => {
        requests.push(r);
      });
    });
    t.backend.spawn('job').stop();
    expect(requests).toEqual([{}]);
  });

  it('completes a process without onStop handler, reported as stopped', async () => {
    t = await createTestContext();
    t.ctx.processes.register('job', (p) => p.ready());
    const process = t.backend.spawn('job');
    process.stop({ reason: 'bye' });
    expect(process.ended).toEqual({ outcome: 'stopped' });
    expect(process.info).toMatchObject({ state: 'stopped', exitReason: 'stopped' });
  });

  it('complete() after a stop request ends with outcome stopped', async () => {
    t = await createTestContext();
    let ctx: SpindleFrontendProcessContext | undefined;
    t.ctx.processes.register('job', (p) => {
      ctx = p;
      p.onStop(() => {});
      p.ready();
    });
    const process = t.backend.spawn('job');
    process.stop();
    ctx?.complete();
    expect(process.ended).toEqual({ outcome: 'stopped' });
    expect(process.info.state).toBe('stopped');
  });

  it('fail() during stopping ends failed', async () => {
    t = await createTestContext();
    t.ctx.processes.register('job', (p) => {
      p.onStop(() => p.fail(new Error('could not flush')));
    });
    const process = t.backend.spawn('job');
    process.stop();
    expect(process.ended).toEqual({ outcome: 'failed', error: 'could not flush' });
  });

  it('an onStop handler that throws or rejects is reported and ends nothing (as upstream)', async () => {
    t = await createTestContext();
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    let ctx: SpindleFrontendProcessContext | undefined;
    t.ctx.processes.register('job', (p) => {
      ctx = p;
      p.onStop(() => {
        throw new Error('stop threw');
      });
      p.onStop(async () => {
        throw new Error('stop rejected');
      });
      p.ready();
    });
    const process = t.backend.spawn('job');
    process.stop();
    await vi.advanceTimersByTimeAsync(0);
    expect(process.ended).toBeUndefined();
    expect(process.info.state).toBe('stopping');
    const logged = errors.mock.calls.map((call) => String(call[0])).join('\n');
    expect(logged).toContain('stop threw');
    expect(logged).toContain('stop rejected');
    ctx?.complete();
    expect(process.ended).toEqual({ outcome: 'stopped' });
    errors.mockRestore();
  });

  it('a handler that returns without completing keeps the process until the stop grace ends it', async () => {
    t = await createTestContext({ processDeadlines: { stopGraceMs: 1_000, marginMs: 0 } });
    t.ctx.processes.register('job', (p) => {
      p.onStop(() => {});
      p.ready();
    });
    const process = t.backend.spawn('job');
    process.stop();
    await vi.advanceTimersByTimeAsync(999);
    expect(process.info.state).toBe('stopping');
    await vi.advanceTimersByTimeAsync(1);
    expect(process.info).toMatchObject({ state: 'stopped', exitReason: 'stopped' });
  });

  it('a forced stop ends the process at once without calling onStop', async () => {
    t = await createTestContext();
    const onStop = vi.fn();
    t.ctx.processes.register('job', (p) => {
      p.onStop(onStop);
      p.ready();
    });
    const process = t.backend.spawn('job');
    process.stop({ force: true, reason: 'now' });
    expect(onStop).not.toHaveBeenCalled();
    expect(process.ended).toEqual({ outcome: 'stopped' });
    expect(process.info.state).toBe('stopped');
  });

  it('a forced stop also ends a process that is already stopping', async () => {
    t = await createTestContext();
    t.ctx.processes.register('job', (p) => {
      p.onStop(() => {});
    });
    const process = t.backend.spawn('job');
    process.stop();
    process.stop({ force: true });
    expect(process.ended).toEqual({ outcome: 'stopped' });
  });

  it('ends a process that ignores a graceful stop after the local grace period', async () => {
    t = await createTestContext({ processDeadlines: { stopGraceMs: 2_000, marginMs: 500 } });
    t.ctx.processes.register('job', (p) => {
      p.onStop(() => {});
      p.ready();
    });
    const process = t.backend.spawn('job');
    process.stop();
    await vi.advanceTimersByTimeAsync(2_499);
    expect(process.ended).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(process.ended).toEqual({ outcome: 'stopped' });
  });

  it('a second graceful stop does not call onStop again', async () => {
    t = await createTestContext();
    const onStop = vi.fn();
    t.ctx.processes.register('job', (p) => {
      p.onStop(onStop);
    });
    const process = t.backend.spawn('job');
    process.stop();
    process.stop();
    expect(onStop).toHaveBeenCalledTimes(1);
  });
});
