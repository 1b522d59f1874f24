import { afterEach, describe, expect, setDefaultTimeout, test } from 'bun:test';
import {
  assertNoChildren,
  closeRigs,
  ended,
  fakeExt,
  MODES,
  processIds,
  rig,
  spawn,
  statesOf,
  treeOf,
  until,
} from './harness.ts';

// Real children on a shared 2-core machine: generous per-test budget, tight deadlines inside.
setDefaultTimeout(20_000);
afterEach(closeRigs);

function stop(
  r: ReturnType<typeof rig>,
  ext: ReturnType<typeof fakeExt>,
  processId: string,
  reason?: string,
) {
  return r.service.handle(ext, {
    type: 'backend_process_stop',
    requestId: 's',
    processId,
    ...(reason === undefined ? {} : { options: { reason } }),
  }) as Promise<{ state: string; exitReason?: string }>;
}

describe.each(MODES)('backend process stop (%s)', (mode) => {
  test('ignores stop: SIGKILL after the grace, stopped', async () => {
    const r = rig();
    const ext = fakeExt(mode);
    const result = await spawn(r, ext, { entry: 'dist/ignore-stop.js' });
    if (!result.ok) throw new Error(result.error.message);
    const tree = treeOf(r.service.backend.pidOf(result.info.processId) ?? -1);
    const started = Date.now();
    const final = await stop(r, ext, result.info.processId);
    const took = Date.now() - started;
    expect(final).toMatchObject({ state: 'stopped', exitReason: 'stopped' });
    expect(took).toBeGreaterThanOrEqual(390);
    expect(took).toBeLessThan(3000);
    expect(statesOf(ext, result.info.processId)).toEqual([
      'starting',
      'running',
      'stopping',
      'stopped',
    ]);
    await assertNoChildren(r, tree);
  });

  test('an onStop handler runs with the reason, then the process ends stopped and cleans up', async () => {
    const r = rig();
    const ext = fakeExt(mode);
    const result = await spawn(r, ext, { entry: 'dist/stop-handler.js' });
    if (!result.ok) throw new Error(result.error.message);
    const final = await stop(r, ext, result.info.processId, 'maintenance');
    expect(final).toMatchObject({ state: 'stopped', exitReason: 'stopped' });
    await until(() => r.logs.some((l) => l.message === 'cleanup after stop'));
    expect(r.logs.some((l) => l.message === 'stopping because maintenance')).toBe(true);
    await assertNoChildren(r, [r.service.backend.pidOf(result.info.processId) ?? -1]);
  });

  test('an onStop handler that returns is not an acknowledgement: the process runs on until the grace', async () => {
    const r = rig();
    const ext = fakeExt(mode);
    const result = await spawn(r, ext, { entry: 'dist/stop-returns.js' });
    if (!result.ok) throw new Error(result.error.message);
    const started = Date.now();
    const final = await stop(r, ext, result.info.processId);
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);
    expect(final).toMatchObject({ state: 'stopped', exitReason: 'stopped' });
    await until(() => r.logs.some((l) => l.message === 'stop handler returned'));
    expect(statesOf(ext, result.info.processId)).toEqual([
      'starting',
      'running',
      'stopping',
      'stopped',
    ]);
    await assertNoChildren(r, [r.service.backend.pidOf(result.info.processId) ?? -1]);
  });

  test('stop before ready: the spawn rejects STOPPED_BEFORE_READY, the process ends stopped', async () => {
    const r = rig();
    const ext = fakeExt(mode);
    const pending = spawn(r, ext, { entry: 'dist/slow-ready.js' });
    await until(() => processIds(ext).length === 1);
    const [id = ''] = processIds(ext);
    const final = await stop(r, ext, id);
    const result = await pending;
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('STOPPED_BEFORE_READY');
    expect(final).toMatchObject({ state: 'stopped', exitReason: 'stopped' });
    expect(statesOf(ext, id)).toEqual(['starting', 'stopping', 'stopped']);
    await assertNoChildren(r, [r.service.backend.pidOf(id) ?? -1]);
  });

  test('double stop: one transition each, both calls get the same final info', async () => {
    const r = rig();
    const ext = fakeExt(mode);
    const result = await spawn(r, ext, { entry: 'dist/ignore-stop.js' });
    if (!result.ok) throw new Error(result.error.message);
    const [a, b] = await Promise.all([
      stop(r, ext, result.info.processId),
      stop(r, ext, result.info.processId),
    ]);
    expect(a).toEqual(b);
    expect(a).toMatchObject({ state: 'stopped' });
    expect(await stop(r, ext, result.info.processId)).toEqual(a);
    expect(statesOf(ext, result.info.processId)).toEqual([
      'starting',
      'running',
      'stopping',
      'stopped',
    ]);
    await assertNoChildren(r, [r.service.backend.pidOf(result.info.processId) ?? -1]);
  });

  test('a stopped process drops later messages (counted, never delivered)', async () => {
    const r = rig();
    const ext = fakeExt(mode);
    const result = await spawn(r, ext, { entry: 'dist/echo.js' });
    if (!result.ok) throw new Error(result.error.message);
    await stop(r, ext, result.info.processId);
    await r.service.handle(ext, {
      type: 'backend_process_send',
      processId: result.info.processId,
      payload: 'late',
    });
    await Bun.sleep(50);
    expect(ext.posts.some((p) => p.type === 'backend_process_message')).toBe(false);
    expect(r.service.backend.countersOf(result.info.processId)).toMatchObject({
      droppedToProcess: 1,
    });
    await ended(ext, result.info.processId);
  });
});
