/**
 * The launch plan of backend processes is made once per extension: later spawns reuse it, an
 * unload drops it, a failed plan is not kept, and the plan handed to children cannot be changed.
 */
import { afterEach, describe, expect, setDefaultTimeout, test } from 'bun:test';
import type { BackendLauncher } from '../../../src/processes/backend/launcher.ts';
import { defaultBackendLauncher } from '../../../src/processes/backend/launcher.ts';
import type { LaunchPlan, LaunchSpec } from '../../../src/sandbox/types.ts';
import { assertNoChildren, closeRigs, fakeExt, rig, spawn } from './harness.ts';

setDefaultTimeout(20_000);
afterEach(closeRigs);

/** The default launcher, counting its calls and the plans it made; `failNext` fails one call. */
function countingLauncher(): BackendLauncher & {
  calls: LaunchSpec[];
  plans: LaunchPlan[];
  failNext: boolean;
} {
  const launcher = {
    calls: [] as LaunchSpec[],
    plans: [] as LaunchPlan[],
    failNext: false,
    async plan(spec: LaunchSpec) {
      launcher.calls.push(spec);
      if (launcher.failNext) {
        launcher.failNext = false;
        throw new Error('planning failed on purpose');
      }
      const plan = await defaultBackendLauncher.plan(spec);
      launcher.plans.push(plan);
      return plan;
    },
  };
  return launcher;
}

describe('backend process launch plans', () => {
  test('one plan per extension: reused by later spawns, made again after an unload', async () => {
    const launcher = countingLauncher();
    const r = rig({ launcher });
    const ext = fakeExt('process');
    const other = fakeExt('process', { extensionId: 'other_ext' });
    for (const key of ['a', 'b', 'c']) {
      const result = await spawn(r, ext, { entry: 'dist/echo.js', key });
      expect(result.ok).toBe(true);
    }
    expect(launcher.calls.length).toBe(1);
    expect((await spawn(r, other, { entry: 'dist/echo.js' })).ok).toBe(true);
    expect(launcher.calls.length).toBe(2);
    await r.service.unloadExtension(ext.extensionId);
    expect((await spawn(r, ext, { entry: 'dist/echo.js', key: 'd' })).ok).toBe(true);
    expect(launcher.calls.length).toBe(3);
    const pids = r.service.backend.pids();
    await r.service.unloadExtension(ext.extensionId);
    await r.service.unloadExtension(other.extensionId);
    await assertNoChildren(r, pids);
  });

  test('a failed plan fails that spawn only; the next spawn plans again', async () => {
    const launcher = countingLauncher();
    const r = rig({ launcher });
    const ext = fakeExt('process');
    launcher.failNext = true;
    const failed = await spawn(r, ext, { entry: 'dist/echo.js' });
    expect(failed.ok).toBe(false);
    if (!failed.ok) {
      expect(failed.error.code).toBe('INTERNAL');
      expect(failed.error.message).toContain('planning failed on purpose');
    }
    const next = await spawn(r, ext, { entry: 'dist/echo.js' });
    expect(next.ok).toBe(true);
    expect(launcher.calls.length).toBe(2);
  });

  test('the shared plan is frozen: nothing a spawn does can change the next one', async () => {
    const launcher = countingLauncher();
    const r = rig({ launcher });
    const ext = fakeExt('process');
    expect((await spawn(r, ext, { entry: 'dist/echo.js' })).ok).toBe(true);
    const plan = launcher.plans[0]!;
    expect(Object.isFrozen(plan)).toBe(true);
    expect(Object.isFrozen(plan.cmd)).toBe(true);
    expect(Object.isFrozen(plan.env)).toBe(true);
  });
});
