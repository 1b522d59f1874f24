import { afterEach, describe, expect, setDefaultTimeout, test } from 'bun:test';
import { closeRigs, fakeExt, rig, spawn, statesOf } from './harness.ts';

// Real children on a shared 2-core machine: generous per-test budget, tight deadlines inside.
setDefaultTimeout(20_000);
afterEach(closeRigs);

describe('backend process authority', () => {
  test('another extension can neither see nor control a process', async () => {
    const r = rig();
    const owner = fakeExt('process');
    const intruder = fakeExt('process', { extensionId: 'intruder' });
    const result = await spawn(r, owner, { entry: 'dist/echo.js' });
    if (!result.ok) throw new Error(result.error.message);
    const { processId } = result.info;
    expect(
      await r.service.handle(intruder, { type: 'backend_process_get', requestId: 'g', processId }),
    ).toBeNull();
    expect(
      await r.service.handle(intruder, { type: 'backend_process_list', requestId: 'l' }),
    ).toEqual([]);
    await expect(
      r.service.handle(intruder, { type: 'backend_process_stop', requestId: 's', processId }),
    ).rejects.toMatchObject({ code: 'PROCESS_NOT_FOUND' });
    await expect(
      r.service.handle(intruder, { type: 'backend_process_send', processId, payload: 'x' }),
    ).rejects.toMatchObject({ code: 'PROCESS_NOT_FOUND' });
    expect(statesOf(owner, processId)).toEqual(['starting', 'running']);
    expect(owner.posts.some((p) => p.type === 'backend_process_message')).toBe(false);
    expect(intruder.posts).toEqual([]);
    const refusals = r.logs.filter((l) => l.message.startsWith('refused'));
    expect(refusals.length).toBeGreaterThanOrEqual(3);
    expect(refusals[0]).toMatchObject({ extensionId: 'intruder', processId });
  });

  test('a user-scoped extension acts for its installer only', async () => {
    const r = rig();
    const ext = fakeExt('process', { scope: { kind: 'user', userId: 'alice' } });
    const implicit = await spawn(r, ext, { entry: 'dist/echo.js' });
    if (!implicit.ok) throw new Error(implicit.error.message);
    expect(implicit.info.userId).toBe('alice');
    const forbidden = await spawn(r, ext, { entry: 'dist/echo.js', userId: 'bob' });
    expect(forbidden.ok).toBe(false);
    if (!forbidden.ok) expect(forbidden.error.code).toBe('FORBIDDEN');
    await expect(
      r.service.handle(ext, {
        type: 'backend_process_list',
        requestId: 'l',
        filter: { userId: 'bob' },
      }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(
      r.service.handle(ext, {
        type: 'backend_process_stop',
        requestId: 's',
        processId: implicit.info.processId,
        options: { userId: 'bob' },
      }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(statesOf(ext, implicit.info.processId)).toEqual(['starting', 'running']);
    expect(r.logs.filter((l) => l.message.startsWith('refused (FORBIDDEN)')).length).toBe(3);
  });

  test('an operator-scoped extension reaches the userId it names', async () => {
    const r = rig();
    const ext = fakeExt('process');
    const a = await spawn(r, ext, { entry: 'dist/echo.js', userId: 'alice' });
    const b = await spawn(r, ext, { entry: 'dist/echo.js', userId: 'bob' });
    if (!a.ok || !b.ok) throw new Error('spawn failed');
    const forAlice = (await r.service.handle(ext, {
      type: 'backend_process_list',
      requestId: 'l',
      filter: { userId: 'alice' },
    })) as Array<{ processId: string }>;
    expect(forAlice.map((i) => i.processId)).toEqual([a.info.processId]);
    await expect(
      r.service.handle(ext, {
        type: 'backend_process_stop',
        requestId: 's',
        processId: a.info.processId,
        options: { userId: 'bob' },
      }),
    ).rejects.toMatchObject({ code: 'PROCESS_NOT_FOUND' });
    const stopped = await r.service.handle(ext, {
      type: 'backend_process_stop',
      requestId: 's',
      processId: a.info.processId,
      options: { userId: 'alice' },
    });
    expect(stopped).toMatchObject({ state: 'stopped' });
    expect(statesOf(ext, b.info.processId)).toEqual(['starting', 'running']);
  });
});
