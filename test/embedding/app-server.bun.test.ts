/**
 * The mounting pattern of docs/embedding.md: an app serves the host from its own `Bun.serve`
 * under `/spindle`, behind its own cookie sessions. The host opens no port of its own; the
 * bridge connects through the app, `authenticate` reads the cookie from the upgrade request,
 * bundle URLs follow the base path, and the app's other routes keep working.
 */
import { afterEach, describe, expect, setDefaultTimeout, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type StartedSpindleHost, startSpindleHost } from '@spindle/bun-host';
import { connectHostBridge, type WebSocketConstructor } from '@spindle/host-bridge';
import type { FrontendDownlink } from '@spindle/types';

setDefaultTimeout(30_000);

const FIXTURES = fileURLToPath(new URL('../compat/fixtures', import.meta.url));
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function until(condition: () => boolean, what: string, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(5);
  }
}

// ── The app: 40 lines of the embedding app's own server ────────────────────────────────────
const sessions = new Map([['s3cr3t-alice', 'alice']]);
const cookieUser = (request?: Request) => {
  const cookie = request?.headers.get('Cookie') ?? '';
  const id = /(?:^|;\s*)app_session=([^;]+)/.exec(cookie)?.[1];
  return id === undefined ? undefined : sessions.get(id);
};

async function startApp(dataDir: string) {
  const spindle: StartedSpindleHost = await startSpindleHost({
    extensionsDir: FIXTURES,
    dataDir,
    enable: 'all',
    mount: { basePath: '/spindle' },
    // The app's own sessions decide who connects; the handshake token is not used.
    authenticate: (_token, request) => {
      const userId = cookieUser(request);
      return userId === undefined ? null : { userId };
    },
    logger: () => {},
  });
  const handlers = spindle.handlers;
  if (!handlers) throw new Error('mount gave no handlers');
  const app = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    fetch(request, server) {
      if (handlers.owns(request)) return handlers.fetch(request, server);
      const url = new URL(request.url);
      if (url.pathname === '/')
        return new Response('<h1>the app</h1>', { headers: { 'Content-Type': 'text/html' } });
      if (url.pathname === '/whoami') return new Response(cookieUser(request) ?? 'nobody');
      return new Response('app: not found', { status: 404 });
    },
    websocket: handlers.websocket,
  });
  return { spindle, app, base: `http://127.0.0.1:${app.port}` };
}
// ────────────────────────────────────────────────────────────────────────────────────────────

/** Bun's WebSocket with the app's session cookie, as a browser on the app's origin would send it. */
function withCookie(cookie: string): WebSocketConstructor {
  return class extends WebSocket {
    constructor(url: string | URL) {
      super(url, { headers: { Cookie: cookie } } as unknown as string[]);
    }
  } as unknown as WebSocketConstructor;
}

describe('the host mounted on an app server under /spindle', () => {
  test('sessions, messages, bundles and the API go through the app; its own routes stay its own', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'spindle-app-'));
    const { spindle, app, base } = await startApp(dataDir);
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    cleanups.push(() => spindle.close());
    cleanups.push(() => app.stop(true));
    expect(spindle.host.port).toBeUndefined();

    expect(await (await fetch(`${base}/`)).text()).toBe('<h1>the app</h1>');
    expect(
      await (
        await fetch(`${base}/whoami`, { headers: { Cookie: 'app_session=s3cr3t-alice' } })
      ).text(),
    ).toBe('alice');

    // A signed-in page: the cookie alone opens a session.
    const bridge = connectHostBridge({
      url: `ws://127.0.0.1:${app.port}/spindle/ws`,
      token: '',
      WebSocket: withCookie('app_session=s3cr3t-alice'),
    });
    cleanups.push(() => bridge.close());
    const received: FrontendDownlink[] = [];
    bridge.onMessage((m) => received.push(m));
    await until(() => bridge.connectionState === 'open', 'the bridge to open');
    expect(bridge.userId).toBe('alice');
    const info = bridge.extensions.find((e) => e.identifier === 'upstream_style');
    expect(info?.frontendUrl).toMatch(/^\/spindle\/extensions\/upstream_style\/frontend\.js\?v=/);
    expect(info?.host?.extensionInstallationId).toBe('upstream_style');

    const bundle = await fetch(`${base}${info?.frontendUrl}`);
    expect(bundle.status).toBe(200);
    expect(await bundle.text()).toContain('export function setup(ctx)');

    bridge.send({ type: 'extension_mounted', extensionId: 'upstream_style' });
    bridge.send({
      type: 'backend_message',
      extensionId: 'upstream_style',
      payload: { id: 1, cmd: 'hello' },
    });
    await until(() => received.some((m) => m.type === 'backend_message'), 'the backend answer');
    const answer = received.find((m) => m.type === 'backend_message') as {
      payload: { result: { userId: string } };
    };
    expect(answer.payload.result.userId).toBe('alice');

    // The API through the app, with the cookie instead of a bearer token.
    const api = await fetch(`${base}/spindle/api/extensions`, {
      headers: { Cookie: 'app_session=s3cr3t-alice' },
    });
    expect(api.status).toBe(200);
    expect(((await api.json()) as { identifier: string }[]).map((e) => e.identifier)).toEqual([
      'upstream_style',
    ]);
  });

  test('without the app session: the API is 401 and the socket is refused (UNAUTHORIZED)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'spindle-app-'));
    const { spindle, app, base } = await startApp(dataDir);
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    cleanups.push(() => spindle.close());
    cleanups.push(() => app.stop(true));
    expect((await fetch(`${base}/spindle/api/extensions`)).status).toBe(401);
    const bridge = connectHostBridge({
      url: `ws://127.0.0.1:${app.port}/spindle/ws`,
      token: 'guessed',
      WebSocket: withCookie('app_session=wrong'),
    });
    cleanups.push(() => bridge.close());
    await until(() => bridge.connectionState === 'failed', 'the refusal');
    expect(bridge.failure?.code).toBe('UNAUTHORIZED');
    // Routes outside the base path are the app's: the host never sees them.
    expect((await fetch(`${base}/extensions/upstream_style/frontend.js`)).status).toBe(404);
    expect(await (await fetch(`${base}/extensions/upstream_style/frontend.js`)).text()).toBe(
      'app: not found',
    );
  });
});
