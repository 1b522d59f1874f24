import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type ProcessMachine,
  ProcessTable,
  type TableEntry,
} from '../../../src/processes/machine/index.ts';
import { flush, startMachine, useFakeClock } from './harness.ts';

let seq = 0;
function entry(
  extensionId: string,
  key?: string,
  userId = 'u1',
): TableEntry & { h: ReturnType<typeof startMachine> } {
  seq += 1;
  const h = startMachine({ processId: `p-${seq}`, key, userId });
  return { extensionId, machine: h.machine, h };
}

const replaceWithStop = (old: { machine: ProcessMachine }) =>
  old.machine.stop({ exitReason: 'replaced' });

describe('process table', () => {
  beforeEach(useFakeClock);
  afterEach(() => vi.useRealTimers());

  it('rejects a live duplicate (userId, kind, key) with DUPLICATE_PROCESS', async () => {
    const table = new ProcessTable(8);
    const a = entry('ext', 'k');
    table.add(a);
    await expect(
      table.admit(
        { extensionId: 'ext', userId: 'u1', kind: 'worker', key: 'k', limit: 16 },
        replaceWithStop,
      ),
    ).rejects.toMatchObject({ code: 'DUPLICATE_PROCESS' });
    // another user, another key, another extension: no clash
    for (const req of [
      { extensionId: 'ext', userId: 'u2', kind: 'worker', key: 'k' },
      { extensionId: 'ext', userId: 'u1', kind: 'worker', key: 'other' },
      { extensionId: 'ext2', userId: 'u1', kind: 'worker', key: 'k' },
      { extensionId: 'ext', userId: 'u1', kind: 'worker' },
    ]) {
      (await table.admit({ ...req, limit: 16 }, replaceWithStop)).release();
    }
  });

  it('replaceExisting ends the old one stopped/replaced before admitting', async () => {
    const table = new ProcessTable(8);
    const a = entry('ext', 'k');
    a.machine.ready();
    table.add(a);
    const admitted = table.admit(
      {
        extensionId: 'ext',
        userId: 'u1',
        kind: 'worker',
        key: 'k',
        replaceExisting: true,
        limit: 16,
      },
      replaceWithStop,
    );
    await flush();
    expect(a.machine.state).toBe('stopping');
    // a concurrent spawn of the same key is refused while the replacement runs
    await expect(
      table.admit(
        {
          extensionId: 'ext',
          userId: 'u1',
          kind: 'worker',
          key: 'k',
          replaceExisting: true,
          limit: 16,
        },
        replaceWithStop,
      ),
    ).rejects.toMatchObject({ code: 'DUPLICATE_PROCESS' });
    vi.advanceTimersByTime(200);
    const admission = await admitted;
    expect(a.machine.info()).toMatchObject({ state: 'stopped', exitReason: 'replaced' });
    expect(table.findLive('ext', 'u1', 'worker', 'k')).toBeUndefined();
    admission.release();
  });

  it('enforces the per-extension limit, counting admitted spawns', async () => {
    const table = new ProcessTable(8);
    const entries = [entry('ext'), entry('ext')];
    for (const e of entries) table.add(e);
    const third = await table.admit(
      { extensionId: 'ext', kind: 'worker', limit: 3 },
      replaceWithStop,
    );
    await expect(
      table.admit({ extensionId: 'ext', kind: 'worker', limit: 3 }, replaceWithStop),
    ).rejects.toMatchObject({ code: 'PROCESS_LIMIT', details: { limit: 3 } });
    third.release();
    entries[0]?.machine.fail('x');
    await flush();
    const again = await table.admit(
      { extensionId: 'ext', kind: 'worker', limit: 3 },
      replaceWithStop,
    );
    again.release();
    (
      await table.admit({ extensionId: 'other', kind: 'worker', limit: 3 }, replaceWithStop)
    ).release();
  });

  it('lists live and ended processes with filters, keeps a bounded history', async () => {
    const table = new ProcessTable(2);
    const es = [entry('ext', 'a'), entry('ext', 'b', 'u2'), entry('ext', 'c'), entry('ext', 'd')];
    for (const e of es) table.add(e);
    expect(table.list('ext')).toHaveLength(4);
    expect(table.list('ext', { userId: 'u2' }).map((i) => i.key)).toEqual(['b']);
    es[0]?.machine.complete();
    es[1]?.machine.complete();
    es[2]?.machine.complete();
    await flush();
    expect(table.live('ext')).toHaveLength(1);
    expect(table.list('ext', { state: 'completed' }).map((i) => i.key)).toEqual(['c', 'b']);
    expect(table.get(es[0]?.machine.processId ?? '')).toBeUndefined();
    expect(table.get(es[2]?.machine.processId ?? '')?.machine.state).toBe('completed');
    expect(table.list('nobody')).toEqual([]);
    table.forgetHistory('ext');
    expect(table.list('ext')).toHaveLength(1);
  });
});
