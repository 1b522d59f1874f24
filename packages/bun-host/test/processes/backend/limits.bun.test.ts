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
  until,
} from './harness.ts';

// Real children on a shared 2-core machine: generous per-test budget, tight deadlines inside.
setDefaultTimeout(20_000);
afterEach(closeRigs);

describe.each(MODES)('backend process limits and dedupe (%s)', (mode) => {
  test('16 live + 1 more: the 17th is rejected with PROCESS_LIMIT, the others unaffected', async () => {
    const r = rig();
    const ext = fakeExt(mode);
    const results = await Promise.all(
      Array.from({ length: 16 }, (_, i) => spawn(r, ext, { entry: 'dist/echo.js', key: `k${i}` })),
    );
    expect(results.every((x) => x.ok)).toBe(true);
    const extra = await spawn(r, ext, { entry: 'dist/echo.js', key: 'k16' });
    expect(extra.ok).toBe(false);
    if (!extra.ok) {
      expect(extra.error.code).toBe('PROCESS_LIMIT');
      expect(extra.error.details).toMatchObject({ limit: 16 });
    }
    expect(processIds(ext)).toHaveLength(16);
    // another extension has its own budget
    const other = fakeExt(mode, { extensionId: 'other_ext' });
    expect((await spawn(r, other, { entry: 'dist/echo.js' })).ok).toBe(true);
    expect(r.service.backend.pids()).toHaveLength(17);
    const pids = r.service.backend.pids().flatMap(treeOf);
    const listed = (await r.service.handle(ext, {
      type: 'backend_process_list',
      requestId: 'l',
    })) as unknown[];
    expect(listed).toHaveLength(16);
    await r.service.close();
    for (const id of processIds(ext)) {
      expect(statesOf(ext, id)).toEqual(['starting', 'running', 'stopping', 'stopped']);
    }
    await assertNoChildren(r, pids);
  });

  test('duplicate key without replaceExisting: DUPLICATE_PROCESS', async () => {
    const r = rig();
    const ext = fakeExt(mode);
    const first = await spawn(r, ext, {
      entry: 'dist/echo.js',
      kind: 'job',
      key: 'same',
      userId: 'u1',
    });
    expect(first.ok).toBe(true);
    const second = await spawn(r, ext, {
      entry: 'dist/echo.js',
      kind: 'job',
      key: 'same',
      userId: 'u1',
    });
    expect(second.ok).toBe(false);
    if (!second.ok) expect(second.error.code).toBe('DUPLICATE_PROCESS');
    const otherUser = await spawn(r, ext, {
      entry: 'dist/echo.js',
      kind: 'job',
      key: 'same',
      userId: 'u2',
    });
    expect(otherUser.ok).toBe(true);
  });

  test('replaceExisting while the old one ignores stop: old ends stopped/replaced first, then the new one starts', async () => {
    const r = rig();
    const ext = fakeExt(mode);
    const old = await spawn(r, ext, { entry: 'dist/ignore-stop.js', kind: 'job', key: 'k' });
    if (!old.ok) throw new Error(old.error.message);
    const oldTree = treeOf(r.service.backend.pidOf(old.info.processId) ?? -1);
    const replacement = await spawn(r, ext, {
      entry: 'dist/echo.js',
      kind: 'job',
      key: 'k',
      replaceExisting: true,
    });
    if (!replacement.ok) throw new Error(replacement.error.message);
    const last = await ended(ext, old.info.processId);
    expect(last).toMatchObject({ state: 'stopped', exitReason: 'replaced' });
    expect(statesOf(ext, old.info.processId)).toEqual([
      'starting',
      'running',
      'stopping',
      'stopped',
    ]);
    // ordering: the old one's terminal event comes before the new one's first event
    const events = ext.posts.flatMap((p) =>
      p.type === 'backend_process_lifecycle' ? [p.event] : [],
    );
    const oldEnd = events.findIndex(
      (e) => e.processId === old.info.processId && e.state === 'stopped',
    );
    const newStart = events.findIndex((e) => e.processId === replacement.info.processId);
    expect(oldEnd).toBeLessThan(newStart);
    expect(statesOf(ext, replacement.info.processId)).toEqual(['starting', 'running']);
    await until(() => oldTree.every((pid) => !pidAlive(pid)), 3000, 'old process tree gone');
    expect(r.service.backend.pids()).toEqual([
      r.service.backend.pidOf(replacement.info.processId) ?? -1,
    ]);
  });

  test('replacing a process that is still starting rejects its spawn with REPLACED', async () => {
    const r = rig();
    const ext = fakeExt(mode);
    const oldSpawn = spawn(r, ext, { entry: 'dist/slow-ready.js', kind: 'job', key: 'k' });
    while (processIds(ext).length === 0) await Bun.sleep(5);
    const replacement = await spawn(r, ext, {
      entry: 'dist/echo.js',
      kind: 'job',
      key: 'k',
      replaceExisting: true,
    });
    expect(replacement.ok).toBe(true);
    const old = await oldSpawn;
    expect(old.ok).toBe(false);
    if (!old.ok) expect(old.error.code).toBe('REPLACED');
  });
});
