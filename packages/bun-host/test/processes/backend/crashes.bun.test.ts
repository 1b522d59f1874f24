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
} from './harness.ts';

// Real children on a shared 2-core machine: generous per-test budget, tight deadlines inside.
setDefaultTimeout(20_000);
afterEach(closeRigs);

describe.each(MODES)('backend process crashes (%s)', (mode) => {
  test('crash before ready: failed, spawn rejects EXITED_BEFORE_READY with code and stderr tail', async () => {
    const r = rig();
    const ext = fakeExt(mode);
    const result = await spawn(r, ext, { entry: 'dist/crash-before-ready.js' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('EXITED_BEFORE_READY');
    expect(result.error.details).toMatchObject({
      state: 'failed',
      exitReason: 'failed',
      exitCode: 3,
      signal: null,
    });
    expect(String(result.error.details?.stderrTail)).toContain('boom before ready');
    const [id = ''] = processIds(ext);
    expect(statesOf(ext, id)).toEqual(['starting', 'failed']);
    await assertNoChildren(r, [r.service.backend.pidOf(id) ?? -1]);
  });

  test('crash after ready: failed with the exit code in the error', async () => {
    const r = rig();
    const ext = fakeExt(mode);
    const result = await spawn(r, ext, { entry: 'dist/crash-after-ready.js' });
    if (!result.ok) throw new Error(result.error.message);
    const last = await ended(ext, result.info.processId);
    expect(last).toMatchObject({ state: 'failed', exitReason: 'failed' });
    expect(last.error).toContain('code 4');
    expect(statesOf(ext, result.info.processId)).toEqual(['starting', 'running', 'failed']);
    await assertNoChildren(r, [r.service.backend.pidOf(result.info.processId) ?? -1]);
  });

  test('exit 0 without complete: failed', async () => {
    const r = rig();
    const ext = fakeExt(mode);
    const result = await spawn(r, ext, { entry: 'dist/exit-zero.js' });
    if (!result.ok) throw new Error(result.error.message);
    const last = await ended(ext, result.info.processId);
    expect(last).toMatchObject({ state: 'failed', exitReason: 'failed' });
    expect(last.error).toBe('exited with code 0 without a terminal message');
    expect(statesOf(ext, result.info.processId)).toEqual(['starting', 'running', 'failed']);
    await assertNoChildren(r, [r.service.backend.pidOf(result.info.processId) ?? -1]);
  });

  test('handler throws: failed before ready, FAILED_BEFORE_READY', async () => {
    const r = rig();
    const ext = fakeExt(mode);
    const result = await spawn(r, ext, { entry: 'dist/throws.js' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('FAILED_BEFORE_READY');
    expect(result.error.details).toMatchObject({
      state: 'failed',
      error: 'handler threw: handler exploded',
    });
    const [id = ''] = processIds(ext);
    expect(statesOf(ext, id)).toEqual(['starting', 'failed']);
    await assertNoChildren(r, [r.service.backend.pidOf(id) ?? -1]);
  });

  test('handler rejects after ready: failed with the rejection', async () => {
    const r = rig();
    const ext = fakeExt(mode);
    const result = await spawn(r, ext, { entry: 'dist/rejects.js' });
    if (!result.ok) throw new Error(result.error.message);
    const last = await ended(ext, result.info.processId);
    expect(last).toMatchObject({
      state: 'failed',
      exitReason: 'failed',
      error: 'handler rejected: handler rejected late',
    });
    expect(statesOf(ext, result.info.processId)).toEqual(['starting', 'running', 'failed']);
    await assertNoChildren(r, [r.service.backend.pidOf(result.info.processId) ?? -1]);
  });

  test('cleanup throws: the completion turns into failed, reported on stderr', async () => {
    const r = rig();
    const ext = fakeExt(mode);
    const result = await spawn(r, ext, { entry: 'dist/cleanup-throws.js' });
    if (!result.ok) throw new Error(result.error.message);
    const last = await ended(ext, result.info.processId);
    expect(last).toMatchObject({
      state: 'failed',
      exitReason: 'failed',
      error: 'cleanup failed: cleanup exploded',
    });
    expect(statesOf(ext, result.info.processId)).toEqual(['starting', 'running', 'failed']);
    await assertNoChildren(r, [r.service.backend.pidOf(result.info.processId) ?? -1]);
    expect(
      r.logs.some((l) => l.stream === 'stderr' && l.message.includes('cleanup exploded')),
    ).toBe(true);
  });

  test('an uncaught exception after ready: failed with the error', async () => {
    const r = rig();
    const ext = fakeExt(mode);
    const result = await spawn(r, ext, { entry: 'dist/throws-later.js' });
    if (!result.ok) throw new Error(result.error.message);
    const last = await ended(ext, result.info.processId);
    expect(last).toMatchObject({
      state: 'failed',
      exitReason: 'failed',
      error: 'uncaught: timer exploded',
    });
    expect(statesOf(ext, result.info.processId)).toEqual(['starting', 'running', 'failed']);
    await assertNoChildren(r, [r.service.backend.pidOf(result.info.processId) ?? -1]);
  });

  test('an entry whose module body throws fails before ready with the import error', async () => {
    const r = rig();
    const ext = fakeExt(mode);
    const result = await spawn(r, ext, { entry: 'dist/import-throws.js' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('FAILED_BEFORE_READY');
    expect(result.error.message).toContain('module body exploded');
  });

  test('an entry without a handler export fails before ready', async () => {
    const r = rig();
    const ext = fakeExt(mode);
    const result = await spawn(r, ext, { entry: 'dist/not-a-handler.js' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('FAILED_BEFORE_READY');
    expect(result.error.message).toContain('exports neither a default nor a run function');
  });

  test('complete racing the exit is reported completed (many rounds)', async () => {
    const r = rig();
    const ext = fakeExt(mode);
    const ids: string[] = [];
    for (let i = 0; i < 8; i += 1) {
      const result = await spawn(r, ext, { entry: 'dist/echo.js' });
      if (!result.ok) throw new Error(result.error.message);
      ids.push(result.info.processId);
      await r.service.handle(ext, {
        type: 'backend_process_send',
        processId: result.info.processId,
        payload: 'complete',
      });
      const last = await ended(ext, result.info.processId);
      expect(last).toMatchObject({ state: 'completed', exitReason: 'completed' });
    }
    await assertNoChildren(
      r,
      ids.map((id) => r.service.backend.pidOf(id) ?? -1),
    );
  });
});
