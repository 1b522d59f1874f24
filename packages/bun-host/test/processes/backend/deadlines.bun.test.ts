import { afterEach, describe, expect, setDefaultTimeout, test } from 'bun:test';
import {
  assertNoChildren,
  closeRigs,
  ended,
  fakeExt,
  MODES,
  pidAlive,
  processIds,
  rig,
  spawn,
  statesOf,
  treeOf,
} from './harness.ts';

// Real children on a shared 2-core machine: generous per-test budget, tight deadlines inside.
setDefaultTimeout(20_000);
afterEach(closeRigs);

describe.each(MODES)('backend process deadlines (%s)', (mode) => {
  test('hang before ready: timed_out at the startup deadline, SPAWN_TIMEOUT, child killed', async () => {
    const r = rig();
    const ext = fakeExt(mode);
    const started = Date.now();
    const result = await spawn(r, ext, { entry: 'dist/hang.js', startupTimeoutMs: 300 });
    const took = Date.now() - started;
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('SPAWN_TIMEOUT');
    expect(result.error.details).toMatchObject({ state: 'timed_out', exitReason: 'timed_out' });
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(3000);
    const [id = ''] = processIds(ext);
    expect(statesOf(ext, id)).toEqual(['starting', 'timed_out']);
    await assertNoChildren(r, [r.service.backend.pidOf(id) ?? -1]);
  });

  test('while(true) after ready: timed_out within the heartbeat deadline plus margin', async () => {
    const r = rig();
    const ext = fakeExt(mode);
    const result = await spawn(r, ext, { entry: 'dist/busy.js', heartbeatTimeoutMs: 300 });
    if (!result.ok) throw new Error(result.error.message);
    const tree = treeOf(r.service.backend.pidOf(result.info.processId) ?? -1);
    const last = await ended(ext, result.info.processId, 3000);
    expect(last).toMatchObject({
      state: 'timed_out',
      exitReason: 'timed_out',
      error: 'no heartbeat within 300 ms',
    });
    const lateBy = Date.parse(last.at) - Date.parse(result.info.readyAt ?? '') - 300;
    expect(lateBy).toBeGreaterThanOrEqual(0);
    // Margin for a loaded CI machine; bench/ measures the real lag.
    expect(lateBy).toBeLessThan(500);
    expect(statesOf(ext, result.info.processId)).toEqual(['starting', 'running', 'timed_out']);
    await assertNoChildren(r, tree);
    expect(tree.some(pidAlive)).toBe(false);
  });

  test('heartbeats keep a process alive past its deadline; no lifecycle event per beat', async () => {
    const r = rig();
    const ext = fakeExt(mode);
    const result = await spawn(r, ext, { entry: 'dist/echo.js', heartbeatTimeoutMs: 200 });
    if (!result.ok) throw new Error(result.error.message);
    await Bun.sleep(700);
    const info = (await r.service.handle(ext, {
      type: 'backend_process_get',
      requestId: 'g',
      processId: result.info.processId,
    })) as { state: string; lastHeartbeatAt: string; readyAt: string };
    expect(info.state).toBe('running');
    expect(Date.parse(info.lastHeartbeatAt)).toBeGreaterThan(Date.parse(info.readyAt));
    expect(statesOf(ext, result.info.processId)).toEqual(['starting', 'running']);
  });

  test('a slow but punctual ready resolves the spawn', async () => {
    const r = rig();
    const ext = fakeExt(mode);
    const result = await spawn(r, ext, { entry: 'dist/slow-ready.js', startupTimeoutMs: 2000 });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(
      Date.parse(result.info.readyAt ?? '') - Date.parse(result.info.startedAt),
    ).toBeGreaterThanOrEqual(290);
    const last = await ended(ext, result.info.processId, 10).catch(() => undefined);
    expect(last).toBeUndefined();
  });
});
