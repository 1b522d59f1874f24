/**
 * Worker isolation in real Chromium: a worker-isolated process that calls `ready()` and then
 * runs `while (true) {}`. The SDK must cut the worker off (missed heartbeat, or an ignored forced
 * stop), report the process ended and the extension in `error`, while the page keeps answering.
 */
import type { Worker as PwWorker } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SPIN_BUNDLE } from './bundles.ts';
import { type Rig, type RigPage, startRig } from './rig.ts';

/** Bound on every wait; generous, since it only matters when something is broken. */
const WAIT = { timeout: 20_000 };

describe('worker isolation: a process that spins forever', () => {
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

  /** Loads the spin bundle in a worker, waits until ready, spawns `spin`, waits for its ready. */
  async function spinning(heartbeatTimeoutMs: number) {
    opened = await rig!.open();
    const { page } = opened;
    const workerClosed = new Promise<PwWorker>((done) => {
      page.on('worker', (worker) => worker.on('close', () => done(worker)));
    });
    const source = SPIN_BUNDLE;
    const loaded = await page.evaluate(
      (src) => window.spindleTest.load('spinner', { source: src }, 'worker'),
      source,
    );
    expect(loaded.state).toBe('loading');
    const settled = await page.evaluate(() => window.spindleTest.settled('spinner'));
    expect(settled).toMatchObject({ state: 'ready', isolation: 'worker' });
    await page.evaluate(
      (ms) =>
        window.spindleTest.send({
          type: 'process_spawn',
          extensionId: 'spinner',
          processId: 'p-spin',
          kind: 'spin',
          startupTimeoutMs: 30_000,
          heartbeatTimeoutMs: ms,
        }),
      heartbeatTimeoutMs,
    );
    await page.waitForFunction(
      () => window.spindleTest.uplinks().some((m) => m.type === 'process_ready'),
      undefined,
      WAIT,
    );
    return { page, workerClosed };
  }

  it('has no ctx.dom (nor document) inside the worker', async () => {
    const { page } = await spinning(30_000);
    const reported = await page.evaluate(() =>
      window.spindleTest
        .uplinks()
        .filter((m) => m.type === 'backend_message' && m.extensionId === 'spinner')
        .map((m) => (m.type === 'backend_message' ? m.payload : undefined)),
    );
    expect(reported).toEqual([
      {
        dom: 'undefined',
        hasDomKey: true,
        document: 'undefined',
        window: 'undefined',
        worker: true,
      },
    ]);
  });

  it('terminates the worker when the spinning process misses its heartbeat deadline', async () => {
    const { page, workerClosed } = await spinning(300);
    // The page answers while the worker spins: an evaluate round trip and real clicks.
    const t0 = Date.now();
    const during = await page.evaluate(() => window.spindleTest.processes().map((p) => p.state));
    const roundTripMs = Date.now() - t0;
    await page.click('#inc');
    await page.click('#inc');

    await page.waitForFunction(
      () => window.spindleTest.host.get('spinner')?.state === 'error',
      undefined,
      WAIT,
    );
    await expect(workerClosed).resolves.toBeDefined();
    const after = await page.evaluate(() => {
      const t = window.spindleTest;
      return {
        extension: t.host.get('spinner'),
        processes: t.processes(),
        ended: t.processEvents
          .map((e) => e.info)
          .filter(
            (i) => i.processId === 'p-spin' && i.state !== 'starting' && i.state !== 'running',
          ),
        uplinks: t.uplinks().filter((m) => m.type === 'process_ended'),
        workers: t.workers,
        count: document.querySelector('#count')?.textContent,
      };
    });
    expect(after.extension).toMatchObject({
      state: 'error',
      code: 'RUNTIME_GONE',
      error:
        '[spindle] worker of extension spinner was terminated: a process in it missed its heartbeat deadline',
    });
    expect(after.ended).toEqual([
      {
        processId: 'p-spin',
        extensionId: 'spinner',
        kind: 'spin',
        state: 'timed_out',
        exitReason: 'timed_out',
        error: '[spindle] process p-spin missed its heartbeat deadline (300 ms)',
      },
    ]);
    // The wire has no timed_out outcome; the SDK reports a failure that says so, exactly once.
    expect(after.uplinks).toEqual([
      {
        type: 'process_ended',
        processId: 'p-spin',
        outcome: 'failed',
        error: '[spindle] process p-spin missed its heartbeat deadline (300 ms)',
      },
    ]);
    expect(after.processes).toEqual([]);
    expect(after.workers).toEqual([{ terminated: true }]);
    expect(after.count).toBe('2');
    // Informational only (no speed assertion): the strict responsiveness checks are in the
    // forced-stop test, whose spin has no deadline.
    console.info(
      `[sdk-browser] evaluate round trip after ready: ${roundTripMs} ms, processes then: ${during.join() || 'none'}`,
    );
    // The page still answers after the kill.
    await page.click('#inc');
    expect(await page.textContent('#count')).toBe('3');
  });

  it('keeps the page responsive during the spin, and a forced stop the worker ignores terminates it', async () => {
    // Heartbeat deadline far away: nothing ends the spin until the forced stop below.
    const { page, workerClosed } = await spinning(600_000);
    const roundTrips: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      const t0 = Date.now();
      const states = await page.evaluate(() => window.spindleTest.processes().map((p) => p.state));
      roundTrips.push(Date.now() - t0);
      expect(states).toEqual(['running']);
      await page.click('#inc');
    }
    const clicks = await page.evaluate(() => window.spindleTest.clicks);
    expect(clicks.map((c) => c.count)).toEqual([1, 2, 3, 4, 5]);
    // Every click was handled while the worker was inside its busy loop (it posted ready and
    // entered the loop; only the forced stop below ends that).
    expect(clicks.every((c) => c.processStates.join() === 'running')).toBe(true);
    expect(await page.textContent('#count')).toBe('5');
    expect(await page.evaluate(() => window.spindleTest.workers)).toEqual([{ terminated: false }]);
    console.info(
      `[sdk-browser] evaluate round trips while the worker spun: ${roundTrips.join(', ')} ms`,
    );

    await page.evaluate(() =>
      window.spindleTest.send({ type: 'process_stop', processId: 'p-spin', force: true }),
    );
    await page.waitForFunction(
      () => window.spindleTest.host.get('spinner')?.state === 'error',
      undefined,
      WAIT,
    );
    await expect(workerClosed).resolves.toBeDefined();
    const after = await page.evaluate(() => {
      const t = window.spindleTest;
      return {
        extension: t.host.get('spinner'),
        ended: t.processEvents
          .map((e) => e.info)
          .filter(
            (i) => i.processId === 'p-spin' && i.state !== 'starting' && i.state !== 'running',
          ),
        uplinks: t.uplinks().filter((m) => m.type === 'process_ended'),
        workers: t.workers,
      };
    });
    expect(after.ended).toEqual([
      {
        processId: 'p-spin',
        extensionId: 'spinner',
        kind: 'spin',
        state: 'stopped',
        exitReason: 'stopped',
      },
    ]);
    expect(after.uplinks).toEqual([
      { type: 'process_ended', processId: 'p-spin', outcome: 'stopped' },
    ]);
    expect(after.extension).toMatchObject({
      state: 'error',
      code: 'RUNTIME_GONE',
      error:
        '[spindle] worker of extension spinner was terminated: it did not end a process it was told to end (forced stop, timeout or unload)',
    });
    expect(after.workers).toEqual([{ terminated: true }]);
    await page.click('#inc');
    expect(await page.textContent('#count')).toBe('6');
  });
  it('unloading an extension whose worker spins terminates the worker', async () => {
    const { page, workerClosed } = await spinning(600_000);
    await page.evaluate(() => window.spindleTest.host.unload('spinner'));
    await expect(workerClosed).resolves.toBeDefined();
    const after = await page.evaluate(() => ({
      extension: window.spindleTest.host.get('spinner'),
      states: window.spindleTest.states.map((s) => s.state),
      workers: window.spindleTest.workers,
      uplinks: window.spindleTest
        .uplinks()
        .filter((m) => m.type === 'process_ended' || m.type === 'extension_unmounted'),
    }));
    expect(after.extension).toBeUndefined();
    expect(after.states).toEqual(['loading', 'mounted', 'ready', 'unloaded']);
    expect(after.workers).toEqual([{ terminated: true }]);
    expect(after.uplinks).toEqual([
      { type: 'process_ended', processId: 'p-spin', outcome: 'frontend_unloaded' },
      { type: 'extension_unmounted', extensionId: 'spinner' },
    ]);
    await page.click('#inc');
    expect(await page.textContent('#count')).toBe('1');
  });
});
