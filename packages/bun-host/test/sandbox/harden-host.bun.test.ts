/**
 * `hardenHost`: a host marked non-dumpable keeps its environment (every operator secret) and
 * memory from other processes of its own user, an extension runtime among them. As root the
 * test runs both sides as `nobody`, so root's own privileges do not hide the effect.
 */
import { afterAll, describe, expect, test } from 'bun:test';
import { chmodSync, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SETTINGS = fileURLToPath(new URL('../../src/sandbox/settings.ts', import.meta.url));
const isRoot = process.geteuid?.() === 0;
const as = isRoot ? { uid: 65534, gid: 65534 } : {};
const dir = mkdtempSync(join(tmpdir(), 'spindle-harden-'));
chmodSync(dir, 0o755);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A Bun binary the test user can run (a copy when the checkout is out of its reach). */
function reachableBun(): string {
  if (Bun.spawnSync([process.execPath, '--version'], as).success) return process.execPath;
  copyFileSync(process.execPath, join(dir, 'bun'));
  chmodSync(join(dir, 'bun'), 0o755);
  return join(dir, 'bun');
}

/** Starts a stand-in host (hardened or not) and reads its environ from another process. */
async function readEnvironOf(harden: boolean): Promise<string> {
  const bun = reachableBun();
  // What hardenHost does (checked on its own below), inline: this child may not reach the sources.
  const prctl = `require('bun:ffi').dlopen('libc.so.6', { prctl: { args: ['i32','u64','u64','u64','u64'], returns: 'i32' } }).symbols.prctl(4, 0, 0, 0, 0);`;
  const code = `${harden ? prctl : ''} console.log('up'); setInterval(() => {}, 60_000);`;
  const host = Bun.spawn({
    cmd: [bun, '-e', code],
    env: { SPINDLE_TEST_SECRET: 'operator-secret' },
    stdout: 'pipe',
    ...as,
  });
  try {
    await host.stdout.getReader().read();
    const reader = Bun.spawnSync({
      cmd: [
        bun,
        '-e',
        `try { console.log(require('fs').readFileSync('/proc/${host.pid}/environ', 'utf8')) } catch (e) { console.log(e.code) }`,
      ],
      ...as,
    });
    return reader.stdout.toString().trim();
  } finally {
    host.kill('SIGKILL');
    await host.exited;
  }
}

describe.skipIf(process.platform !== 'linux')('hardenHost', () => {
  test('marks the host non-dumpable', () => {
    const code = `await (await import(${JSON.stringify(SETTINGS)})).hardenHost();
      const { symbols } = require('bun:ffi').dlopen('libc.so.6', { prctl: { args: ['i32','u64','u64','u64','u64'], returns: 'i32' } });
      console.log(symbols.prctl(3, 0, 0, 0, 0));`;
    const run = Bun.spawnSync([process.execPath, '-e', code]);
    expect(run.stdout.toString().trim()).toBe('0');
  });

  test('a same-user process reads the environ of a host that is not hardened', async () => {
    expect(await readEnvironOf(false)).toContain('SPINDLE_TEST_SECRET=operator-secret');
  });

  test('and cannot read it once the host is non-dumpable', async () => {
    expect(await readEnvironOf(true)).toBe('EACCES');
  });
});
