import { afterEach, describe, expect, setDefaultTimeout, test } from 'bun:test';
import {
  assertNoChildren,
  closeRigs,
  ended,
  fakeExt,
  MODES,
  rig,
  spawn,
  statesOf,
  until,
} from './harness.ts';

// Real children on a shared 2-core machine: generous per-test budget, tight deadlines inside.
setDefaultTimeout(20_000);
afterEach(closeRigs);

describe.each(MODES)('backend process happy path (%s)', (mode) => {
  test('spawn resolves on ready with the info; messages both ways; stop ends stopped', async () => {
    const r = rig();
    const ext = fakeExt(mode);
    const result = await spawn(r, ext, {
      entry: 'dist/echo.js',
      kind: 'echo',
      key: 'k1',
      userId: 'u1',
      metadata: { tag: 'x' },
      heartbeatTimeoutMs: 1000,
    });
    if (!result.ok) throw new Error(result.error.message);
    const { info } = result;
    expect(info).toMatchObject({
      entry: 'dist/echo.js',
      kind: 'echo',
      key: 'k1',
      userId: 'u1',
      state: 'running',
      metadata: { tag: 'x' },
    });
    expect(info.readyAt).toBeString();
    const pid = r.service.backend.pidOf(info.processId) ?? -1;
    await r.service.handle(ext, {
      type: 'backend_process_send',
      processId: info.processId,
      payload: { hello: 1 },
    });
    await until(() => ext.posts.some((p) => p.type === 'backend_process_message'));
    expect(ext.posts.find((p) => p.type === 'backend_process_message')).toEqual({
      type: 'backend_process_message',
      processId: info.processId,
      payload: { hello: 1 },
      userId: 'u1',
    });
    const listed = await r.service.handle(ext, { type: 'backend_process_list', requestId: 'l' });
    expect(listed).toEqual([
      expect.objectContaining({ processId: info.processId, state: 'running' }),
    ]);
    const final = await r.service.handle(ext, {
      type: 'backend_process_stop',
      requestId: 's',
      processId: info.processId,
      options: { reason: 'done' },
    });
    expect(final).toMatchObject({ state: 'stopped', exitReason: 'stopped', entry: 'dist/echo.js' });
    expect(statesOf(ext, info.processId)).toEqual(['starting', 'running', 'stopping', 'stopped']);
    await assertNoChildren(r, [pid]);
    const got = await r.service.handle(ext, {
      type: 'backend_process_get',
      requestId: 'g',
      processId: info.processId,
    });
    expect(got).toMatchObject({ state: 'stopped' });
    expect(r.logs.some((l) => l.stream === 'stderr' && l.message.includes('cleanup ran'))).toBe(
      true,
    );
  });

  test('the run export gets the whole context; stdout reaches the logger tagged', async () => {
    const r = rig();
    const ext = fakeExt(mode);
    const result = await spawn(r, ext, {
      entry: 'dist/sub/named-run.mjs',
      key: 'k',
      payload: { n: 1 },
      metadata: { m: true },
      userId: 'u7',
    });
    if (!result.ok) throw new Error(result.error.message);
    const last = await ended(ext, result.info.processId);
    expect(last).toMatchObject({ state: 'completed', exitReason: 'completed' });
    const message = ext.posts.find((p) => p.type === 'backend_process_message');
    expect(message).toMatchObject({
      payload: {
        entry: 'dist/sub/named-run.mjs',
        kind: 'dist/sub/named-run.mjs',
        key: 'k',
        payload: { n: 1 },
        metadata: { m: true },
        userId: 'u7',
      },
    });
    await until(() => r.logs.some((l) => l.stream === 'stdout'));
    expect(r.logs.find((l) => l.stream === 'stdout')).toMatchObject({
      extensionId: 'process_fixtures',
      processId: result.info.processId,
      message: 'hello from dist/sub/named-run.mjs',
    });
    await assertNoChildren(r, [r.service.backend.pidOf(result.info.processId) ?? -1]);
  });
});
