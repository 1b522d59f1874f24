/**
 * The `spindle-host` command as a user runs it: JSON log lines with the extension, mode, pid and
 * event; a drain and a clean exit on SIGTERM/SIGINT; bad arguments refused with the usage text.
 */
import { afterEach, describe, expect, test } from 'bun:test';
import { cleanupCli, cliTempDir, runCli } from './cli-run.ts';
import { descendants, FIXTURES, isAlive, waitUntil } from './helpers.ts';

afterEach(cleanupCli);

describe.each(['SIGTERM', 'SIGINT'] as const)('%s', (signal) => {
  test('starts the chosen extensions, logs JSON lines, drains and shuts down cleanly', async () => {
    const cli = runCli([
      '--extensions',
      FIXTURES,
      '--data',
      cliTempDir(),
      '--mode',
      'process',
      '--enable',
      'probe,nope',
    ]);
    const ready = await cli.waitForLine((l) => l.event === 'ready', 'the CLI to start');
    expect(ready.msg).toMatch(
      /^process mode listening on http:\/\/127\.0\.0\.1:\d+: 1 of 8 extensions running$/,
    );
    const imported = cli.lines().find((l) => l.msg === 'probe: imported');
    expect(imported).toMatchObject({
      level: 'info',
      extension: 'probe',
      mode: 'process',
      source: 'runtime',
      pid: expect.any(Number),
    });
    expect(imported?.pid).not.toBe(cli.pid);
    expect(cli.lines()).toContainEqual(
      expect.objectContaining({ extension: 'probe', msg: 'starting → running', event: 'state' }),
    );
    expect(cli.lines()).toContainEqual(
      expect.objectContaining({ level: 'error', extension: 'Bad-Name', event: 'discovery' }),
    );
    expect(cli.lines()).toContainEqual(
      expect.objectContaining({ level: 'warn', msg: 'cannot enable "nope": no such extension' }),
    );
    const runtimes = descendants(cli.pid);
    expect(runtimes.length).toBeGreaterThan(0);

    cli.kill(signal);
    expect(await cli.exited).toBe(0);
    const events = cli.lines().map((l) => l.event);
    expect(events).toContain('shutdown');
    expect(events).toContain('drain');
    expect(cli.lines()).toContainEqual(
      expect.objectContaining({ extension: 'probe', event: 'exit', reason: 'stopped' }),
    );
    expect(cli.lines().at(-1)).toMatchObject({ msg: 'stopped', event: 'stopped' });
    // A runtime's PID namespace ends with it: its last processes may take a moment to die.
    await waitUntil(() => runtimes.filter(isAlive).length === 0, 3_000, 'the runtimes to be gone');
    expect(runtimes.filter(isAlive)).toEqual([]);
  });
});

test('a SIGTERM the moment the host says it is up still shuts it down cleanly', async () => {
  for (let round = 0; round < 3; round++) {
    const cli = runCli(['--extensions', FIXTURES, '--data', cliTempDir(), '--enable', 'probe']);
    await cli.waitForLine((l) => l.event === 'ready', 'ready', 15_000);
    cli.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
    expect(cli.lines().at(-1)?.msg).toBe('stopped');
  }
});

test('bad arguments exit 2 with the usage text', async () => {
  const cli = runCli(['--mode', 'vm']);
  expect(await cli.exited).toBe(2);
  expect(cli.stderr()).toContain('--mode must be one of process, sandbox, worker');
  expect(cli.stderr()).toContain('Usage: spindle-host');
});

test('--log-format pretty writes text lines with the extension tag', async () => {
  const cli = runCli([
    '--extensions',
    FIXTURES,
    '--data',
    cliTempDir(),
    '--enable',
    'probe',
    '--log-format',
    'pretty',
    '--log-level',
    'warn',
  ]);
  // At warn, the ready line is not written: wait for the warning about the bad manifest instead.
  const { waitUntil } = await import('./helpers.ts');
  await waitUntil(() => cli.stdout().includes('[Bad-Name]'), 15_000, 'a pretty line');
  expect(cli.stdout()).toMatch(/ERROR.*\[Bad-Name\] invalid spindle\.json/);
  expect(cli.stdout()).not.toContain('probe: imported');
  expect(cli.stdout()).not.toContain('{"level"');
  cli.kill('SIGTERM');
  expect(await cli.exited).toBe(0);
});
