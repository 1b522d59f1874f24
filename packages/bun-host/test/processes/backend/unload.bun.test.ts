import { afterEach, describe, expect, setDefaultTimeout, test } from 'bun:test';
import {
  assertNoChildren,
  closeRigs,
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

describe.each(MODES)('backend processes and unload / close (%s)', (mode) => {
  test('unloading ends every child with backend_unloaded and settles pending spawns', async () => {
    const r = rig();
    const ext = fakeExt(mode);
    const other = fakeExt(mode, { extensionId: 'other_ext' });
    const running = await spawn(r, ext, { entry: 'dist/echo.js', key: 'a' });
    const stubborn = await spawn(r, ext, { entry: 'dist/ignore-stop.js', key: 'b' });
    const bystander = await spawn(r, other, { entry: 'dist/echo.js' });
    if (!running.ok || !stubborn.ok || !bystander.ok) throw new Error('spawn failed');
    const pending = spawn(r, ext, { entry: 'dist/slow-ready.js', key: 'c' });
    await until(() => processIds(ext).length === 3);
    const tree = processIds(ext).flatMap((id) => treeOf(r.service.backend.pidOf(id) ?? -1));
    await r.service.unloadExtension(ext.extensionId);
    const late = await pending;
    expect(late.ok).toBe(false);
    if (!late.ok) expect(late.error.code).toBe('EXTENSION_UNLOADED');
    for (const id of processIds(ext)) {
      const events = statesOf(ext, id);
      expect(events.at(-1)).toBe('stopped');
      expect(events.at(-2)).toBe('stopping');
    }
    const ends = ext.posts.flatMap((p) =>
      p.type === 'backend_process_lifecycle' && p.event.state === 'stopped'
        ? [p.event.exitReason]
        : [],
    );
    expect(ends).toEqual(['backend_unloaded', 'backend_unloaded', 'backend_unloaded']);
    // the other extension is untouched
    expect(statesOf(other, bystander.info.processId)).toEqual(['starting', 'running']);
    const stillAlive = r.service.backend.pids();
    expect(stillAlive).toEqual([r.service.backend.pidOf(bystander.info.processId) ?? -1]);
    await until(() => !tree.some(pidAlive), 3000, 'unloaded children gone');
  });

  test('spawn during an unload rejects EXTENSION_UNLOADED; after it, the re-enabled extension spawns again', async () => {
    const r = rig();
    const ext = fakeExt(mode);
    const stubborn = await spawn(r, ext, { entry: 'dist/ignore-stop.js' });
    if (!stubborn.ok) throw new Error(stubborn.error.message);
    const unloading = r.service.unloadExtension(ext.extensionId);
    const during = await spawn(r, ext, { entry: 'dist/echo.js' });
    expect(during.ok).toBe(false);
    if (!during.ok) expect(during.error.code).toBe('EXTENSION_UNLOADED');
    await unloading;
    expect(statesOf(ext, stubborn.info.processId).at(-1)).toBe('stopped');
    expect(processIds(ext)).toHaveLength(1);
    // the runtime layer reuses one context object across disable / enable
    const again = await spawn(r, ext, { entry: 'dist/echo.js' });
    expect(again.ok).toBe(true);
  });

  test('a spawn still resolving its entry when the unload begins is refused', async () => {
    const r = rig();
    const ext = fakeExt(mode);
    const pending = spawn(r, ext, { entry: 'dist/echo.js' });
    await r.service.unloadExtension(ext.extensionId);
    const result = await pending;
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe('EXTENSION_UNLOADED');
    expect(r.service.backend.pids()).toEqual([]);
  });

  test('close(): pending spawns reject HOST_CLOSING, every child is killed, later calls fail at once', async () => {
    const r = rig();
    const ext = fakeExt(mode);
    const live = await spawn(r, ext, { entry: 'dist/ignore-stop.js' });
    if (!live.ok) throw new Error(live.error.message);
    const pending = spawn(r, ext, { entry: 'dist/slow-ready.js' });
    await until(() => processIds(ext).length === 2);
    const tree = r.service.backend.pids().flatMap(treeOf);
    const started = Date.now();
    await r.service.close();
    expect(Date.now() - started).toBeLessThan(2000);
    const late = await pending;
    expect(late.ok).toBe(false);
    if (!late.ok) expect(late.error.code).toBe('HOST_CLOSING');
    for (const id of processIds(ext)) expect(statesOf(ext, id).at(-1)).toBe('stopped');
    await assertNoChildren(r, tree);
    const after = await spawn(r, ext, { entry: 'dist/echo.js' });
    expect(after.ok).toBe(false);
    if (!after.ok) expect(after.error.code).toBe('HOST_CLOSING');
  });
});
