import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeExt, flush, openTab, setup } from './harness.ts';

afterEach(() => {
  vi.useRealTimers();
});

async function running(heartbeatTimeoutMs: number) {
  const env = setup({ disconnectGraceMs: 3000 });
  const ext = fakeExt();
  const tab = openTab(env.hub);
  const spawned = env.request(ext, {
    type: 'frontend_process_spawn',
    requestId: 'r',
    options: { kind: 'ticker', userId: 'alice', heartbeatTimeoutMs },
  });
  await flush();
  const processId = tab.spawns()[0]!.processId;
  tab.up({ type: 'process_ready', processId });
  await spawned;
  return { ...env, ext, tab, processId };
}

describe('frontend process across a disconnect', () => {
  it('continues when the session resumes within the heartbeat deadline', async () => {
    const { hub, tab, processId, ext, service } = await running(1000);
    vi.advanceTimersByTime(900);
    tab.connection.detach();
    // Longer than the heartbeat deadline measured from the last beat: the watchdog is held.
    vi.advanceTimersByTime(800);
    const lastServerSeq = Math.max(
      0,
      ...tab.frames.flatMap((f) => ('seq' in f && typeof f.seq === 'number' ? [f.seq] : [])),
    );
    const back = openTab(hub, 'alice', [], { sessionId: tab.sessionId, lastServerSeq });
    back.seq = tab.seq;
    back.up({ type: 'process_heartbeat', processId });
    vi.advanceTimersByTime(900);
    back.up({ type: 'process_heartbeat', processId });
    expect(ext.events(processId).map((e) => e.state)).toEqual(['starting', 'running']);
    // After the resume the normal watchdog is back.
    vi.advanceTimersByTime(1001);
    expect(ext.events(processId).at(-1)).toMatchObject({ state: 'timed_out' });
    await service.close();
  });

  it('ends failed/frontend_unloaded when the session does not resume in time', async () => {
    const { hub, tab, processId, ext, service } = await running(1000);
    tab.connection.detach();
    vi.advanceTimersByTime(999);
    expect(ext.events(processId).at(-1)?.state).toBe('running');
    vi.advanceTimersByTime(2);
    expect(ext.events(processId).at(-1)).toMatchObject({
      state: 'failed',
      exitReason: 'frontend_unloaded',
    });
    // A frontend that comes back later learns of it from the replayed downlinks.
    const back = openTab(hub, 'alice', [], { sessionId: tab.sessionId, lastServerSeq: 1 });
    expect(back.ofType('process_terminated')).toEqual([
      expect.objectContaining({ processId, state: 'failed', exitReason: 'frontend_unloaded' }),
    ]);
    await service.close();
  });

  it('uses the disconnect grace when heartbeats are off', async () => {
    const { tab, processId, ext, service } = await running(0);
    tab.connection.detach();
    vi.advanceTimersByTime(2999);
    expect(ext.events(processId).at(-1)?.state).toBe('running');
    vi.advanceTimersByTime(2);
    expect(ext.events(processId).at(-1)).toMatchObject({
      state: 'failed',
      exitReason: 'frontend_unloaded',
    });
    await service.close();
  });

  it('ends at once when the session closes for good', async () => {
    const { hub, tab, processId, ext, service } = await running(0);
    hub.close(tab.sessionId, 1000, 'tab closed');
    expect(ext.events(processId).at(-1)).toMatchObject({
      state: 'failed',
      exitReason: 'frontend_unloaded',
    });
    await service.close();
  });

  it('unmounting the extension in the session ends its processes frontend_unloaded', async () => {
    const { tab, processId, ext, service } = await running(0);
    tab.up({ type: 'process_ended', processId, outcome: 'frontend_unloaded' });
    expect(ext.events(processId).at(-1)).toMatchObject({
      state: 'stopped',
      exitReason: 'frontend_unloaded',
    });
    expect(tab.ofType('process_terminated')).toHaveLength(0);
    await service.close();
  });
});

describe('frontend process authority', () => {
  it('a session cannot report on a process it does not own; the owner is unaffected', async () => {
    const env = setup();
    const ext = fakeExt();
    const owner = openTab(env.hub);
    const spawned = env.request(ext, {
      type: 'frontend_process_spawn',
      requestId: 'r',
      options: { kind: 'k', userId: 'alice', heartbeatTimeoutMs: 0 },
    });
    await flush();
    const processId = owner.spawns()[0]!.processId;
    owner.up({ type: 'process_ready', processId });
    await spawned;
    const intruder = openTab(env.hub, 'mallory');
    intruder.up({ type: 'process_ended', processId, outcome: 'failed', error: 'gotcha' });
    intruder.up({ type: 'process_message', processId, payload: 'spoof' });
    expect(ext.events(processId).at(-1)?.state).toBe('running');
    expect(ext.posts.some((p) => p.type === 'frontend_process_message')).toBe(false);
    await env.service.close();
  });

  it('a report on a process the host does not know is answered with process_terminated', async () => {
    const env = setup();
    const tab = openTab(env.hub);
    tab.up({ type: 'process_heartbeat', processId: 'fp-ghost' });
    expect(tab.ofType('process_terminated')).toEqual([
      expect.objectContaining({ processId: 'fp-ghost', state: 'failed' }),
    ]);
    await env.service.close();
  });

  it('another extension cannot see or stop the process', async () => {
    const env = setup();
    const ext = fakeExt();
    const other = fakeExt({ kind: 'operator' }, 'ext_b');
    const tab = openTab(env.hub);
    const spawned = env.request(ext, {
      type: 'frontend_process_spawn',
      requestId: 'r',
      options: { kind: 'k', userId: 'alice', heartbeatTimeoutMs: 0 },
    });
    await flush();
    const processId = tab.spawns()[0]!.processId;
    tab.up({ type: 'process_ready', processId });
    await spawned;
    await expect(
      env.request(other, { type: 'frontend_process_get', requestId: 'g', processId }),
    ).resolves.toBeNull();
    await expect(
      env.request(other, { type: 'frontend_process_stop', requestId: 's', processId }),
    ).rejects.toMatchObject({ code: 'PROCESS_NOT_FOUND' });
    expect(ext.events(processId).at(-1)?.state).toBe('running');
    await env.service.close();
  });
});
