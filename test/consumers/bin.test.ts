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
  expect(host.output()).toMatch(
    /\[spindle-host\] process mode listening on http:\/\/127\.0\.0\.1:\d+: 1 of 1 extensions running/,
  );
  expect(host.output()).toMatch(/\[hello\] hello: running on Bun \d+\.\d+\.\d+/);
  expect(await host.stop()).toBe(0);
  expect(host.output()).toContain('[spindle-host] stopped');
});
