/**
 * The drop-in test: an extension written the way the upstream Spindle docs write one
 * (`fixtures/upstream_style`: backend, backend subprocess, frontend) runs unmodified on the real
 * host (`startSpindleHost`, real WebSockets, real runtimes and children) and the real frontend
 * SDK behind the real host bridge, in every runtime mode. See docs/compatibility.md.
 */
import { afterEach, describe, expect, setDefaultTimeout, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  createTokenAuthenticator,
  type HostLogEntry,
  type StartedSpindleHost,
  startSpindleHost,
} from '@spindle/bun-host';
import { createExtensionHost, type ExtensionHost } from '@spindle/frontend-sdk';
import { connectHostBridge, type HostBridge } from '@spindle/host-bridge';
import {
  DEFAULT_LUMIVERSE_VERSION,
  RUNTIME_MODES,
  type SpindleFrontendContext,
  type SpindleRuntimeMode,
} from '@spindle/types';

setDefaultTimeout(40_000);

const FIXTURES = fileURLToPath(new URL('./fixtures', import.meta.url));
const FRONTEND = pathToFileURL(join(FIXTURES, 'upstream_style', 'dist', 'frontend.js')).href;
const EXT = 'upstream_style';
const TOKENS = {
  'alice-token-000000000001': { userId: 'alice' },
  'bob-token-00000000000002': { userId: 'bob' },
  'carol-token-000000000003': { userId: 'carol' },
};
const GRACE_MS = 2_500;

interface Hooked {
  ctx: SpindleFrontendContext;
  received: Array<{ id?: number; result?: unknown; error?: { code?: string }; type?: string }>;
}

const hook = () => ((globalThis as { __upstreamStyle?: Hooked[] }).__upstreamStyle ??= []);

interface Tab extends Hooked {
  bridge: HostBridge;
  sdk: ExtensionHost;
}

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function until(condition: () => boolean, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(5);
  }
}

