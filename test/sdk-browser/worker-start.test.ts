/**
 * A worker that cannot start (its script is missing, as when a bundler left the SDK's default
 * `new URL('./worker-entry.ts', import.meta.url)` untouched) in real Chromium: the load must end
 * in `error` with a message that names the worker, not wait out the import deadline and blame
 * the bundle.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ECHO_BUNDLE } from './bundles.ts';
import { type Rig, type RigPage, startRig } from './rig.ts';

describe('worker isolation: a worker that fails to start', () => {
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
});
