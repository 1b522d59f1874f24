/**
 * A worker that cannot start (its script is missing, as when a bundler left the SDK's default
 * `new URL('./worker-entry.ts', import.meta.url)` untouched) in real Chromium: the load must end
 * in `error` with a message that names the worker, not wait out the import deadline and blame
 * the bundle.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ECHO_BUNDLE, IIFE_GLOBAL_CTX_BUNDLE } from './bundles.ts';
import { type Rig, type RigPage, startRig } from './rig.ts';

describe('worker isolation: a worker or a bundle that fails to start', () => {
  let rig: Rig | undefined;
  let opened: RigPage | undefined;

  beforeAll(async () => {
    rig = await startRig();
  });
  afterEach(async () => {
    await opened?.context.close().catch(() => undefined);
    opened = undefined;
  });
  afterAll(async () => {
    await rig?.close();
  });

  it('ends the load in error naming the worker, before the import deadline', async () => {
    opened = await rig!.open('?workerUrl=/missing-worker.js&importTimeoutMs=8000');
    const { page } = opened;
    await page.evaluate(
      (src) => window.spindleTest.load('no_worker', { source: src }, 'worker'),
      ECHO_BUNDLE,
    );
    const settled = await page.evaluate(() => window.spindleTest.settled('no_worker'));
    console.info(`[sdk-browser] worker start failure: ${JSON.stringify(settled)}`);
    expect(settled).toMatchObject({ state: 'error', code: 'IMPORT_FAILED' });
    expect(settled.error).toMatch(/^\[spindle\] worker of extension no_worker failed: /);
    // The dead worker is still terminated (after the dispose grace, since it cannot answer).
    await page.waitForFunction(
      () => window.spindleTest.workers[0]?.terminated === true,
      undefined,
      {
        timeout: 20_000,
      },
    );
    expect(await page.evaluate(() => window.spindleTest.workers)).toEqual([{ terminated: true }]);
  });
  it.each([
    [
      'an import-time throw',
      IIFE_GLOBAL_CTX_BUNDLE,
      'IMPORT_FAILED',
      '[spindle] bundle of extension broken_in_worker failed to import: ReferenceError: ctx is not defined',
    ],
    [
      'a throwing setup',
      'export function setup() { throw new TypeError("cannot read config"); }',
      'SETUP_FAILED',
      '[spindle] setup() of extension broken_in_worker failed: cannot read config',
    ],
    [
      'a missing setup export',
      'export const version = 1;',
      'SETUP_FAILED',
      '[spindle] bundle of extension broken_in_worker does not export a setup(ctx) function',
    ],
  ])(
    '%s inside a worker keeps its error code across the boundary and ends the worker',
    async (_name, source, code, message) => {
      opened = await rig!.open();
      const { page } = opened;
      await page.evaluate(
        (src) => window.spindleTest.load('broken_in_worker', { source: src }, 'worker'),
        source,
      );
      const settled = await page.evaluate(() => window.spindleTest.settled('broken_in_worker'));
      expect(settled).toMatchObject({ state: 'error', isolation: 'worker', code, error: message });
      await page.waitForFunction(
        () => window.spindleTest.workers[0]?.terminated === true,
        undefined,
        {
          timeout: 20_000,
        },
      );
      expect(await page.evaluate(() => window.spindleTest.uplinks())).toEqual([]);
    },
  );
});
