/**
 * `createFrontendSide` wired into the real `createSpindleHost` (worker mode, one tiny extension):
 * the welcome lists the extension, enabling it pushes an `extension_state` with the versioned
 * bundle URL, and that URL serves the bundle. Also the bundle path rules of `resolveBundleFile`.
 */
import { afterEach, describe, expect, test } from 'bun:test';
import { symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSpindleHost, type SpindleHost } from '../../src/host.ts';
import { createTokenAuthenticator } from '../../src/server/auth.ts';
import { createFrontendSide, resolveBundleFile } from '../../src/server/host-wiring.ts';
import { ALICE, TestClient } from './helpers.ts';
import {
  cleanupList,
  tempDir as tempDirIn,
  writeExtension as writeExt,
} from './temp-extensions.ts';

const cleanups = cleanupList();
afterEach(() => cleanups.drain());
const tempDir = () => tempDirIn(cleanups, 'spindle-wiring-');
const writeExtension = writeExt;

describe('resolveBundleFile', () => {
  test('finds the built bundle and refuses paths that leave the extension folder', () => {
    const root = tempDir();
    const ext = writeExtension(root, 'demo');
    writeFileSync(join(root, 'secret.js'), 'secret');
    symlinkSync(join(root, 'secret.js'), join(ext, 'dist', 'link.js'));
    writeFileSync(join(ext, 'dist', 'styles.css'), 'body{}');
    expect(resolveBundleFile(ext, 'dist/frontend.js')).toMatchObject({ size: 27 });
    expect(resolveBundleFile(ext, '../secret.js')).toBeNull();
    expect(resolveBundleFile(ext, '/etc/passwd')).toBeNull();
    expect(resolveBundleFile(ext, 'dist/link.js')).toBeNull();
    expect(resolveBundleFile(ext, 'dist/styles.css')).toBeNull();
    expect(resolveBundleFile(ext, 'dist')).toBeNull();
    expect(resolveBundleFile(ext, 'dist/missing.js')).toBeNull();
  });
});

describe('createFrontendSide with createSpindleHost', () => {
  test('welcome, extension_state with the bundle URL on enable, and the bundle itself', async () => {
    const root = tempDir();
    writeExtension(root, 'demo');
    const frontend = createFrontendSide({
      authenticate: createTokenAuthenticator({ tokens: { [ALICE]: { userId: 'alice' } } }),
      reportError: () => {},
    });
    const host: SpindleHost = await createSpindleHost({
      extensionsDir: root,
      dataDir: tempDir(),
      runtimeMode: 'worker',
      enable: [],
      frontendGateway: frontend.hub,
      server: frontend.server,
      logger: () => {},
    });
    cleanups.add(() => host.close());
    const port = host.port!;
    const client = await TestClient.connect(`ws://127.0.0.1:${port}/ws`);
    cleanups.add(() => client.close());
    client.hello(ALICE);
    const welcome = await client.next('welcome');
    expect(welcome.extensions).toMatchObject([{ identifier: 'demo', state: 'disabled' }]);
    expect(welcome.extensions[0]).not.toHaveProperty('frontendUrl');
    expect((await fetch(`http://127.0.0.1:${port}/extensions/demo/frontend.js`)).status).toBe(404);

    // Not enabled yet: mounting is refused.
    client.send({ type: 'extension_mounted', extensionId: 'demo', seq: 1 });
    await client.next('ack');
    expect(client.ofType('error')).toMatchObject([{ code: 'EXTENSION_INACTIVE', seq: 1 }]);

    await host.enable('demo');
    await client.until(
      (frames) =>
        frames.some((f) => f.type === 'extension_state' && f.extension.state === 'running'),
      'extension_state running',
    );
    const running = client.ofType('extension_state').find((f) => f.extension.state === 'running')!;
    const url = running.extension.frontendUrl;
    expect(url).toMatch(/^\/extensions\/demo\/frontend\.js\?v=[0-9a-f]{16}$/);
    const bundle = await fetch(`http://127.0.0.1:${port}${url}`);
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get('Cache-Control')).toContain('immutable');
    expect(await bundle.text()).toBe('export function setup() {}\n');

    client.send({ type: 'extension_mounted', extensionId: 'demo', seq: 2 });
    await client.next('ack', 2);
    expect(frontend.hub.listSessions({ extensionId: 'demo' })).toHaveLength(1);
  });
});
