import type { FrontendUplink } from '@spindle/types';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_DRIVER_DEADLINES,
  type DriverDeadlines,
  type DriverSpawn,
  ProcessDriver,
  type UnresponsiveReason,
} from '../src/process/driver.ts';
import type { DriverToRealm } from '../src/process/protocol.ts';
import { createManualTimers } from './manual-timers.ts';

/**
 * The driver alone, against a fake handler side: this is the half that stays on the main thread
 * when the handler runs in a Worker.
 */
function harness(deadlines: Partial<DriverDeadlines> = {}, spawn: Partial<DriverSpawn> = {}) {
  const timers = createManualTimers();
  const uplinks: FrontendUplink[] = [];
  const posted: DriverToRealm[] = [];
  const unresponsive: UnresponsiveReason[] = [];
  const drops: string[] = [];
  const driver = new ProcessDriver(
    {
      extensionId: 'x',
      processId: 'p1',
      kind: 'job',
      startupTimeoutMs: 1_000,
      heartbeatTimeoutMs: 2_000,
      ...spawn,
    },
    {
      timers,
      deadlines: { ...DEFAULT_DRIVER_DEADLINES, marginMs: 0, ...deadlines },
      uplink: (m) => uplinks.push(m),
      post: (m) => posted.push(m),
      onChange: () => {},
      onDrop: (d) => drops.push(d),
      onCleanupError: () => {},
      onUnresponsive: (r) => unresponsive.push(r),
    },
  );
  return { driver, timers, uplinks, posted, unresponsive, drops };
}

describe('process driver against a fake handler side', () => {
  it('posts the spawn and reports ready once, then running', () => {
    const h = harness();
    h.driver.start();
    expect(h.posted).toEqual([{ type: 'spawn', processId: 'p1', kind: 'job' }]);
    h.driver.receive({ type: 'ready', processId: 'p1' });
    h.driver.receive({ type: 'ready', processId: 'p1' });
    expect(h.uplinks).toEqual([{ type: 'process_ready', processId: 'p1' }]);
    expect(h.driver.state).toBe('running');
  });

  it('enforces the heartbeat deadline when asked to, and declares the handler side unresponsive', () => {
    const h = harness({ enforceHeartbeat: true, marginMs: 100 });
    h.driver.start();
    h.driver.receive({ type: 'ready', processId: 'p1' });
    h.timers.advance(1_500);
    h.driver.receive({ type: 'heartbeat', processId: 'p1' });
    h.timers.advance(2_099);
    expect(h.driver.state).toBe('running');
    h.timers.advance(1);
    expect(h.driver.state).toBe('timed_out');
    expect(h.unresponsive).toEqual(['heartbeat']);
    expect(h.uplinks.at(-1)).toEqual({
      type: 'process_ended',
      processId: 'p1',
      outcome: 'failed',
      error: '[spindle] process p1 missed its heartbeat deadline (2000 ms)',
    });
    expect(h.timers.pending).toBe(0);
  });

  it('does not watch heartbeats on the main thread (the host does), nor with a 0 deadline', () => {
    const main = harness();
    main.driver.start();
    main.driver.receive({ type: 'ready', processId: 'p1' });
    main.timers.advance(60_000);
    expect(main.driver.state).toBe('running');
    const disabled = harness({ enforceHeartbeat: true }, { heartbeatTimeoutMs: 0 });
    disabled.driver.start();
    disabled.driver.receive({ type: 'ready', processId: 'p1' });
    disabled.timers.advance(60_000);
    expect(disabled.driver.state).toBe('running');
  });

  it('a forced stop the handler side never acknowledges makes it unresponsive', () => {
    const h = harness({ endAckMs: 500 });
    h.driver.start();
    h.driver.receive({ type: 'ready', processId: 'p1' });
    h.driver.stop('now', true);
    expect(h.driver.state).toBe('stopped');
    expect(h.posted.at(-1)).toEqual({ type: 'end', processId: 'p1', reason: 'stopped' });
    h.timers.advance(499);
    expect(h.unresponsive).toEqual([]);
    h.timers.advance(1);
    expect(h.unresponsive).toEqual(['end_ack']);
  });

  it('an acknowledged end clears the watchdog', () => {
    const h = harness({ endAckMs: 500 });
    h.driver.start();
    h.driver.stop(undefined, true);
    h.driver.receive({ type: 'ended', processId: 'p1' });
    h.timers.advance(10_000);
    expect(h.unresponsive).toEqual([]);
    expect(h.timers.pending).toBe(0);
  });

  it('a graceful stop posts stop; complete() then ends it stopped', () => {
    const h = harness({ stopGraceMs: 1_000 });
    h.driver.start();
    h.driver.receive({ type: 'ready', processId: 'p1' });
    h.driver.stop('bye', false);
    expect(h.posted.at(-1)).toEqual({ type: 'stop', processId: 'p1', reason: 'bye' });
    expect(h.driver.state).toBe('stopping');
    h.driver.receive({ type: 'completed', processId: 'p1' });
    expect(h.driver.info()).toMatchObject({ state: 'stopped', exitReason: 'stopped' });
  });

  it('a graceful stop the handler ignores ends stopped after the grace period', () => {
    const h = harness({ stopGraceMs: 1_000, marginMs: 0 });
    h.driver.start();
    h.driver.stop(undefined, false);
    h.timers.advance(999);
    expect(h.driver.state).toBe('stopping');
    h.timers.advance(1);
    expect(h.driver.info()).toMatchObject({ state: 'stopped', exitReason: 'stopped' });
    expect(h.uplinks.at(-1)).toEqual({
      type: 'process_ended',
      processId: 'p1',
      outcome: 'stopped',
    });
    expect(h.posted.at(-1)).toEqual({ type: 'end', processId: 'p1', reason: 'stopped' });
  });

  it('drops and counts traffic after the end; ignores heartbeats then', () => {
    const h = harness();
    h.driver.start();
    h.driver.receive({ type: 'failed', processId: 'p1', error: 'x' });
    h.driver.deliver('in');
    h.driver.receive({ type: 'message', processId: 'p1', payload: 'out' });
    h.driver.receive({ type: 'heartbeat', processId: 'p1' });
    expect(h.drops).toEqual(['in', 'out']);
    expect(h.uplinks).toEqual([
      { type: 'process_ended', processId: 'p1', outcome: 'failed', error: 'x' },
    ]);
  });

  it('terminate() ends silently with the host state', () => {
    const h = harness();
    h.driver.start();
    h.driver.terminate('stopped', 'replaced');
    expect(h.uplinks).toEqual([]);
    expect(h.driver.info()).toMatchObject({ state: 'stopped', exitReason: 'replaced' });
    expect(h.posted.at(-1)).toEqual({ type: 'end', processId: 'p1', reason: 'replaced' });
  });
});
