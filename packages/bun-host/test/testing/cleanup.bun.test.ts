/**
 * A test host leaves nothing behind: after `dispose()` (and after `await using` when the test
 * body throws) no runtime, backend process or server is left and its temporary folder is gone;
 * a start that fails (a backend that throws at import, one that does not build) rejects with a
 * typed error carrying the extension's log or build errors, after cleaning up itself.
 */
import { afterEach, beforeEach, describe, expect, setDefaultTimeout, test } from 'bun:test';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RUNTIME_MODES } from '@spindle/types';
import { createBackendTestHost } from '../../src/testing/index.ts';
import { ask, BROKEN_BACKEND, descendants, isAlive, PROBE } from './helpers.ts';

setDefaultTimeout(60_000);

// Every test host of these tests lives under a TMPDIR of their own, so "nothing left" is checked
// on a folder no one else writes to.
let privateTmp: string;
let savedTmp: string | undefined;
beforeEach(() => {
  privateTmp = mkdtempSync(join(tmpdir(), 'spindle-kit-cleanup-'));
  savedTmp = process.env.TMPDIR;
  process.env.TMPDIR = privateTmp;
});
afterEach(() => {
  if (savedTmp === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmp;
  rmSync(privateTmp, { recursive: true, force: true });
});

async function portOpen(port: number): Promise<boolean> {
  try {
    await fetch(`http://127.0.0.1:${port}/api/extensions`);
    return true;
  } catch {
    return false;
  }
}

describe.each(RUNTIME_MODES)('%s mode', (mode) => {
  test('dispose() stops the runtime, its backend processes and the server, and removes the files', async () => {
    const before = new Set(descendants(process.pid));
    const t = await createBackendTestHost({ extensionDir: PROBE, mode });
    expect(t.dataDir.startsWith(privateTmp)).toBe(true);
    await ask(t, 'child.spawn', { payload: {} });
    await ask(t, 'child.spawn', { payload: {} });
    const started = descendants(process.pid).filter((pid) => !before.has(pid));
    // process and sandbox: the runtime and two children; worker: the two children.
    expect(started.length).toBeGreaterThanOrEqual(mode === 'worker' ? 2 : 3);
    const port = t.host.port as number;
    expect(await portOpen(port)).toBe(true);

    await t.dispose();
    expect(started.filter(isAlive)).toEqual([]);
    expect(await portOpen(port)).toBe(false);
    expect(readdirSync(privateTmp)).toEqual([]);
    await t.dispose();
  });
});

test('await using: a test body that throws still leaves nothing running', async () => {
  const before = new Set(descendants(process.pid));
  let port = 0;
  let spawned: number[] = [];
  const body = async () => {
    await using t = await createBackendTestHost({ extensionDir: PROBE });
    port = t.host.port as number;
    await ask(t, 'child.spawn', { payload: {} });
    spawned = descendants(process.pid).filter((pid) => !before.has(pid));
    throw new Error('the test failed here');
  };
  const failure = await body().then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(String(failure)).toBe('Error: the test failed here');
  expect(spawned.length).toBeGreaterThan(0);
  expect(spawned.filter(isAlive)).toEqual([]);
  expect(await portOpen(port)).toBe(false);
  expect(readdirSync(privateTmp)).toEqual([]);
});

test('a backend that throws at import: IMPORT_FAILED with its log; nothing is left', async () => {
  const before = new Set(descendants(process.pid));
  const failure = (await createBackendTestHost({ backend: BROKEN_BACKEND }).then(
    () => undefined,
    (error: unknown) => error,
  )) as { code?: string; message?: string };
  expect(failure.code).toBe('IMPORT_FAILED');
  expect(failure.message).toContain('the extension test_extension is failed');
  expect(failure.message).toContain('broken on purpose');
  expect(failure.message).toContain('about to fail');
  expect(descendants(process.pid).filter((pid) => !before.has(pid) && isAlive(pid))).toEqual([]);
  expect(readdirSync(privateTmp)).toEqual([]);
});

test('sources that do not build: IMPORT_FAILED naming the file and line; nothing is left', async () => {
  const project = join(mkdtempSync(join(savedTmp ?? '/tmp', 'spindle-kit-project-')), 'broken');
  try {
    mkdirSync(join(project, 'src'), { recursive: true });
    writeFileSync(
      join(project, 'spindle.json'),
      JSON.stringify({
        version: '1.0.0',
        name: 'b',
        identifier: 'broken_build',
        author: 'a',
        github: '',
        homepage: '',
        permissions: [],
      }),
    );
    writeFileSync(join(project, 'src', 'backend.ts'), 'const = 1;\n');
    const failure = (await createBackendTestHost({ extensionDir: project }).then(
      () => undefined,
      (error: unknown) => error,
    )) as { code?: string; message?: string };
    expect(failure.code).toBe('IMPORT_FAILED');
    expect(failure.message).toMatch(/the extension did not build:\n {2}src\/backend\.ts:1:\d+: /);
    expect(readdirSync(privateTmp)).toEqual([]);
    expect(existsSync(join(project, 'dist'))).toBe(false);
  } finally {
    rmSync(join(project, '..'), { recursive: true, force: true });
  }
});
