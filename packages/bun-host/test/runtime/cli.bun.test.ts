/** The `spindle-host` command as a user runs it: tagged logs, clean shutdown on SIGTERM/SIGINT. */
import { afterEach, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { descendants, FIXTURES, isAlive, waitUntil } from './helpers.ts';

const BIN = fileURLToPath(new URL('../../src/cli/bin.ts', import.meta.url));
const started: number[] = [];
const dirs: string[] = [];

afterEach(() => {
  for (const pid of started.splice(0)) {
    if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  }
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function collect(stream: ReadableStream<Uint8Array>): { text: () => string } {
  let text = '';
  const decoder = new TextDecoder();
  void (async () => {
    for await (const chunk of stream) text += decoder.decode(chunk, { stream: true });
  })();
  return { text: () => text };
}

describe.each(['SIGTERM', 'SIGINT'] as const)('%s', (signal) => {
  test('starts the chosen extensions, tags runtime lines, and shuts down cleanly', async () => {
    const data = mkdtempSync(join(tmpdir(), 'spindle-cli-'));
    dirs.push(data);
    const cli = Bun.spawn({
      cmd: [
        process.execPath,
        BIN,
        '--extensions',
        FIXTURES,
        '--data',
        data,
        '--mode',
        'process',
        '--enable',
        'probe,nope',
      ],
      stdout: 'pipe',
      stderr: 'pipe',
    });
    started.push(cli.pid);
    const out = collect(cli.stdout);
    const err = collect(cli.stderr);
    await waitUntil(() => out.text().includes('extensions running'), 10_000, 'the CLI to start');
    expect(out.text()).toContain('[probe] probe: imported');
    expect(out.text()).toContain('[probe] starting → running');
    expect(out.text()).toMatch(
      /\[spindle-host\] process mode listening on http:\/\/127\.0\.0\.1:\d+: 1 of 7 extensions running/,
    );
    expect(err.text()).toContain('[Bad-Name] invalid spindle.json');
    expect(err.text()).toContain('[spindle-host] cannot enable "nope": no such extension');
    const runtimes = descendants(cli.pid);
    expect(runtimes.length).toBeGreaterThan(0);

    cli.kill(signal);
    expect(await cli.exited).toBe(0);
    expect(out.text()).toContain(`[spindle-host] ${signal}: shutting down`);
    expect(out.text()).toContain('[probe] runtime');
    expect(out.text()).toContain('ended: stopped');
    expect(out.text()).toContain('[spindle-host] stopped');
    // A runtime's PID namespace ends with it: its last processes may take a moment to die.
    await waitUntil(() => runtimes.filter(isAlive).length === 0, 3_000, 'the runtimes to be gone');
    expect(runtimes.filter(isAlive)).toEqual([]);
  });
});

test('a SIGTERM the moment the host says it is up still shuts it down cleanly', async () => {
  for (let round = 0; round < 3; round++) {
    const data = mkdtempSync(join(tmpdir(), 'spindle-cli-'));
    dirs.push(data);
    const cli = Bun.spawn({
      cmd: [process.execPath, BIN, '--extensions', FIXTURES, '--data', data, '--enable', 'probe'],
      stdout: 'pipe',
      stderr: 'pipe',
    });
    started.push(cli.pid);
    let text = '';
    const decoder = new TextDecoder();
    const reader = cli.stdout.getReader();
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      const before = text;
      text += decoder.decode(read.value, { stream: true });
      if (!before.includes('extensions running') && text.includes('extensions running')) {
        cli.kill('SIGTERM');
      }
    }
    expect(await cli.exited).toBe(0);
    expect(text).toContain('[spindle-host] SIGTERM: shutting down');
    expect(text).toContain('[spindle-host] stopped');
  }
});

test('bad arguments exit 2 with the usage text', async () => {
  const cli = Bun.spawn({
    cmd: [process.execPath, BIN, '--mode', 'vm'],
    stdout: 'pipe',
    stderr: 'pipe',
  });
  started.push(cli.pid);
  expect(await cli.exited).toBe(2);
  const stderr = await new Response(cli.stderr).text();
  expect(stderr).toContain('--mode must be one of process, sandbox, worker');
  expect(stderr).toContain('Usage: spindle-host');
});
