import type { SpindleFrontendProcessContext } from '@spindle/types';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTestContext, type TestContext } from '../src/testing/index.ts';

describe('process ready() and heartbeat()', () => {
  let t: TestContext | undefined;
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    t?.dispose();
    t = undefined;
    expect(vi.getTimerCount()).toBe(0);
    vi.useRealTimers();
  });

  it('sends process_ready once however often ready() is called', async () => {
    t = await createTestContext();
    t.ctx.processes.register('job', (p) => {
      p.ready();
      p.ready();
      p.ready();
    });
    const process = t.backend.spawn('job');
    await process.whenReady();
    const readies = t.backend.uplinks.filter((m) => m.type === 'process_ready');
    expect(readies).toEqual([{ type: 'process_ready', processId: process.processId }]);
  });

  it('forwards heartbeats while alive and ignores them after the end', async () => {
    t = await createTestContext();
    let ctx: SpindleFrontendProcessContext | undefined;
    t.ctx.processes.register('job', (p) => {
      ctx = p;
      p.ready();
    });
    const process = t.backend.spawn('job');
    await process.whenReady();
    ctx?.heartbeat();
    ctx?.heartbeat();
    expect(process.heartbeats).toBe(2);
    ctx?.complete();
    ctx?.heartbeat();
    ctx?.ready();
    expect(process.heartbeats).toBe(2);
    expect(t.backend.uplinks.filter((m) => m.type === 'process_ready')).toHaveLength(1);
  });

  it('moves starting → running on ready and emits no process event for a heartbeat', async () => {
    t = await createTestContext();
    let ctx: SpindleFrontendProcessContext | undefined;
    t.ctx.processes.register('job', (p) => {
      ctx = p;
    });
    const states: string[] = [];
    t.host.events.on('process', (e) => states.push(e.info.state));
    const process = t.backend.spawn('job');
    expect(process.info.state).toBe('starting');
    ctx?.ready();
    ctx?.heartbeat();
    ctx?.heartbeat();
    expect(states).toEqual(['starting', 'running']);
  });

  it('exposes spawn fields on the process context', async () => {
    t = await createTestContext();
    let seen: Partial<SpindleFrontendProcessContext> = {};
    t.ctx.processes.register('job', (p) => {
      seen = {
        processId: p.processId,
        kind: p.kind,
        key: p.key,
        payload: p.payload,
        metadata: p.metadata,
      };
    });
    t.backend.spawn('job', {
      key: 'k1',
      payload: { a: 1 },
      metadata: { m: true },
      processId: 'p-x',
    });
    expect(seen).toEqual({
      processId: 'p-x',
      kind: 'job',
      key: 'k1',
      payload: { a: 1 },
      metadata: { m: true },
    });
  });
});
