/** The host's launch settings as an operator meets them (`createSpindleHost`). */
import { afterEach, describe, expect, test } from 'bun:test';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { closeTestHosts, startTestHost } from '../runtime/helpers.ts';

afterEach(() => closeTestHosts());

describe('launch settings of a host', () => {
  test('the bundled bootstraps go to <dataDir>/cache by default', async () => {
    const t = await startTestHost('process', { enable: ['probe'], allowRootRuntimes: true });
    expect(t.host.get('probe')?.state).toBe('running');
    const cached = readdirSync(join(t.dataDir, 'cache'));
    expect(cached.some((name) => /^runtime-child-main-[0-9a-z]+\.js$/.test(name))).toBe(true);
  });

  test.skipIf(process.geteuid?.() !== 0)(
    'a root host without a runtime user refuses to start runtimes as root, saying how to allow it',
    async () => {
      const env = { ...process.env, LUMIVERSE_SPINDLE_ALLOW_ROOT_RUNTIMES: '' };
      for (const mode of ['process', 'sandbox'] as const) {
        const t = await startTestHost(mode, { enable: ['probe'], env });
        const info = t.host.get('probe');
        expect(info?.state).toBe('failed');
        expect(info?.error).toContain('refusing to start an extension runtime as root');
        expect(info?.error).toContain('--allow-root-runtimes');
      }
    },
  );

  test('a bad setting fails the host at creation with INVALID_OPTIONS', async () => {
    const env = { ...process.env, LUMIVERSE_SPINDLE_PIDS_MAX: 'many' };
    await expect(startTestHost('process', { env })).rejects.toMatchObject({
      code: 'INVALID_OPTIONS',
    });
    await expect(startTestHost('process', { runtimeUser: 'no-such-user-here' })).rejects.toThrow(
      /runtime user "no-such-user-here"/,
    );
  });
});
