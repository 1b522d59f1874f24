/**
 * The extension policy `createFrontendSide` gives the hub keeps what `host.get` said instead of
 * asking on every uplink: a state change must still reach it at once, both ways, and an unknown
 * extension stays unknown.
 */
import { afterEach, describe, expect, test } from 'bun:test';
import { createSpindleHost } from '../../src/host.ts';
import { createTokenAuthenticator } from '../../src/server/auth.ts';
import { createFrontendSide } from '../../src/server/host-wiring.ts';
import { ALICE, TestClient } from '../server/helpers.ts';
import {
  cleanupList,
  tempDir as tempDirIn,
  writeExtension as writeExt,
} from '../server/temp-extensions.ts';

const cleanups = cleanupList();
afterEach(() => cleanups.drain());
const tempDir = () => tempDirIn(cleanups, 'spindle-policy-');
const writeExtension = (root: string, id: string) => writeExt(root, id, { frontend: false });

describe('extension policy of createFrontendSide', () => {
  test('follows enable and disable at once; unknown ids stay unknown', async () => {
    const root = tempDir();
    writeExtension(root, 'demo');
    const frontend = createFrontendSide({
      authenticate: createTokenAuthenticator({ tokens: { [ALICE]: { userId: 'alice' } } }),
      reportError: () => {},
    });
    const host = await createSpindleHost({
      extensionsDir: root,
      dataDir: tempDir(),
      runtimeMode: 'worker',
      enable: ['demo'],
      frontendGateway: frontend.hub,
      server: frontend.server,
      logger: () => {},
    });
    cleanups.add(() => host.close());
    const client = await TestClient.connect(`ws://127.0.0.1:${host.port}/ws`);
    cleanups.add(() => client.close());
    client.hello(ALICE);
    await client.next('welcome');

    const mount = async (extensionId: string, seq: number) => {
      client.send({ type: 'extension_mounted', extensionId, seq });
      await client.next('ack', seq);
      return client.ofType('error').find((frame) => frame.seq === seq)?.code;
    };
    expect(await mount('demo', 1)).toBeUndefined();
    expect(await mount('nope', 2)).toBe('EXTENSION_NOT_FOUND');
    expect(await mount('nope', 3)).toBe('EXTENSION_NOT_FOUND');
    await host.disable('demo');
    expect(await mount('demo', 4)).toBe('EXTENSION_INACTIVE');
    await host.enable('demo');
    expect(await mount('demo', 5)).toBeUndefined();
  });
});
