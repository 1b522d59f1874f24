import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startMachine, states, useFakeClock } from './harness.ts';

describe('heartbeat deadline', () => {
  beforeEach(useFakeClock);
  afterEach(() => vi.useRealTimers());

  it('is armed at ready and ends timed_out with a kill when missed', () => {
    const h = startMachine({ heartbeatTimeoutMs: 500 });
    vi.advanceTimersByTime(900);
    h.machine.ready();
    vi.advanceTimersByTime(499);
    expect(h.machine.state).toBe('running');
    vi.advanceTimersByTime(1);
    expect(h.machine.state).toBe('timed_out');
    expect(h.machine.info().error).toBe('no heartbeat within 500 ms');
    expect(h.driver.kills).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('each heartbeat re-arms it and emits no lifecycle event', () => {
    const h = startMachine({ heartbeatTimeoutMs: 500 });
    h.machine.ready();
    for (let i = 0; i < 20; i += 1) {
      vi.advanceTimersByTime(400);
      expect(h.machine.heartbeat()).toBe(true);
    }
    expect(h.machine.state).toBe('running');
    expect(states(h.events)).toEqual(['starting', 'running']);
    expect(h.machine.info().lastHeartbeatAt).toBe(new Date(Date.now()).toISOString());
    expect(vi.getTimerCount()).toBe(1);
  });

  it('0 disables the watchdog', () => {
    const h = startMachine({ heartbeatTimeoutMs: 0 });
    h.machine.ready();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(1_000_000);
    expect(h.machine.state).toBe('running');
  });

  it('a heartbeat before ready neither arms the watchdog nor counts', () => {
    const h = startMachine({ heartbeatTimeoutMs: 500 });
    expect(h.machine.heartbeat()).toBe(false);
    expect(h.machine.info().lastHeartbeatAt).toBeUndefined();
    expect(vi.getTimerCount()).toBe(1);
  });

  it('holdHeartbeat suspends the watchdog; release re-arms it with a full deadline', () => {
    const h = startMachine({ heartbeatTimeoutMs: 500 });
    h.machine.ready();
    h.machine.holdHeartbeat();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(5_000);
    expect(h.machine.heartbeat()).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
    h.machine.releaseHeartbeat();
    vi.advanceTimersByTime(499);
    expect(h.machine.state).toBe('running');
    vi.advanceTimersByTime(1);
    expect(h.machine.state).toBe('timed_out');
    expect(states(h.events)).toEqual(['starting', 'running', 'timed_out']);
  });

  it('a ready while held does not arm the watchdog', () => {
    const h = startMachine({ heartbeatTimeoutMs: 500 });
    h.machine.holdHeartbeat();
    h.machine.ready();
    expect(vi.getTimerCount()).toBe(0);
    h.machine.fail('side gone', 'frontend_unloaded');
    expect(h.machine.info()).toMatchObject({ state: 'failed', exitReason: 'frontend_unloaded' });
  });
});
