/**
 * Crash safety with a real process: a Bun child rewriting a big file is SIGKILLed at random
 * points; the file must then hold exactly the old or the new content, never a torn mix, and
 * the temp files it leaves are invisible to `list` and swept by the next `createStorage`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultBunPath } from '../../src/sandbox/paths.ts';
import { createStorage, TEMP_PREFIX } from '../../src/storage/index.ts';

const WRITER = fileURLToPath(new URL('./fixtures/writer.ts', import.meta.url));
const SIZE = 8 * 1024 * 1024;
const VALID = new Set(['A', 'B'].map((l) => `${l}:${l.repeat(SIZE)}:${l}`));

let dir: string;
const children = new Set<ChildProcess>();

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'spindle-crash-'));
});

afterEach(() => {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
  rmSync(dir, { recursive: true, force: true });
});

/** Starts the writer and resolves once it has begun write number `n`. */
function writerAt(n: number): Promise<ChildProcess> {
  const child = spawn(defaultBunPath(), [WRITER, dir, String(SIZE)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stderr = '';
  child.stderr!.on('data', (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      if (out.includes(`writing ${n}\n`)) resolve(child);
    });
    child.on('exit', (code) =>
      reject(new Error(`writer exited (${code}) before write ${n}: ${stderr}`)),
    );
  });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.on('exit', () => resolve());
  });
}

describe('atomic writes under SIGKILL', () => {
  it('the target is always a complete old or new payload', async () => {
    writeFileSync(join(dir, 'state.txt'), 'initial');
    const seen = new Set<string>();
    // Kill points vary with scheduling; every one of them must leave a whole file.
    for (let round = 0; round < 6; round++) {
      const child = await writerAt(round % 3);
      child.kill('SIGKILL');
      await exited(child);
      const content = readFileSync(join(dir, 'state.txt'), 'utf8');
      expect(content === 'initial' || VALID.has(content)).toBe(true);
      seen.add(content === 'initial' ? 'initial' : content[0]!);
    }
    expect(seen.size).toBeGreaterThanOrEqual(1);
  }, 60_000);

  it('temp files left by a killed writer are hidden, then swept on open', async () => {
    const child = await writerAt(1);
    child.kill('SIGKILL');
    await exited(child);
    // Make sure there is a leftover even if the kill landed between two writes.
    writeFileSync(join(dir, `${TEMP_PREFIX}999999-deadbeef`), 'torn');
    const storage = createStorage(dir);
    expect(await storage.list()).toEqual(['state.txt']);
    expect(readdirSync(dir).filter((name) => name.startsWith(TEMP_PREFIX))).toEqual([]);
  }, 30_000);

  it('temp files of live writers are kept by the sweep (they may be writes in flight)', async () => {
    const own = `${TEMP_PREFIX}${process.pid}-inflight`;
    const parents = `${TEMP_PREFIX}${process.ppid}-inflight`;
    const malformed = `${TEMP_PREFIX}garbage`;
    for (const name of [own, parents, malformed]) writeFileSync(join(dir, name), 'partial');
    const storage = createStorage(dir);
    expect(await storage.list()).toEqual([]);
    expect(readdirSync(dir).sort()).toEqual([own, parents].sort());
  });

  it('a failed write leaves no temp file and the old content', async () => {
    const storage = createStorage(dir);
    await storage.write('f/x.txt', 'old');
    await expect(storage.write('f', 'new')).rejects.toMatchObject({ code: 'STORAGE_IO' });
    expect(readdirSync(dir)).toEqual(['f']);
    expect(readdirSync(join(dir, 'f'))).toEqual(['x.txt']);
    expect(await storage.read('f/x.txt')).toBe('old');
  });
});
