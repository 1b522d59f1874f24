/**
 * `host.reload(id)` in every mode (docs/operations.md, "Per-extension control"): after an upgrade
 * on disk, the extension runs its new manifest and backend; the other extensions keep their
 * runtimes; a manifest that renames the extension or no longer validates is reported clearly.
 */
import { afterEach, describe, expect, test } from 'bun:test';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RUNTIME_MODES } from '@spindle/types';
import { ask, closeTestHosts, descendants, startTestHost } from './helpers.ts';

const roots: string[] = [];

afterEach(async () => {
  await closeTestHosts();
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
  expect(descendants(process.pid)).toEqual([]);
});

/** Writes an extension that answers every message with its version. */
function writeVersioned(root: string, identifier: string, version: string): void {
  const dir = join(root, identifier);
  mkdirSync(join(dir, 'dist'), { recursive: true });
  writeFileSync(
    join(dir, 'spindle.json'),
    JSON.stringify({
      version,
      name: identifier,
      identifier,
      author: 't',
      github: '',
      homepage: '',
      permissions: [],
    }),
  );
  writeFileSync(
    join(dir, 'dist', 'backend.js'),
    `spindle.onFrontendMessage((msg, userId, sessionId) =>
  spindle.sendToFrontend({ id: msg.id, result: ${JSON.stringify(version)} }, { userId, frontendSessionId: sessionId }));
`,
  );
}

describe.each(RUNTIME_MODES)('%s mode', (mode) => {
  test('runs the new version after an upgrade on disk, without touching the others', async () => {
    const root = mkdtempSync(join(tmpdir(), 'spindle-reload-'));
    roots.push(root);
    writeVersioned(root, 'alpha', '1.0.0');
    writeVersioned(root, 'beta', '1.0.0');
    const t = await startTestHost(mode, { extensionsDir: root, enable: 'all' });
    t.gateway.open('s1', 'alice', []);
    expect((await ask(t, 's1', 'v', {}, 'alpha')).result).toBe('1.0.0');
    const betaPid = t.host.get('beta')?.pid;
    const betaExits: string[] = [];
    t.host.events.on('exit', (e) => {
      if (e.extensionId === 'beta') betaExits.push(e.reason);
    });
    writeVersioned(root, 'alpha', '2.0.0');
    const info = await t.host.reload('alpha');
    expect(info.state).toBe('running');
    expect(info.manifest?.version).toBe('2.0.0');
    expect((await ask(t, 's1', 'v', {}, 'alpha')).result).toBe('2.0.0');
    const announced = t.gateway.delivered
      .filter((d) => d.message.type === 'extension_state')
      .map((d) => (d.message as { extension: { manifest: { version: string } } }).extension);
    expect(announced.at(-1)?.manifest.version).toBe('2.0.0');
    expect(t.host.get('beta')?.pid).toBe(betaPid);
    expect(betaExits).toEqual([]);
  });

  test('a disabled one stays disabled; a broken or renamed manifest is refused, the old one kept', async () => {
    const root = mkdtempSync(join(tmpdir(), 'spindle-reload-'));
    roots.push(root);
    writeVersioned(root, 'alpha', '1.0.0');
    const t = await startTestHost(mode, { extensionsDir: root, enable: [] });
    writeVersioned(root, 'alpha', '1.1.0');
    expect(await t.host.reload('alpha')).toMatchObject({
      state: 'disabled',
      manifest: { version: '1.1.0' },
    });
    writeFileSync(join(root, 'alpha', 'spindle.json'), JSON.stringify({ identifier: 'gamma' }));
    await expect(t.host.reload('alpha')).rejects.toMatchObject({
      code: 'INVALID_MANIFEST',
      message: expect.stringContaining('now names "gamma"'),
    });
    await t.host.enable('alpha');
    writeFileSync(join(root, 'alpha', 'spindle.json'), '{ not json');
    await expect(t.host.reload('alpha')).rejects.toMatchObject({
      code: 'INVALID_MANIFEST',
      message: expect.stringContaining('the running version is kept'),
    });
    expect(t.host.get('alpha')).toMatchObject({ state: 'running', manifest: { version: '1.1.0' } });
  });
});
