/**
 * `host.drain()` with real runtimes and processes in every mode (docs/operations.md, "Drain and
 * shutdown"): new activations and spawns are refused with `DRAINING`, a live process may finish
 * within the deadline, one that does not is stopped, then the runtimes stop and the host closes.
 */
import { afterEach, describe, expect, test } from 'bun:test';
import { RUNTIME_MODES } from '@spindle/types';
import { createProcessService } from '../../src/processes/service-impl.ts';
import type { RuntimeExitEvent } from '../../src/runtime/controller.ts';
import { closeTestHosts, descendants, startTestHost } from './helpers.ts';

afterEach(async () => {
  await closeTestHosts();
  expect(descendants(process.pid)).toEqual([]);
});

describe.each(RUNTIME_MODES)('%s mode', (mode) => {
  test('a live process finishes within the deadline; new work is refused with DRAINING', async () => {
    const t = await startTestHost(mode, {
      enable: ['sleeper', 'probe'],
      activation: { extensions: { probe: { activation: 'lazy' } } },
      processService: createProcessService({ logger: () => {} }),
    });
    const exits: RuntimeExitEvent[] = [];
    t.host.events.on('exit', (e) => exits.push(e));
    const ends: string[] = [];
    t.host.events.on('process', (e) => {
      if (e.exitReason) ends.push(`${e.state}/${e.exitReason}`);
    });
    const phases: string[] = [];
    t.host.events.on('drain', (e) => phases.push(e.phase));
    await t.host.spawnProcess('sleeper', { entry: 'dist/job.js', payload: { ms: 400 } });
    const draining = t.host.drain({ deadlineMs: 20_000 });
    expect(t.host.draining).toBe(true);
    await expect(t.host.wake('probe')).rejects.toMatchObject({ code: 'DRAINING' });
    await expect(
      t.host.spawnProcess('sleeper', { entry: 'dist/job.js', payload: { ms: 10 } }),
    ).rejects.toMatchObject({ code: 'DRAINING' });
    await expect(t.host.enable('probe')).rejects.toMatchObject({ code: 'DRAINING' });
    await draining;
    expect(ends).toEqual(['completed/completed']);
    expect(exits.map((e) => `${e.extensionId}:${e.reason}`)).toEqual(['sleeper:stopped']);
    expect(phases).toEqual(['start', 'processes', 'runtimes', 'sessions', 'done']);
    expect(t.host.get('sleeper')?.state).toBe('disabled');
    await expect(t.host.enable('sleeper')).rejects.toMatchObject({ code: 'HOST_CLOSING' });
  });

  test('a process still live at the deadline is stopped before the runtimes', async () => {
    const t = await startTestHost(mode, {
      enable: ['sleeper'],
      processService: createProcessService({ logger: () => {} }),
    });
    const order: string[] = [];
    t.host.events.on('process', (e) => {
      if (e.exitReason) order.push(`process ${e.state}/${e.exitReason}`);
    });
    t.host.events.on('exit', (e) => order.push(`runtime ${e.reason}`));
    await t.host.spawnProcess('sleeper', { entry: 'dist/job.js', payload: { ms: 60_000 } });
    await t.host.drain({ deadlineMs: 300 });
    expect(order).toEqual(['process stopped/backend_unloaded', 'runtime stopped']);
  });
});
