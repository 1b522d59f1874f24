import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flush, startMachine, states, useFakeClock } from './harness.ts';

describe('stop → grace → forced end', () => {
  beforeEach(useFakeClock);
  afterEach(() => vi.useRealTimers());

  it('sends the stop message, then kills after the grace and ends stopped', async () => {
    const h = startMachine({ stopGraceMs: 200 });
    h.machine.ready();
    const ended = h.machine.stop({ reason: 'bye' });
    expect(h.machine.state).toBe('stopping');
    expect(h.driver.stops).toEqual(['bye']);
    vi.advanceTimersByTime(199);
    expect(h.driver.kills).toBe(0);
    vi.advanceTimersByTime(1);
    const info = await ended;
    expect(info).toMatchObject({ state: 'stopped', exitReason: 'stopped' });
    expect(h.driver.kills).toBe(1);
    expect(states(h.events)).toEqual(['starting', 'running', 'stopping', 'stopped']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('ends stopped without a kill when the process answers in time', async () => {
    const h = startMachine();
    h.machine.ready();
    const ended = h.machine.stop();
    h.machine.stopped();
    expect((await ended).state).toBe('stopped');
    expect(h.driver.kills).toBe(1); // terminal: whatever is left of the process goes
    expect(vi.getTimerCount()).toBe(0);
  });

  it('complete() after a stop request ends stopped with reason stopped', async () => {
    const h = startMachine();
    h.machine.ready();
    void h.machine.stop();
    h.machine.complete();
    expect(h.machine.info()).toMatchObject({ state: 'stopped', exitReason: 'stopped' });
  });

  it('fail() during stopping ends failed', () => {
    const h = startMachine();
    h.machine.ready();
    void h.machine.stop();
    h.machine.fail('boom');
    expect(h.machine.info()).toMatchObject({
      state: 'failed',
      exitReason: 'failed',
      error: 'boom',
    });
  });

  it('double stop: one stop message, one event per transition, the same final info', async () => {
    const h = startMachine();
    h.machine.ready();
    const a = h.machine.stop();
    const b = h.machine.stop();
    expect(a).toBe(b);
    vi.advanceTimersByTime(200);
    expect(await a).toEqual(await b);
    expect(h.driver.stops).toHaveLength(1);
    expect(states(h.events)).toEqual(['starting', 'running', 'stopping', 'stopped']);
    expect(await h.machine.stop()).toEqual(await a);
  });

  it('stop before ready rejects the spawn with STOPPED_BEFORE_READY at once', async () => {
    const h = startMachine();
    void h.machine.stop();
    await flush();
    expect(h.settlement.kind).toBe('rejected');
    expect(h.settlement.error).toMatchObject({
      code: 'STOPPED_BEFORE_READY',
      details: { state: 'stopping' },
    });
    h.machine.ready();
    expect(h.machine.state).toBe('stopping');
    vi.advanceTimersByTime(200);
    expect(h.machine.state).toBe('stopped');
    await flush();
    expect(h.settlement.count).toBe(1);
  });

  it('replaced and unloaded stops carry their reason and rejection code', async () => {
    const r = startMachine();
    void r.machine.stop({ exitReason: 'replaced' });
    r.machine.stopped();
    expect(r.machine.info().exitReason).toBe('replaced');
    await expect(r.machine.spawned).rejects.toMatchObject({ code: 'REPLACED' });
    const u = startMachine();
    void u.machine.stop({ exitReason: 'backend_unloaded' });
    vi.advanceTimersByTime(200);
    expect(u.machine.info()).toMatchObject({ state: 'stopped', exitReason: 'backend_unloaded' });
    await expect(u.machine.spawned).rejects.toMatchObject({ code: 'EXTENSION_UNLOADED' });
  });

  it('terminate() ends at once and rejects with the given code', async () => {
    const h = startMachine();
    const info = await h.machine.terminate('backend_unloaded', 'HOST_CLOSING');
    expect(info.state).toBe('stopped');
    expect(h.driver.kills).toBe(1);
    await expect(h.machine.spawned).rejects.toMatchObject({ code: 'HOST_CLOSING' });
    expect(states(h.events)).toEqual(['starting', 'stopping', 'stopped']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('terminate() during a graceful stop cuts the grace short', async () => {
    const h = startMachine();
    h.machine.ready();
    void h.machine.stop({ exitReason: 'replaced' });
    const info = await h.machine.terminate('backend_unloaded', 'HOST_CLOSING');
    expect(info).toMatchObject({ state: 'stopped', exitReason: 'replaced' });
    expect(vi.getTimerCount()).toBe(0);
  });
});
