/**
 * Fault matrix of frontend processes through the real SDK, the real hub and the real
 * supervisor (docs/architecture.md, "Process lifecycle"). Every case checks the terminal state and exit
 * reason, one lifecycle event per transition, one settlement, and that nothing is left running
 * on either side.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createWorld, settle } from './world.ts';

let world: ReturnType<typeof createWorld>;

beforeEach(() => {
  vi.useFakeTimers();
  world = createWorld();
});

afterEach(async () => {
  await world.close();
  vi.useRealTimers();
});

async function advance(ms: number) {
  await vi.advanceTimersByTimeAsync(ms);
  await settle();
}

/** Opens a tab and waits until the extension is mounted and ready in it. */
async function tabReady(userId = 'alice') {
  const tab = world.openTab(userId);
  for (let i = 0; i < 50 && tab.host.get('demo')?.state !== 'ready'; i++) await advance(5);
  expect(tab.host.get('demo')?.state).toBe('ready');
  return tab;
}

const states = (processId: string) => world.events(processId).map((e) => e.state);

/** Nothing live on the host for this process, nothing local in any tab. */
function assertNothingRunning(tabs: Array<{ host: { processes(): unknown[] } }>) {
  expect(world.supervisor.snapshot().filter((p) => !isTerminal(p.state))).toEqual([]);
  for (const tab of tabs) expect(tab.host.processes()).toEqual([]);
}
const isTerminal = (s: string) => ['stopped', 'completed', 'failed', 'timed_out'].includes(s);

