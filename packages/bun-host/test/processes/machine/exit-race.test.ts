import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flush, startMachine, states, useFakeClock } from './harness.ts';

describe('exit event vs terminal message', () => {
  beforeEach(useFakeClock);
  afterEach(() => vi.useRealTimers());

  it('a complete arriving just after the exit event still wins', async () => {
    const h = startMachine({ exitSettleMs: 20 });
    h.machine.ready();
    h.machine.exited({ exitCode: 0, signal: null });
    expect(h.machine.state).toBe('running');
    vi.advanceTimersByTime(10);
    h.machine.complete();
    expect(h.machine.info()).toMatchObject({ state: 'completed', exitReason: 'completed' });
    expect(h.driver.kills).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a terminal message before the exit: the exit is ignored', () => {
    const h = startMachine();
    h.machine.ready();
    h.machine.complete();
    h.machine.exited({ exitCode: 1 });
    expect(states(h.events)).toEqual(['starting', 'running', 'completed']);
  });

  it('no terminal message: failed with exit code, signal and stderr tail', async () => {
    const h = startMachine({ exitSettleMs: 20 });
    h.machine.exited({ exitCode: 3, signal: null, stderrTail: 'Error: boom' });
    vi.advanceTimersByTime(20);
    expect(h.machine.info()).toMatchObject({
      state: 'failed',
      exitReason: 'failed',
      error: 'exited with code 3 without a terminal message',
    });
    await expect(h.machine.spawned).rejects.toMatchObject({
      code: 'EXITED_BEFORE_READY',
      details: { exitCode: 3, signal: null, stderrTail: 'Error: boom', state: 'failed' },
    });
    expect(h.driver.kills).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('an exit after ready without a terminal message is failed (signal named)', async () => {
    const h = startMachine({ exitSettleMs: 0 });
    h.machine.ready();
    h.machine.exited({ exitCode: null, signal: 'SIGSEGV' });
    expect(h.machine.info().error).toContain('signal SIGSEGV');
    await flush();
    expect(h.settlement).toMatchObject({ kind: 'resolved', count: 1 });
  });

  it('an exit while stopping ends stopped with the stop reason', () => {
    const h = startMachine({ exitSettleMs: 20 });
    h.machine.ready();
    void h.machine.stop({ exitReason: 'replaced' });
    h.machine.exited({ exitCode: 0 });
    vi.advanceTimersByTime(20);
    expect(h.machine.info()).toMatchObject({ state: 'stopped', exitReason: 'replaced' });
    expect(h.driver.kills).toBe(0);
  });

  it('a stop during the exit settle waits for the settle', () => {
    const h = startMachine({ exitSettleMs: 20 });
    h.machine.ready();
    h.machine.exited({ exitCode: 0 });
    void h.machine.stop();
    expect(h.machine.state).toBe('stopping');
    expect(h.driver.stops).toEqual([]);
    vi.advanceTimersByTime(20);
    expect(h.machine.info()).toMatchObject({ state: 'stopped', exitReason: 'stopped' });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('transportLost ends failed at once and kills', () => {
    const h = startMachine();
    h.machine.ready();
    h.machine.transportLost('ipc closed');
    expect(h.machine.info()).toMatchObject({ state: 'failed', error: 'ipc closed' });
    expect(h.driver.kills).toBe(1);
  });
});
