import type { SpindleFrontendProcessContext } from '@spindle/types';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DropEvent } from '../src/index.ts';
import { createTestContext, type TestContext } from '../src/testing/index.ts';

describe('messages in and out of an ended process', () => {
  let t: TestContext | undefined;
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    t?.dispose();
    t = undefined;
    vi.useRealTimers();
  });

  it('delivers messages both ways while the process lives', async () => {
    t = await createTestContext();
    const got: unknown[] = [];
    t.ctx.processes.register('job', (p) => {
      p.onMessage((m) => {
        got.push(m);
        p.send({ re: m });
      });
      p.ready();
    });
    const process = t.backend.spawn('job');
    process.send(1);
    expect(got).toEqual([1]);
    expect(process.messages).toEqual([{ re: 1 }]);
  });

  it('drops and counts messages to an ended process, never delivering them late', async () => {
    t = await createTestContext();
    const onMessage = vi.fn();
    let ctx: SpindleFrontendProcessContext | undefined;
    t.ctx.processes.register('job', (p) => {
      ctx = p;
      p.onMessage(onMessage);
      p.ready();
    });
    const drops: DropEvent[] = [];
    t.host.events.on('dropped', (e) => drops.push(e));
    const process = t.backend.spawn('job');
    ctx?.complete();
    process.send('late-1');
    process.send('late-2');
    expect(onMessage).not.toHaveBeenCalled();
    expect(t.host.stats().processMessagesDropped).toBe(2);
    expect(drops.map((d) => [d.what, d.direction, d.processId])).toEqual([
      ['process_message', 'in', process.processId],
      ['process_message', 'in', process.processId],
    ]);
  });

  it('drops and counts messages an ended process tries to send', async () => {
    t = await createTestContext();
    let ctx: SpindleFrontendProcessContext | undefined;
    t.ctx.processes.register('job', (p) => {
      ctx = p;
      p.ready();
    });
    const drops: DropEvent[] = [];
    t.host.events.on('dropped', (e) => drops.push(e));
    const process = t.backend.spawn('job');
    ctx?.complete();
    ctx?.send('after end');
    expect(process.messages).toEqual([]);
    expect(t.host.stats().processMessagesDropped).toBe(1);
    expect(drops[0]).toMatchObject({
      what: 'process_message',
      direction: 'out',
      reason: 'process_ended',
    });
  });

  it('drops what a force-stopped process sends afterwards', async () => {
    t = await createTestContext();
    let ctx: SpindleFrontendProcessContext | undefined;
    t.ctx.processes.register('job', (p) => {
      ctx = p;
    });
    const process = t.backend.spawn('job');
    process.stop({ force: true });
    ctx?.send('zombie');
    expect(process.messages).toEqual([]);
    expect(t.host.stats().processMessagesDropped).toBe(1);
  });

  it('counts messages for a process id this tab never knew', async () => {
    t = await createTestContext();
    t.backend.remote.send({ type: 'process_message', processId: 'ghost', payload: 1 });
    expect(t.host.stats().processMessagesDropped).toBe(1);
  });
});