describe('frontend processes, end to end in memory', () => {
  it('ready → running, messages both ways, stop → stopped; cleanup once', async () => {
    const tab = await tabReady();
    const info = await world.spawn({ mode: 'ok' });
    expect(info.state).toBe('running');
    await world.service.handle(world.ext, {
      type: 'frontend_process_send',
      processId: info.processId,
      payload: { hello: 1 },
    });
    await settle();
    expect(world.posts).toContainEqual({
      type: 'frontend_process_message',
      processId: info.processId,
      payload: { hello: 1 },
      userId: 'alice',
    });
    await advance(2000);
    expect(states(info.processId)).toEqual(['starting', 'running']);
    const stopping = world.service.handle(world.ext, {
      type: 'frontend_process_stop',
      requestId: 's',
      processId: info.processId,
    });
    await advance(10);
    await expect(stopping).resolves.toMatchObject({ state: 'stopped', exitReason: 'stopped' });
    expect(states(info.processId)).toEqual(['starting', 'running', 'stopping', 'stopped']);
    expect(world.counters.cleanups).toBe(1);
    assertNothingRunning([tab]);
  });

  it.each([
    ['throw', 'boom in handler'],
    ['reject', 'rejected in handler'],
  ] as const)(
    'a handler that %ss fails the process before ready with its message',
    async (mode, message) => {
      const tab = await tabReady();
      const spawned = world.spawn({ mode });
      await advance(10);
      await expect(spawned).rejects.toMatchObject({ code: 'FAILED_BEFORE_READY' });
      const [processId] = [...world.counters.runs.keys()];
      expect(world.events(processId!).at(-1)).toMatchObject({ state: 'failed', error: message });
      expect(states(processId!)).toEqual(['starting', 'failed']);
      assertNothingRunning([tab]);
    },
  );

  it('a cleanup that throws still ends the process once', async () => {
    const tab = await tabReady();
    const info = await world.spawn({ mode: 'cleanup-throws' });
    const stopping = world.service.handle(world.ext, {
      type: 'frontend_process_stop',
      requestId: 's',
      processId: info.processId,
    });
    await advance(10);
    await expect(stopping).resolves.toMatchObject({ state: 'stopped' });
    expect(world.counters.cleanups).toBe(1);
    assertNothingRunning([tab]);
  });

  it('hang before ready → timed_out, SPAWN_TIMEOUT, and the tab drops it', async () => {
    const tab = await tabReady();
    const spawned = world.spawn({ mode: 'hang' });
    await advance(1001);
    await expect(spawned).rejects.toMatchObject({ code: 'SPAWN_TIMEOUT' });
    const [processId] = [...world.counters.runs.keys()];
    expect(states(processId!)).toEqual(['starting', 'timed_out']);
    await advance(100);
    assertNothingRunning([tab]);
  });

  it('missed heartbeats → timed_out on the host, and the tab ends it too (no orphan)', async () => {
    const tab = await tabReady();
    const info = await world.spawn({ mode: 'stall' });
    await advance(1001);
    expect(world.events(info.processId).at(-1)).toMatchObject({
      state: 'timed_out',
      exitReason: 'timed_out',
    });
    expect(world.counters.cleanups).toBe(1);
    assertNothingRunning([tab]);
  });

  it('ignores stop → forced after the grace, stopped; never stuck stopping', async () => {
    const tab = await tabReady();
    const info = await world.spawn({ mode: 'ignore-stop', heartbeatTimeoutMs: 0 });
    const stopping = world.service.handle(world.ext, {
      type: 'frontend_process_stop',
      requestId: 's',
      processId: info.processId,
    });
    await advance(400);
    expect(world.events(info.processId).at(-1)?.state).toBe('stopping');
    await advance(200);
    await expect(stopping).resolves.toMatchObject({ state: 'stopped', exitReason: 'stopped' });
    expect(world.counters.cleanups).toBe(1);
    assertNothingRunning([tab]);
  });

  it('stop before ready rejects the spawn STOPPED_BEFORE_READY; double stop settles once', async () => {
    const tab = await tabReady();
    const spawned = world.spawn({ mode: 'hang' });
    await settle();
    const [processId] = [...world.counters.runs.keys()];
    const stop = () =>
      world.service.handle(world.ext, {
        type: 'frontend_process_stop',
        requestId: 's',
        processId: processId!,
      });
    const first = stop();
    const second = stop();
    await advance(600);
    await expect(spawned).rejects.toMatchObject({ code: 'STOPPED_BEFORE_READY' });
    await expect(first).resolves.toMatchObject({ state: 'stopped' });
    await expect(second).resolves.toMatchObject({ state: 'stopped' });
    expect(states(processId!)).toEqual(['starting', 'stopping', 'stopped']);
    assertNothingRunning([tab]);
  });

  it('replaceExisting while the old one ignores stop: old stopped/replaced, new running', async () => {
    const tab = await tabReady();
    const old = await world.spawn({ mode: 'ignore-stop', key: 'k', heartbeatTimeoutMs: 0 });
    const next = world.spawn({
      mode: 'ok',
      key: 'k',
      replaceExisting: true,
      heartbeatTimeoutMs: 0,
    });
    await advance(600);
    await expect(next).resolves.toMatchObject({ state: 'running' });
    expect(world.events(old.processId).at(-1)).toMatchObject({
      state: 'stopped',
      exitReason: 'replaced',
    });
    expect(tab.host.processes().map((p) => p.processId)).toEqual([(await next).processId]);
  });

  it('a 1 MB message goes both ways', async () => {
    await tabReady();
    const info = await world.spawn({ mode: 'ok', heartbeatTimeoutMs: 0 });
    const big = 'x'.repeat(1_000_000);
    await world.service.handle(world.ext, {
      type: 'frontend_process_send',
      processId: info.processId,
      payload: { big },
    });
    await advance(10);
    const echoed = world.posts.find((p) => p.type === 'frontend_process_message');
    expect((echoed as { payload: { big: string } }).payload.big.length).toBe(big.length);
  });

  it('a message over the frame limit is refused and reported; the process carries on', async () => {
    const tab = await tabReady();
    const info = await world.spawn({ mode: 'ok', heartbeatTimeoutMs: 0 });
    await world.service.handle(world.ext, {
      type: 'frontend_process_send',
      processId: info.processId,
      payload: { big: 'x'.repeat(2 * 1024 * 1024) },
    });
    await advance(10);
    expect(world.hubErrors).toEqual([expect.objectContaining({ code: 'FRAME_TOO_LARGE' })]);
    expect(world.posts.some((p) => p.type === 'frontend_process_message')).toBe(false);
    expect(world.events(info.processId).at(-1)?.state).toBe('running');
    expect(tab.host.processes()).toHaveLength(1);
  });

  it('spawn after the extension is unloaded is refused; unload ends live ones backend_unloaded', async () => {
    const tab = await tabReady();
    const info = await world.spawn({ mode: 'ok', heartbeatTimeoutMs: 0 });
    await world.service.unloadExtension('demo');
    await settle();
    expect(world.events(info.processId).at(-1)).toMatchObject({ exitReason: 'backend_unloaded' });
    assertNothingRunning([tab]);
  });

  it('two sessions of one user: exactly one runs the process', async () => {
    const a = await tabReady();
    await advance(5);
    const b = await tabReady();
    const info = await world.spawn({ mode: 'ok', heartbeatTimeoutMs: 0 });
    expect(world.counters.runs.get(info.processId)).toBe(1);
    const running = [a, b].filter((t) => t.host.processes().length > 0);
    expect(running).toHaveLength(1);
  });

  it('survives a disconnect that resumes within the deadline; heartbeats sent meanwhile are not lost', async () => {
    const tab = await tabReady();
    const info = await world.spawn({ mode: 'ok' });
    tab.drop();
    await advance(900);
    tab.resume();
    await advance(1500);
    expect(world.events(info.processId).at(-1)?.state).toBe('running');
    expect(tab.host.processes()).toHaveLength(1);
  });

  it('a disconnect without resume ends it failed/frontend_unloaded on both sides', async () => {
    const tab = await tabReady();
    const info = await world.spawn({ mode: 'ok' });
    tab.drop();
    await advance(1100);
    expect(world.events(info.processId).at(-1)).toMatchObject({
      state: 'failed',
      exitReason: 'frontend_unloaded',
    });
    // The tab comes back within the session window and learns of it: no orphan.
    tab.resume();
    await advance(10);
    expect(tab.host.processes()).toEqual([]);
    expect(world.counters.cleanups).toBe(1);
  });

  it('unloading the frontend ends its processes frontend_unloaded', async () => {
    const tab = await tabReady();
    const info = await world.spawn({ mode: 'ok', heartbeatTimeoutMs: 0 });
    tab.host.unload('demo');
    await advance(10);
    expect(world.events(info.processId).at(-1)).toMatchObject({ exitReason: 'frontend_unloaded' });
    assertNothingRunning([tab]);
  });
});
