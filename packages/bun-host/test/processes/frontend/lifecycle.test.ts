import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeExt, flush, openTab, setup } from './harness.ts';

afterEach(() => {
  vi.useRealTimers();
});

async function started(heartbeatTimeoutMs = 1000, extra: Record<string, unknown> = {}) {
  const env = setup();
  const ext = fakeExt();
  const tab = openTab(env.hub);
  const spawned = env.request(ext, {
    type: 'frontend_process_spawn',
    requestId: 'r',
    options: {
      kind: 'ticker',
      userId: 'alice',
      heartbeatTimeoutMs,
      startupTimeoutMs: 1000,
      ...extra,
    },
  });
  spawned.catch(() => undefined);
  await flush();
  const spawn = tab.spawns()[0]!;
  return { ...env, ext, tab, spawned, processId: spawn.processId, spawn };
}

const states = (events: Array<{ state: string }>) => events.map((e) => e.state);

describe('frontend process lifecycle', () => {
  it('sends the effective deadlines with the spawn and resolves on ready', async () => {
    const { tab, spawned, processId, spawn, ext, service } = await started(1000);
    expect(spawn).toMatchObject({
      kind: 'ticker',
      startupTimeoutMs: 1000,
      heartbeatTimeoutMs: 1000,
    });
    tab.up({ type: 'process_ready', processId });
    await expect(spawned).resolves.toMatchObject({ processId, state: 'running' });
    expect(states(ext.events(processId))).toEqual(['starting', 'running']);
    await service.close();
  });

  it('emits no lifecycle event for heartbeats and times out when they stop', async () => {
    const { tab, processId, ext, service } = await started(1000);
    tab.up({ type: 'process_ready', processId });
    for (let i = 0; i < 5; i++) {
      vi.advanceTimersByTime(800);
      tab.up({ type: 'process_heartbeat', processId });
    }
    expect(states(ext.events(processId))).toEqual(['starting', 'running']);
    vi.advanceTimersByTime(1001);
    expect(ext.events(processId).at(-1)).toMatchObject({
      state: 'timed_out',
      exitReason: 'timed_out',
    });
    // The frontend is told to end it: no orphan on its side.
    expect(tab.ofType('process_terminated')).toEqual([
      expect.objectContaining({ processId, state: 'timed_out', exitReason: 'timed_out' }),
    ]);
    await service.close();
  });

  it('rejects the spawn with SPAWN_TIMEOUT when ready never comes', async () => {
    const { spawned, processId, ext, tab, service } = await started(1000);
    vi.advanceTimersByTime(1001);
    await expect(spawned).rejects.toMatchObject({ code: 'SPAWN_TIMEOUT' });
    expect(states(ext.events(processId))).toEqual(['starting', 'timed_out']);
    expect(tab.ofType('process_terminated')).toHaveLength(1);
    await service.close();
  });

  it('fails before ready with FAILED_BEFORE_READY and the error', async () => {
    const { spawned, processId, tab, ext, service } = await started();
    tab.up({
      type: 'process_ended',
      processId,
      outcome: 'failed',
      error: 'no handler for kind ticker',
    });
    await expect(spawned).rejects.toMatchObject({ code: 'FAILED_BEFORE_READY' });
    expect(ext.events(processId).at(-1)).toMatchObject({
      state: 'failed',
      error: 'no handler for kind ticker',
    });
    // The frontend ended it itself: it is not told back.
    expect(tab.ofType('process_terminated')).toHaveLength(0);
    await service.close();
  });

  it('graceful stop: stop request, the frontend answers stopped', async () => {
    const { tab, processId, ext, request, service } = await started();
    tab.up({ type: 'process_ready', processId });
    const stopping = request(ext, {
      type: 'frontend_process_stop',
      requestId: 's',
      processId,
      options: { reason: 'bye' },
    });
    await flush();
    expect(tab.ofType('process_stop')).toEqual([
      expect.objectContaining({ processId, force: false, reason: 'bye' }),
    ]);
    tab.up({ type: 'process_ended', processId, outcome: 'stopped' });
    await expect(stopping).resolves.toMatchObject({ state: 'stopped', exitReason: 'stopped' });
    expect(states(ext.events(processId))).toEqual(['starting', 'running', 'stopping', 'stopped']);
    await service.close();
  });

  it('complete() after a stop request ends stopped', async () => {
    const { tab, processId, ext, request, service } = await started();
    tab.up({ type: 'process_ready', processId });
    const stopping = request(ext, { type: 'frontend_process_stop', requestId: 's', processId });
    await flush();
    tab.up({ type: 'process_ended', processId, outcome: 'completed' });
    await expect(stopping).resolves.toMatchObject({ state: 'stopped', exitReason: 'stopped' });
    await service.close();
  });

  it('a process that ignores stop is ended after the grace and told so: never stuck stopping', async () => {
    const { tab, processId, ext, request, service } = await started(0);
    tab.up({ type: 'process_ready', processId });
    const stopping = request(ext, { type: 'frontend_process_stop', requestId: 's', processId });
    await flush();
    vi.advanceTimersByTime(499);
    expect(ext.events(processId).at(-1)?.state).toBe('stopping');
    vi.advanceTimersByTime(2);
    await expect(stopping).resolves.toMatchObject({ state: 'stopped', exitReason: 'stopped' });
    expect(tab.ofType('process_terminated')).toEqual([
      expect.objectContaining({ processId, state: 'stopped' }),
    ]);
    await service.close();
  });

  it('messages both ways, and none after the end', async () => {
    const { tab, processId, ext, request, service } = await started(0);
    tab.up({ type: 'process_ready', processId });
    tab.up({ type: 'process_message', processId, payload: { n: 1 } });
    await request(ext, { type: 'frontend_process_send', processId, payload: { cmd: 'ping' } });
    expect(ext.posts.filter((p) => p.type === 'frontend_process_message')).toEqual([
      { type: 'frontend_process_message', processId, payload: { n: 1 }, userId: 'alice' },
    ]);
    expect(tab.ofType('process_message')).toEqual([
      expect.objectContaining({ processId, payload: { cmd: 'ping' } }),
    ]);
    tab.up({ type: 'process_ended', processId, outcome: 'completed' });
    tab.up({ type: 'process_message', processId, payload: { late: true } });
    await request(ext, { type: 'frontend_process_send', processId, payload: { late: true } });
    expect(ext.posts.filter((p) => p.type === 'frontend_process_message')).toHaveLength(1);
    expect(tab.ofType('process_message')).toHaveLength(1);
    await service.close();
  });

  it('replaceExisting ends the old one stopped/replaced before the new one starts', async () => {
    const { tab, processId, ext, request, service } = await started(0, { key: 'only' });
    tab.up({ type: 'process_ready', processId });
    const duplicate = request(ext, {
      type: 'frontend_process_spawn',
      requestId: 'r2',
      options: { kind: 'ticker', key: 'only', userId: 'alice' },
    });
    await expect(duplicate).rejects.toMatchObject({ code: 'DUPLICATE_PROCESS' });
    const second = request(ext, {
      type: 'frontend_process_spawn',
      requestId: 'r3',
      options: { kind: 'ticker', key: 'only', userId: 'alice', replaceExisting: true },
    });
    second.catch(() => undefined);
    await flush();
    tab.up({ type: 'process_ended', processId, outcome: 'stopped' });
    await flush();
    await flush();
    expect(ext.events(processId).at(-1)).toMatchObject({
      state: 'stopped',
      exitReason: 'replaced',
    });
    const next = tab.spawns()[1]!;
    tab.up({ type: 'process_ready', processId: next.processId });
    await expect(second).resolves.toMatchObject({ state: 'running' });
    await service.close();
  });

  it('unloading the extension ends its processes backend_unloaded and settles spawns', async () => {
    const { tab, processId, spawned, ext, service } = await started();
    await service.unloadExtension('ext_a');
    await expect(spawned).rejects.toMatchObject({ code: 'EXTENSION_UNLOADED' });
    expect(ext.events(processId).at(-1)).toMatchObject({
      state: 'stopped',
      exitReason: 'backend_unloaded',
    });
    expect(tab.ofType('process_terminated')).toHaveLength(1);
    await expect(
      service.handle(ext.ctx, {
        type: 'frontend_process_list',
        requestId: 'l',
      }),
    ).resolves.toEqual([]);
    await service.close();
  });

  it('closing the host settles pending spawns with HOST_CLOSING and leaves no timer', async () => {
    const { spawned, service } = await started();
    await service.close();
    await expect(spawned).rejects.toMatchObject({ code: 'HOST_CLOSING' });
    expect(vi.getTimerCount()).toBe(0);
  });
});