async function startHost(mode: SpindleRuntimeMode) {
  const dataDir = mkdtempSync(join(tmpdir(), 'spindle-compat-'));
  const logs: HostLogEntry[] = [];
  let started: StartedSpindleHost;
  try {
    started = await startSpindleHost({
      extensionsDir: FIXTURES,
      dataDir,
      runtimeMode: mode,
      enable: 'all',
      authenticate: createTokenAuthenticator({ tokens: TOKENS }),
      logger: (entry) => logs.push(entry),
      timing: { readyTimeoutMs: 8_000, shutdownTimeoutMs: 2_000, killGraceMs: 1_000 },
      processOptions: { limits: { stopGraceMs: GRACE_MS }, logger: () => {} },
      frontendProcessOptions: { stopGraceMs: GRACE_MS },
      serverOptions: { hub: { limits: { resumeGraceMs: 300 } } },
    });
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  cleanups.push(async () => {
    await started.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const port = started.host.port;
  if (port === undefined) throw new Error('the host started no server');
  return { started, logs, dataDir, wsUrl: `ws://127.0.0.1:${port}/ws` };
}

function connect(wsUrl: string, token: string): HostBridge {
  const bridge = connectHostBridge({ url: wsUrl, token });
  cleanups.push(() => bridge.close());
  return bridge;
}

/** A "tab": the bridge, the SDK, and the fixture's frontend half mounted through it. */
async function openTab(wsUrl: string, token: string): Promise<Tab> {
  const bridge = connect(wsUrl, token);
  await until(() => bridge.connectionState === 'open', 'the bridge to open');
  const info = bridge.extensions.find((e) => e.identifier === EXT);
  if (info?.state !== 'running') throw new Error(`${EXT} is ${info?.state ?? 'missing'}`);
  const sdk = createExtensionHost({ transport: bridge, document: null });
  cleanups.push(() => sdk.close());
  const index = hook().length;
  const ticket = sdk.load({
    manifest: info.manifest,
    url: FRONTEND,
    ...(info.host ? { host: info.host } : {}),
  });
  const settled = await ticket.settled;
  if (settled.state !== 'ready')
    throw new Error(`frontend half is ${settled.state}: ${settled.error}`);
  const hooked = hook()[index];
  if (!hooked) throw new Error('the frontend half did not run setup');
  return { ...hooked, bridge, sdk };
}

let nextId = 0;
async function ask(tab: Tab, cmd: string, extra: Record<string, unknown> = {}) {
  nextId += 1;
  const id = nextId;
  tab.ctx.sendToBackend({ id, cmd, ...extra });
  await until(() => tab.received.some((m) => m.id === id), `the answer to ${cmd}`);
  const answer = tab.received.find((m) => m.id === id);
  if (answer?.error) throw new Error(`${cmd} failed: ${JSON.stringify(answer.error)}`);
  return answer?.result as Record<string, unknown>;
}

describe.each(RUNTIME_MODES)('upstream-style extension, %s mode', (mode) => {
  test('identity, messages both ways and upstream sendToFrontend routing', async () => {
    const { wsUrl } = await startHost(mode);
    const alice = await openTab(wsUrl, 'alice-token-000000000001');
    const bob = await openTab(wsUrl, 'bob-token-00000000000002');
    // Carol is connected but has not mounted the extension: no broadcast reaches her.
    const carol = connect(wsUrl, 'carol-token-000000000003');
    const carolGot: unknown[] = [];
    carol.onMessage((m) => {
      if (m.type === 'backend_message') carolGot.push(m);
    });
    await until(() => carol.connectionState === 'open', 'carol');

    const hello = await ask(alice, 'hello');
    expect(hello).toEqual({
      userId: 'alice',
      frontendSessionId: alice.bridge.sessionId,
      host: {
        descriptorVersion: 1,
        lumiverseVersion: DEFAULT_LUMIVERSE_VERSION,
        capabilities: { 'frontend-session-routing-v1': 1 },
        extensionInstallationId: EXT,
      },
      manifestExtra: { kept: true },
      permissions: ['chats', 'a_permission_from_the_future'],
      missing: { chat: 'undefined', characters: 'undefined', ui: 'undefined' },
    });
    expect(alice.ctx.host).toEqual(hello.host as never);
    expect(alice.ctx.frontendSessionId).toBe(alice.bridge.sessionId);
    expect((alice.ctx.manifest as unknown as Record<string, unknown>).x_custom_field).toEqual({
      kept: true,
    });

    await ask(alice, 'broadcast');
    const broadcasts = (tab: Tab) => tab.received.filter((m) => m.type === 'broadcast');
    await until(() => broadcasts(alice).length === 1 && broadcasts(bob).length === 1, 'broadcast');
    await ask(alice, 'toUser', { target: 'bob' });
    await until(() => bob.received.some((m) => m.type === 'to-user'), 'the message to bob');
    expect(alice.received.some((m) => m.type === 'to-user')).toBe(false);
    // The answers went to alice's session only (`sendToFrontend(p, userId, { frontendSessionId })`).
    expect(bob.received.filter((m) => m.id !== undefined)).toEqual([]);
    expect(carolGot).toEqual([]);
  });

  test('frontend processes: event-object onMessage, positional send, stop with and without onStop', async () => {
    const { wsUrl } = await startHost(mode);
    const alice = await openTab(wsUrl, 'alice-token-000000000001');
    const run = await ask(alice, 'frontendProcess');
    expect(run).toMatchObject({
      tickEvent: { sameId: true, userId: 'alice' },
      echo: { echoed: 'marco' },
      stopReturned: 'undefined',
      end: { state: 'stopped', exitReason: 'stopped' },
    });
    expect(run.lifecycle).toContain('running');
    const graceful = await ask(alice, 'frontendGraceful');
    expect(graceful).toEqual({
      flushed: 'closing time',
      end: { state: 'stopped', exitReason: 'stopped' },
    });
  });

  test('backend processes: send(processId, payload, userId), event-object onMessage, stop → void', async () => {
    const { wsUrl } = await startHost(mode);
    const alice = await openTab(wsUrl, 'alice-token-000000000001');
    expect(await ask(alice, 'backendProcess')).toEqual({
      entry: 'dist/worker.js',
      kind: 'dist/worker.js',
      first: { payload: { echo: { ping: 1 } }, sameId: true, userId: 'alice' },
      second: { echo: { ping: 2 } },
      stopReturned: 'undefined',
      end: { state: 'stopped', exitReason: 'stopped' },
      refreshed: 'stopped',
    });
  });

  test('a stop handler that saves asynchronously for 1 s is waited for; its write lands', async () => {
    const { wsUrl } = await startHost(mode);
    const alice = await openTab(wsUrl, 'alice-token-000000000001');
    const result = await ask(alice, 'stopSaves');
    expect(result.end).toEqual({ state: 'stopped', exitReason: 'stopped' });
    expect(result.saved).toEqual({ saved: 'state-at-stop' });
    expect(result.waitedMs as number).toBeGreaterThanOrEqual(900);
  });

  test('a stop handler that never completes is ended at the stop grace', async () => {
    const { wsUrl } = await startHost(mode);
    const alice = await openTab(wsUrl, 'alice-token-000000000001');
    const result = await ask(alice, 'stopNever');
    expect(result.end).toEqual({ state: 'stopped', exitReason: 'stopped' });
    expect(result.waitedMs as number).toBeGreaterThanOrEqual(GRACE_MS - 100);
  });

  test('invalid spawn options reject with INVALID_OPTIONS within 100 ms, never hang', async () => {
    const { wsUrl } = await startHost(mode);
    const alice = await openTab(wsUrl, 'alice-token-000000000001');
    const results = (await ask(alice, 'invalidSpawns')) as unknown as Array<{
      code: string;
      path?: string;
    }>;
    expect(results.map(({ code, path }) => ({ code, path }))).toEqual([
      { code: 'INVALID_OPTIONS', path: 'options.entry' },
      { code: 'INVALID_OPTIONS', path: 'options.entry' },
      { code: 'INVALID_OPTIONS', path: 'options.entry' },
      { code: 'INVALID_OPTIONS', path: 'options.entry' },
      { code: 'INVALID_OPTIONS', path: 'options.startupTimeoutMs' },
      { code: 'INVALID_OPTIONS', path: 'options.kind' },
      { code: 'INVALID_OPTIONS', path: 'options.metadata' },
    ]);
  });

  test('storage: binary round trip, recursive list, stat, move, mkdir, seed files, positional userStorage', async () => {
    const { wsUrl, logs } = await startHost(mode);
    const alice = await openTab(wsUrl, 'alice-token-000000000001');
    const result = await ask(alice, 'storage');
    expect(result).toMatchObject({
      binary: true,
      listNotes: ['2026/jan.txt'],
      statFile: { exists: true, isFile: true, isDirectory: false, sizeBytes: 256 },
      statDir: { exists: true, isFile: false, isDirectory: true },
      statMissing: {
        exists: false,
        isFile: false,
        isDirectory: false,
        sizeBytes: 0,
        modifiedAt: new Date(0).toISOString(),
      },
      moved: { from: false, to: 'buy thread' },
      seeded: {
        defaults: { theme: 'dusk', volume: 3 },
        presets: ['calm.json', 'loud.json'],
        optional: false,
      },
      user: {
        text: 'for alice',
        json: { dark: true },
        list: ['mine.txt', 'prefs.json'],
        stat: true,
      },
    });
    expect(result.list).toEqual([
      'archive/todo.txt',
      'blobs/all.bin',
      'defaults.json',
      'notes/2026/jan.txt',
      'presets/calm.json',
      'presets/loud.json',
    ]);
    expect(logs.some((l) => l.message.includes('a_permission_from_the_future'))).toBe(true);
  });

  test('FRONTEND_SESSION_CLOSED reaches spindle.on when a session ends for good', async () => {
    const { wsUrl } = await startHost(mode);
    const alice = await openTab(wsUrl, 'alice-token-000000000001');
    const bob = connect(wsUrl, 'bob-token-00000000000002');
    await until(() => bob.connectionState === 'open', 'bob');
    const bobSession = bob.sessionId;
    bob.close();
    let closures: unknown[] = [];
    const deadline = Date.now() + 15_000;
    while (closures.length === 0 && Date.now() < deadline) {
      closures = (await ask(alice, 'sessionClosures')) as unknown as unknown[];
      if (closures.length === 0) await Bun.sleep(50);
    }
    expect(closures).toEqual([{ userId: 'bob', frontendSessionId: bobSession }]);
  });
});
