/**
 * `spindle-host dev` and `spindle-host build` as an author runs them: the dev host builds and
 * starts one extension folder, prints timestamped (and, when asked, coloured) lines per
 * extension, restarts the runtime after a backend change, shows a build error without stopping,
 * and on SIGTERM stops everything and removes its private link folder; `build` writes `dist/`
 * and exits 0, 1 on a build error or nothing to build, 2 on bad arguments.
 */
import { afterEach, describe, expect, test } from 'bun:test';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { descendants, isAlive, waitUntil } from '../runtime/helpers.ts';
import { backendSource, writeProject } from './harness.ts';

/** The escape character of ANSI colour codes. */
const ESC = String.fromCharCode(27);
const ANSI = new RegExp(`${ESC}\\[\\d+m`, 'g');

const BIN = fileURLToPath(new URL('../../src/cli/bin.ts', import.meta.url));
const started: number[] = [];
const dirs: string[] = [];

afterEach(() => {
  for (const pid of started.splice(0)) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function temp(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

function collect(stream: ReadableStream<Uint8Array>): { text: () => string } {
  let text = '';
  const decoder = new TextDecoder();
  void (async () => {
    for await (const chunk of stream) text += decoder.decode(chunk, { stream: true });
  })();
  return { text: () => text };
}

async function run(args: string[], cwd: string) {
  const proc = Bun.spawn({
    cmd: [process.execPath, BIN, ...args],
    cwd,
    env: { ...process.env, NO_COLOR: '1' },
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  return { stdout, stderr, code };
}

describe('spindle-host build', () => {
  test('builds the current folder; a build error is exit 1 with its place; bad options exit 2', async () => {
    const dir = join(temp('spindle-cli-build-'), 'hello');
    writeProject(dir, 'hello');
    const ok = await run(['build'], dir);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(
      /^\d\d:\d\d:\d\d\.\d{3} \[hello\] built in \d+ ms: dist\/frontend\.js \(\d+\.\d KiB\), dist\/backend\.js \(\d+\.\d KiB\)\n$/,
    );
    expect(existsSync(join(dir, 'dist', 'backend.js'))).toBe(true);

    writeFileSync(join(dir, 'src', 'backend.ts'), 'const = ;\n');
    const bad = await run(['build', dir], temp('spindle-cli-cwd-'));
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('[hello] error build failed:');
    expect(bad.stderr).toMatch(/\[hello\] error {3}src\/backend\.ts:1:\d+: /);

    const empty = temp('spindle-cli-empty-');
    writeFileSync(
      join(empty, 'spindle.json'),
      JSON.stringify({
        version: '1.0.0',
        name: 'e',
        identifier: 'empty',
        author: 'a',
        github: '',
        homepage: '',
        permissions: [],
      }),
    );
    const nothing = await run(['build'], empty);
    expect(nothing.code).toBe(1);
    expect(nothing.stderr).toContain('nothing to build in');

    const usage = await run(['build', '--watch'], dir);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("spindle-host build: [spindle] Unknown option '--watch'");
    expect(usage.stderr).toContain('Usage: spindle-host build');
  });
});

describe('spindle-host dev', () => {
  test('builds, runs, restarts on a change, reports build errors, and stops cleanly', async () => {
    const base = temp('spindle-cli-dev-');
    const project = join(base, 'hello');
    writeProject(project, 'hello');
    const privateTmp = join(base, 'tmp');
    mkdirSync(privateTmp);
    const cli = Bun.spawn({
      cmd: [process.execPath, BIN, 'dev', '--data', join(base, 'data')],
      cwd: project,
      env: { ...process.env, FORCE_COLOR: '1', TMPDIR: privateTmp },
      stdout: 'pipe',
      stderr: 'pipe',
    });
    started.push(cli.pid);
    const out = collect(cli.stdout);
    const err = collect(cli.stderr);
    const plain = () => (out.text() + err.text()).replace(ANSI, '');
    await waitUntil(() => plain().includes('extensions running'), 20_000, 'the dev host to start');
    // Coloured (FORCE_COLOR), timestamped, tagged.
    expect(out.text()).toMatch(
      new RegExp(`${ESC}\\[2m\\d\\d:\\d\\d:\\d\\d\\.\\d{3}${ESC}\\[22m ${ESC}\\[\\d+m\\[hello\\]`),
    );
    expect(plain()).toMatch(/\[spindle-dev\] \[spindle\] dev token for user "dev"/);
    expect(plain()).toMatch(
      /\[spindle-dev\] process mode listening on http:\/\/127\.0\.0\.1:\d+: 1 of 1 extensions running, 1 watched/,
    );
    expect(plain()).toContain('[hello] backend v1 up');
    // Its private folder of links lives in TMPDIR while it runs.
    expect(readdirSync(privateTmp).filter((n) => n.startsWith('spindle-dev-'))).toHaveLength(1);

    writeFileSync(join(project, 'src', 'backend.ts'), backendSource('v2'));
    // The runtime's own line comes before the host reports it ready: wait for both.
    const restartedLine = /\[hello\] running again in \d+ ms \(pid \d+\)/;
    await waitUntil(() => restartedLine.test(plain()), 20_000, 'the restart');
    expect(plain()).toContain('[hello] backend v2 up');

    writeFileSync(join(project, 'src', 'backend.ts'), 'spindle.log.info(;\n');
    await waitUntil(() => plain().includes('build failed'), 20_000, 'the build error');
    expect(plain()).toContain('[hello] error build failed; the previous version keeps running:');
    const runtimes = descendants(cli.pid);
    expect(runtimes.length).toBeGreaterThan(0);

    cli.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
    expect(plain()).toContain('[spindle-dev] SIGTERM: shutting down');
    expect(plain()).toContain('[spindle-dev] stopped');
    expect(runtimes.filter(isAlive)).toEqual([]);
    expect(readdirSync(privateTmp)).toEqual([]);
  });

  test('a folder that is not an extension is refused before anything starts', async () => {
    const base = temp('spindle-cli-dev-bad-');
    const result = await run(['dev', '--extension', base, '--data', join(base, 'data')], base);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `[spindle-dev] error cannot start: ${base} holds no spindle.json`,
    );
  });
});
