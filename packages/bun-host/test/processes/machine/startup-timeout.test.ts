import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flush, startMachine, states, useFakeClock } from './harness.ts';

describe('startup deadline', () => {
  beforeEach(useFakeClock);
  afterEach(() => vi.useRealTimers());

  it('ends timed_out, kills once and rejects SPAWN_TIMEOUT when ready() never comes', async () => {
    const h = startMachine({ startupTimeoutMs: 1000 });
    vi.advanceTimersByTime(999);
    expect(h.machine.state).toBe('starting');
    vi.advanceTimersByTime(1);
    expect(h.machine.state).toBe('timed_out');
    await expect(h.machine.spawned).rejects.toMatchObject({
      code: 'SPAWN_TIMEOUT',
      details: { processId: 'p-1', state: 'timed_out', exitReason: 'timed_out' },
    });
    expect(h.driver.kills).toBe(1);
    expect(h.driver.disposals).toBe(1);
    expect(states(h.events)).toEqual(['starting', 'timed_out']);
    expect(h.events[1]).toMatchObject({ exitReason: 'timed_out', previousState: 'starting' });
    expect(h.machine.info()).toMatchObject({
      exitReason: 'timed_out',
      endedAt: '2026-01-01T00:00:01.000Z',
    });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('is disarmed by ready()', async () => {
    const h = startMachine({ startupTimeoutMs: 1000, heartbeatTimeoutMs: 0 });
    h.machine.ready();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(10_000);
    expect(h.machine.state).toBe('running');
    await flush();
    expect(h.settlement).toMatchObject({ kind: 'resolved', count: 1 });
  });
});
