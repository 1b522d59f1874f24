import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startMachine, useFakeClock } from './harness.ts';

describe('messages and the terminal state', () => {
  beforeEach(useFakeClock);
  afterEach(() => vi.useRealTimers());

  it('accepts messages both ways while live, drops and counts them after the end', () => {
    const h = startMachine();
    expect(h.machine.acceptToProcess()).toBe(true);
    expect(h.machine.acceptFromProcess()).toBe(true);
    h.machine.ready();
    h.machine.fail('x');
    expect(h.machine.acceptToProcess()).toBe(false);
    expect(h.machine.acceptToProcess()).toBe(false);
    expect(h.machine.acceptFromProcess()).toBe(false);
    expect(h.machine.counters).toEqual({ droppedFromProcess: 1, droppedToProcess: 2 });
  });

  it('refuses messages to a process whose transport has exited', () => {
    const h = startMachine();
    h.machine.ready();
    h.machine.exited({ exitCode: 0 });
    expect(h.machine.acceptToProcess()).toBe(false);
    expect(h.machine.acceptFromProcess()).toBe(true);
  });

  it('fail() at any live state ends failed; inputs after the end change nothing', () => {
    for (const prepare of ['starting', 'running', 'stopping'] as const) {
      const h = startMachine();
      if (prepare !== 'starting') h.machine.ready();
      if (prepare === 'stopping') void h.machine.stop();
      expect(h.machine.fail('bad')).toBe(true);
      expect(h.machine.info()).toMatchObject({ state: 'failed', error: 'bad' });
      const count = h.events.length;
      expect(h.machine.complete()).toBe(false);
      expect(h.machine.stopped()).toBe(false);
      expect(h.machine.heartbeat()).toBe(false);
      h.machine.exited({ exitCode: 1 });
      vi.advanceTimersByTime(10_000);
      expect(h.events).toHaveLength(count);
      expect(h.driver.disposals).toBe(1);
    }
    expect(vi.getTimerCount()).toBe(0);
  });

  it('complete before ready ends completed and rejects EXITED_BEFORE_READY', async () => {
    const h = startMachine();
    h.machine.complete();
    expect(h.machine.info()).toMatchObject({ state: 'completed', exitReason: 'completed' });
    await expect(h.machine.spawned).rejects.toMatchObject({
      code: 'EXITED_BEFORE_READY',
      details: { state: 'completed' },
    });
  });

  it('a throwing lifecycle listener does not break the machine', () => {
    const h = startMachine({
      onLifecycle: () => {
        throw new Error('listener bug');
      },
    });
    h.machine.ready();
    h.machine.complete();
    expect(h.machine.state).toBe('completed');
  });
});
