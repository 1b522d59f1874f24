import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flush, startMachine, states, useFakeClock } from './harness.ts';

describe('ready()', () => {
  beforeEach(useFakeClock);
  afterEach(() => vi.useRealTimers());

  it('emits starting, then running on ready, and resolves the spawn with the info', async () => {
    const h = startMachine();
    expect(states(h.events)).toEqual(['starting']);
    expect(h.events[0]?.previousState).toBeUndefined();
    vi.advanceTimersByTime(300);
    expect(h.machine.ready()).toBe(true);
    const info = await h.machine.spawned;
    expect(info).toMatchObject({
      processId: 'p-1',
      kind: 'worker',
      key: 'k',
      userId: 'u1',
      state: 'running',
      startedAt: '2026-01-01T00:00:00.000Z',
      readyAt: '2026-01-01T00:00:00.300Z',
      lastHeartbeatAt: '2026-01-01T00:00:00.300Z',
    });
    expect(info.endedAt).toBeUndefined();
    expect(h.events[1]).toMatchObject({ state: 'running', previousState: 'starting' });
    await flush();
    expect(h.settlement).toMatchObject({ kind: 'resolved', count: 1 });
  });

  it('ignores a second ready and a ready after the end', async () => {
    const h = startMachine();
    h.machine.ready();
    expect(h.machine.ready()).toBe(false);
    h.machine.complete();
    expect(h.machine.ready()).toBe(false);
    expect(states(h.events)).toEqual(['starting', 'running', 'completed']);
    await flush();
    expect(h.settlement.count).toBe(1);
  });

  it('carries metadata on info and every event', () => {
    const h = startMachine({ metadata: { a: 1 } });
    h.machine.ready();
    expect(h.machine.info().metadata).toEqual({ a: 1 });
    expect(h.events.every((event) => event.metadata?.a === 1)).toBe(true);
  });

  it('a driver factory that throws ends failed and rejects FAILED_BEFORE_READY', async () => {
    const h = startMachine();
    const { ProcessMachine } = await import('../../../src/processes/machine/index.ts');
    const events: string[] = [];
    const machine = new ProcessMachine({
      processId: 'p-2',
      kind: 'x',
      startupTimeoutMs: 1000,
      heartbeatTimeoutMs: 0,
      stopGraceMs: 10,
      timers: { now: Date.now, setTimeout, clearTimeout: (t) => clearTimeout(t as never) },
      onLifecycle: (event) => events.push(event.state),
    });
    machine.start(() => {
      throw new Error('no bun');
    });
    await expect(machine.spawned).rejects.toMatchObject({
      code: 'FAILED_BEFORE_READY',
      details: { state: 'failed' },
    });
    expect(events).toEqual(['starting', 'failed']);
    expect(machine.info().error).toContain('no bun');
    h.machine.fail('done');
    expect(vi.getTimerCount()).toBe(0);
  });
});
