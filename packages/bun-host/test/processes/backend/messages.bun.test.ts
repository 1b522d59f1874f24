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
  until,
} from './harness.ts';

// Real children on a shared 2-core machine: generous per-test budget, tight deadlines inside.
setDefaultTimeout(20_000);
afterEach(closeRigs);

const MB = 1024 * 1024;

describe.each(MODES)('backend process messages (%s)', (mode) => {
  test('1 MB messages both ways arrive whole', async () => {
    const r = rig();
    const ext = fakeExt(mode);
    const result = await spawn(r, ext, { entry: 'dist/echo.js', payload: { big: MB } });
    if (!result.ok) throw new Error(result.error.message);
    const big = 'z'.repeat(MB);
    await r.service.handle(ext, {
      type: 'backend_process_send',
      processId: result.info.processId,
      payload: { back: big },
    });
    const messages = () =>
      ext.posts.flatMap((p) => (p.type === 'backend_process_message' ? [p.payload] : []));
    await until(() => messages().length === 2, 5000, 'both big messages');
    expect(messages()).toContainEqual({ big: 'y'.repeat(MB) });
    expect(messages()).toContainEqual({ back: big });
    expect(statesOf(ext, result.info.processId)).toEqual(['starting', 'running']);
  });

  test('malformed messages are logged and counted; the process keeps its state', async () => {
    const r = rig();
    const ext = fakeExt(mode);
    const result = await spawn(r, ext, { entry: 'dist/malformed.js' });
    if (!result.ok) throw new Error(result.error.message);
    await until(() => ext.posts.some((p) => p.type === 'backend_process_message'));
    const malformed = r.logs.filter((l) => l.message.startsWith('malformed message'));
    expect(malformed).toHaveLength(4);
    expect(r.service.backend.countersOf(result.info.processId)).toMatchObject({ malformed: 4 });
    expect(malformed[0]).toMatchObject({ level: 'warn', processId: result.info.processId });
    expect(statesOf(ext, result.info.processId)).toEqual(['starting', 'running']);
    await r.service.handle(ext, {
      type: 'backend_process_send',
      processId: result.info.processId,
      payload: 'finish',
    });
    const last = await ended(ext, result.info.processId);
    expect(last).toMatchObject({ state: 'completed', exitReason: 'completed' });
    await assertNoChildren(r, [r.service.backend.pidOf(result.info.processId) ?? -1]);
  });

  test('a flood of malformed messages fails the process at the threshold', async () => {
    const r = rig();
    const ext = fakeExt(mode);
    const result = await spawn(r, ext, { entry: 'dist/garbage-flood.js' });
    if (!result.ok) throw new Error(result.error.message);
    const last = await ended(ext, result.info.processId);
    expect(last).toMatchObject({
      state: 'failed',
      exitReason: 'failed',
      error: 'sent 16 malformed messages',
    });
    expect(statesOf(ext, result.info.processId)).toEqual(['starting', 'running', 'failed']);
    await assertNoChildren(r, [r.service.backend.pidOf(result.info.processId) ?? -1]);
  });

  test('a message sent right after the spawn request reaches a handler that subscribes late', async () => {
    const r = rig();
    const ext = fakeExt(mode);
    const pending = spawn(r, ext, { entry: 'dist/slow-ready.js' });
    while (processIds(ext).length === 0) await Bun.sleep(5);
    const [id = ''] = processIds(ext);
    await r.service.handle(ext, { type: 'backend_process_send', processId: id, payload: 'early' });
    const result = await pending;
    expect(result.ok).toBe(true);
    await until(() => ext.posts.some((p) => p.type === 'backend_process_message'));
    expect(ext.posts.find((p) => p.type === 'backend_process_message')).toMatchObject({
      payload: { echo: 'early' },
    });
  });
});
