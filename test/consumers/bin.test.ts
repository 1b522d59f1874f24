/**
 * The installed `spindle-host` command under the environment a service manager gives it:
 * nothing but `PATH=/usr/bin:/bin` (`env -i`), so no Bun on the PATH and no HOME. It finds the
 * Bun installed with the package, starts the extension, and stops cleanly on SIGTERM.
 */
import { afterEach, expect, test } from 'vitest';
import {
  EXTENSIONS,
  INSTALLED_BIN,
  killInstalledHosts,
  scratchDir,
  startInstalledHost,
} from './consumer.ts';

afterEach(killInstalledHosts);

test('spindle-host starts under env -i PATH=/usr/bin:/bin and stops on SIGTERM', async () => {
  const host = await startInstalledHost([
    '/usr/bin/env',
    '-i',
    'PATH=/usr/bin:/bin',
    INSTALLED_BIN,
    '--extensions',
    EXTENSIONS,
    '--data',
    scratchDir('bin'),
    '--mode',
    'process',
    '--port',
    '0',
    // CI runs as root, where a host refuses to run extensions as root unless told to.
    ...(process.getuid?.() === 0 ? ['--allow-root-runtimes'] : []),
  ]);
  // Not a terminal: one JSON object per line (docs/operations.md, "Logs").
  const lines = () =>
    host
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { msg: string; event?: string; extension?: string });
  expect(lines().find((l) => l.event === 'ready')?.msg).toMatch(
    /^process mode listening on http:\/\/127\.0\.0\.1:\d+: 1 of 1 extensions running$/,
  );
  expect(lines().find((l) => l.extension === 'hello' && l.msg.startsWith('hello:'))?.msg).toMatch(
    /^hello: running on Bun \d+\.\d+\.\d+/,
  );
  expect(await host.stop()).toBe(0);
  expect(lines().at(-1)).toMatchObject({ msg: 'stopped', event: 'stopped' });
});
