/**
 * A well-behaved worker-isolated extension in real Chromium: backend messages both ways, a
 * process that becomes ready, beats, exchanges messages through comlink, and ends by a graceful
 * stop or by completing itself, with its cleanup run once; the worker stays alive throughout.
 */
import type { FrontendUplink } from '@spindle/types';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ECHO_BUNDLE } from './bundles.ts';
import { type Rig, type RigPage, startRig } from './rig.ts';

const WAIT = { timeout: 20_000 };

describe('worker isolation: a well-behaved process', () => {
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

  async function loadEcho() {
    opened = await rig!.open();
    const { page } = opened;
    const url = rig!.serveBundle('echo', ECHO_BUNDLE);
    await page.evaluate((u) => window.spindleTest.load('echoer', { url: u }, 'worker'), url);
    expect(await page.evaluate(() => window.spindleTest.settled('echoer'))).toMatchObject({
      state: 'ready',
      isolation: 'worker',
    });
    return page;
  }

  const spawn = (processId: string) => ({
    type: 'process_spawn' as const,
    extensionId: 'echoer',
    processId,
    kind: 'echo',
    key: 'k1',
    payload: { n: 1 },
    startupTimeoutMs: 10_000,
    heartbeatTimeoutMs: 5_000,
  });

  it('answers backend messages from the worker', async () => {
    const page = await loadEcho();
    await page.evaluate(() =>
      window.spindleTest.send({ type: 'backend_message', extensionId: 'echoer', payload: 'ping' }),
    );
    await page.waitForFunction(
      () => window.spindleTest.uplinks().some((m) => m.type === 'backend_message'),
      undefined,
      WAIT,
    );
    const uplinks = await page.evaluate(() => window.spindleTest.uplinks());
    expect(uplinks).toEqual([
      { type: 'extension_mounted', extensionId: 'echoer' },
      { type: 'backend_message', extensionId: 'echoer', payload: { echo: 'ping' } },
    ]);
    expect(opened!.consoleErrors).toEqual([]);
  });

  it('runs a process: ready, heartbeats, messages both ways, graceful stop, cleanup once', async () => {
    const page = await loadEcho();
    await page.evaluate((m) => window.spindleTest.send(m), spawn('p-1'));
    // Several heartbeats: each one arrives after ready and the process stays running.
    await page.waitForFunction(
      () => window.spindleTest.uplinks().filter((m) => m.type === 'process_heartbeat').length >= 3,
      undefined,
      WAIT,
    );
    await page.evaluate(() =>
      window.spindleTest.send({ type: 'process_message', processId: 'p-1', payload: 'marco' }),
    );
    await page.waitForFunction(
      () =>
        window.spindleTest
          .uplinks()
          .some((m) => m.type === 'process_message' && (m.payload as { echo?: unknown }).echo),
      undefined,
      WAIT,
    );
    expect(await page.evaluate(() => window.spindleTest.processes())).toEqual([
      { processId: 'p-1', extensionId: 'echoer', kind: 'echo', key: 'k1', state: 'running' },
    ]);

    await page.evaluate(() =>
      window.spindleTest.send({
        type: 'process_stop',
        processId: 'p-1',
        reason: 'maintenance',
        force: false,
      }),
    );
    await page.waitForFunction(
      () =>
        window.spindleTest
          .uplinks()
          .some(
            (m) =>
              m.type === 'backend_message' && (m.payload as { cleanup?: string }).cleanup === 'p-1',
          ),
      undefined,
      WAIT,
    );
    const uplinks = await page.evaluate(() => window.spindleTest.uplinks());
    const names = (list: FrontendUplink[]) =>
      list.filter((m) => m.type !== 'process_heartbeat').map((m) => m.type);
    expect(names(uplinks)).toEqual([
      'extension_mounted',
      'process_message', // hello, sent before ready()
      'process_ready',
      'process_message', // the echo
      'process_message', // { stopping: 'maintenance' }
      'process_ended',
      'backend_message', // cleanup ran
    ]);
    const processMessages = uplinks.flatMap((m) =>
      m.type === 'process_message' ? [m.payload] : [],
    );
    expect(processMessages).toEqual([
      'hello',
      { echo: 'marco', kind: 'echo', key: 'k1', spawnPayload: { n: 1 } },
      { stopping: 'maintenance' },
    ]);
    // A process that completes in onStop is reported `stopped` (the stop decided its end).
    expect(uplinks.filter((m) => m.type === 'process_ended')).toEqual([
      { type: 'process_ended', processId: 'p-1', outcome: 'stopped' },
    ]);
    const heartbeats = uplinks.filter((m) => m.type === 'process_heartbeat');
    expect(heartbeats.length).toBeGreaterThanOrEqual(3);
    const readyAt = uplinks.findIndex((m) => m.type === 'process_ready');
    expect(uplinks.findIndex((m) => m.type === 'process_heartbeat')).toBeGreaterThan(readyAt);
    const after = await page.evaluate(() => ({
      processes: window.spindleTest.processes(),
      extension: window.spindleTest.host.get('echoer'),
      workers: window.spindleTest.workers,
      last: window.spindleTest.processEvents.at(-1)?.info,
    }));
    expect(after.last).toMatchObject({ processId: 'p-1', state: 'stopped', exitReason: 'stopped' });
    expect(after.processes).toEqual([]);
    expect(after.extension?.state).toBe('ready');
    expect(after.workers).toEqual([{ terminated: false }]);
    expect(opened!.consoleErrors).toEqual([]);
  });

  const spawnFor = (extensionId: string) => ({ ...spawn(`${extensionId}-p`), extensionId });
  /** Loads ECHO in `isolation`, spawns a process, unloads; the uplinks of that extension. */
  const unloadUplinks = async (extensionId: string, isolation: 'main' | 'worker') => {
    opened = await rig!.open();
    const { page } = opened;
    const url = rig!.serveBundle('echo', ECHO_BUNDLE);
    await page.evaluate(([u, i, iso]) => window.spindleTest.load(i, { url: u }, iso), [
      url,
      extensionId,
      isolation,
    ] as const);
    await page.evaluate((i) => window.spindleTest.settled(i), extensionId);
    await page.evaluate((m) => window.spindleTest.send(m), spawnFor(extensionId));
    await page.waitForFunction(
      (p) =>
        window.spindleTest.uplinks().some((m) => m.type === 'process_ready' && m.processId === p),
      `${extensionId}-p`,
      WAIT,
    );
    await page.evaluate((i) => window.spindleTest.host.unload(i), extensionId);
    // The cleanup's report may cross the worker boundary after the unload call returned: then it
    // is either delivered (main thread, before the unmount) or dropped and counted (worker, after).
    await page.waitForFunction(
      (p) =>
        window.spindleTest.host.stats().uplinkDropped > 0 ||
        window.spindleTest
          .uplinks()
          .some(
            (m) =>
              m.type === 'backend_message' && (m.payload as { cleanup?: string }).cleanup === p,
          ),
      `${extensionId}-p`,
      WAIT,
    );
    const uplinks = await page.evaluate(() => window.spindleTest.uplinks());
    return uplinks
      .filter(
        (m) =>
          ('extensionId' in m && m.extensionId === extensionId) ||
          ('processId' in m && m.processId === `${extensionId}-p`),
      )
      .filter((m) => m.type !== 'process_heartbeat' && m.type !== 'process_message')
      .map((m) => (m.type === 'process_ended' ? `${m.type}:${m.outcome}` : m.type));
  };

  const UNLOAD_ORDER = [
    'extension_mounted',
    'process_ready',
    'process_ended:frontend_unloaded',
    'backend_message', // the process cleanup, before the extension is unmounted
    'extension_unmounted',
  ];

  it('unloading with a running process on the main thread: cleanup report, then unmounted', async () => {
    expect(await unloadUplinks('on_main', 'main')).toEqual(UNLOAD_ORDER);
  });

  // A worker realm runs the process cleanup only when the `end` message reaches it, after
  // `extension_unmounted` went out: what the cleanup sends then is dropped and counted, never
  // delivered after the unmount.
  it('unloading with a running process in a worker: nothing of the load follows the unmount', async () => {
    expect(await unloadUplinks('in_worker', 'worker')).toEqual([
      'extension_mounted',
      'process_ready',
      'process_ended:frontend_unloaded',
      'extension_unmounted',
    ]);
    expect(await opened!.page.evaluate(() => window.spindleTest.host.stats().uplinkDropped)).toBe(
      1,
    );
  });

  it('a process that completes by itself ends completed; unloading then ends the worker', async () => {
    const page = await loadEcho();
    await page.evaluate((m) => window.spindleTest.send(m), spawn('p-2'));
    await page.waitForFunction(
      () => window.spindleTest.uplinks().some((m) => m.type === 'process_ready'),
      undefined,
      WAIT,
    );
    await page.evaluate(() =>
      window.spindleTest.send({ type: 'process_message', processId: 'p-2', payload: 'finish' }),
    );
    await page.waitForFunction(
      () => window.spindleTest.uplinks().some((m) => m.type === 'process_ended'),
      undefined,
      WAIT,
    );
    const ended = await page.evaluate(() =>
      window.spindleTest.uplinks().filter((m) => m.type === 'process_ended'),
    );
    expect(ended).toEqual([{ type: 'process_ended', processId: 'p-2', outcome: 'completed' }]);
    // A message to the ended process is dropped and counted, not lost silently.
    await page.evaluate(() =>
      window.spindleTest.send({ type: 'process_message', processId: 'p-2', payload: 'late' }),
    );
    expect(await page.evaluate(() => window.spindleTest.host.stats().processMessagesDropped)).toBe(
      1,
    );

    await page.evaluate(() => window.spindleTest.host.unload('echoer'));
    await page.waitForFunction(
      () => window.spindleTest.workers[0]?.terminated === true,
      undefined,
      WAIT,
    );
    const final = await page.evaluate(() => ({
      extension: window.spindleTest.host.get('echoer'),
      states: window.spindleTest.states.map((s) => s.state),
      tail: window.spindleTest.uplinks().at(-1),
    }));
    expect(final.extension).toBeUndefined();
    expect(final.states).toEqual(['loading', 'mounted', 'ready', 'unloaded']);
    expect(final.tail).toEqual({ type: 'extension_unmounted', extensionId: 'echoer' });
    expect(opened!.consoleErrors).toEqual([]);
  });
});
