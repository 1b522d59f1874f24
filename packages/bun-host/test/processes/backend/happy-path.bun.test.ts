import { afterEach, describe, expect, setDefaultTimeout, test } from 'bun:test';
import { readFileSync } from 'node:fs';
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
        initVisible: false,
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

  test('an init too large for the environment travels over IPC, intact', async () => {
    const r = rig();
    const ext = fakeExt(mode);
    // Over INIT_ENV_MAX_BYTES (32 KiB) once serialized.
    const payload = { text: 'x'.repeat(40_000), nested: [1, { a: 'é' }] };
    const result = await spawn(r, ext, { entry: 'dist/sub/named-run.mjs', payload });
    if (!result.ok) throw new Error(result.error.message);
    await ended(ext, result.info.processId);
    const message = ext.posts.find((p) => p.type === 'backend_process_message');
    expect(message).toMatchObject({ payload: { payload, initVisible: false } });
  });

  test.skipIf(mode !== 'process' || process.platform !== 'linux')(
    'a small init rides in the environment (no wait for a first IPC message)',
    async () => {
      const r = rig();
      const ext = fakeExt(mode);
      const result = await spawn(r, ext, { entry: 'dist/echo.js', payload: { n: 1 } });
      if (!result.ok) throw new Error(result.error.message);
      const pid = r.service.backend.pidOf(result.info.processId) ?? -1;
      // The process's initial environment; the child removed the variable from `process.env`.
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      const init = environ.find((entry) => entry.startsWith('SPINDLE_PROCESS_INIT='));
      expect(JSON.parse(init?.slice('SPINDLE_PROCESS_INIT='.length) ?? 'null')).toMatchObject({
        processId: result.info.processId,
        entry: 'dist/echo.js',
        payload: { n: 1 },
      });
    },
  );
});
