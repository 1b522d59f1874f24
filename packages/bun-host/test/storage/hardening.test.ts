/**
 * Storage hardening: special files and hard links refused without blocking, a size bound per
 * call (checked before reading), a quota per folder kept exact through every change, and a gate
 * on how many operations run at once.
 */
import { spawnSync } from 'node:child_process';
import { linkSync, mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isSpindleError, type SpindleStorage } from '@spindle/types';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createStorage, OperationGate } from '../../src/storage/index.ts';

let dir: string;
let root: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'spindle-storage-hard-'));
  root = join(dir, 'storage', 'ext');
  mkdirSync(root, { recursive: true });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function rejection(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string; details?: Record<string, unknown> };
  }
  throw new Error('expected a rejection');
}

describe('files that are not plain files', () => {
  it('a FIFO is refused at once, never read (no writer would make the read hang)', async () => {
    const made = spawnSync('mkfifo', [join(root, 'pipe')]);
    if (made.status !== 0) return; // no mkfifo on this system
    const storage = createStorage(root);
    const error = await rejection(storage.read('pipe'));
    expect(error.details).toMatchObject({ reason: 'not_a_file' });
    expect(await rejection(storage.readBinary('pipe'))).toMatchObject({ code: 'STORAGE_IO' });
  });

  it('a hard link (link count above one) is refused like a symlink', async () => {
    writeFileSync(join(dir, 'outside.txt'), 'host secret');
    linkSync(join(dir, 'outside.txt'), join(root, 'linked.txt'));
    const storage = createStorage(root);
    const error = await rejection(storage.read('linked.txt'));
    expect(isSpindleError(error, 'STORAGE_PATH')).toBe(true);
    expect(error.message).toContain('hard link');
  });
});

describe('size per call', () => {
  it('a large (sparse) file is refused from its size, without being read', async () => {
    writeFileSync(join(root, 'huge.bin'), '');
    truncateSync(join(root, 'huge.bin'), 400 * 1024 * 1024);
    const storage = createStorage(root, { maxFileBytes: 1024 * 1024 });
    const error = await rejection(storage.readBinary('huge.bin'));
    expect(error.details).toMatchObject({ reason: 'too_large', maxBytes: 1024 * 1024 });
  });

  it('data above the bound is refused and nothing is written', async () => {
    const storage = createStorage(root, { maxFileBytes: 100 });
    const error = await rejection(storage.write('big.txt', 'x'.repeat(101)));
    expect(isSpindleError(error, 'INVALID_OPTIONS')).toBe(true);
    expect(await storage.exists('big.txt')).toBe(false);
    await storage.write('fits.txt', 'x'.repeat(100));
    expect(await storage.read('fits.txt')).toHaveLength(100);
  });
});

describe('quota', () => {
  let storage: SpindleStorage;
  beforeEach(() => {
    writeFileSync(join(root, 'already.txt'), 'x'.repeat(300));
    storage = createStorage(root, { quotaBytes: 1_000 });
  });

  it('counts what the folder held before, and refuses a write that would pass it', async () => {
    await storage.write('a.txt', 'a'.repeat(600));
    const error = await rejection(storage.write('b.txt', 'b'.repeat(101)));
    expect(isSpindleError(error, 'STORAGE_QUOTA')).toBe(true);
    expect(error.details).toMatchObject({ quotaBytes: 1_000, usedBytes: 900, requestedBytes: 101 });
    expect(await storage.exists('b.txt')).toBe(false);
    await storage.write('b.txt', 'b'.repeat(100));
  });

  it('an overwrite counts its difference; delete and a replacing move free bytes', async () => {
    await storage.write('a.txt', 'a'.repeat(600));
    await storage.write('a.txt', 'a'.repeat(700)); // 300 + 700 = 1,000
    expect(await rejection(storage.writeBinary('c.bin', new Uint8Array(1)))).toMatchObject({
      code: 'STORAGE_QUOTA',
    });
    await storage.delete('already.txt'); // 700
    await storage.write('d/e.txt', 'e'.repeat(300)); // 1,000
    await storage.write('f.txt', ''); // an empty file fits
    await storage.move('d/e.txt', 'a.txt'); // replaces 700 bytes: 300
    await storage.write('g.txt', 'g'.repeat(700)); // 1,000
    expect(await rejection(storage.write('h.txt', 'h'))).toMatchObject({ code: 'STORAGE_QUOTA' });
    await storage.delete('d');
    await storage.delete('g.txt'); // 300
    await storage.write('h.txt', 'h'.repeat(700));
  });
});

describe('OperationGate', () => {
  it('runs at most `concurrency` jobs at once, in order, and refuses past the queue', async () => {
    const gate = new OperationGate(2, 3);
    let running = 0;
    let most = 0;
    const order: number[] = [];
    const releases: Array<() => void> = [];
    const job = (n: number) => () =>
      new Promise<number>((resolve) => {
        running += 1;
        most = Math.max(most, running);
        order.push(n);
        releases.push(() => {
          running -= 1;
          resolve(n);
        });
      });
    const started = [0, 1, 2, 3, 4].map((n) => gate.run(job(n)));
    expect(gate.running).toBe(2);
    expect(gate.waiting).toBe(3);
    const refused = await rejection(gate.run(job(5)));
    expect(refused).toMatchObject({ code: 'QUEUE_FULL' });
    while (releases.length > 0) {
      releases.shift()?.();
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    expect(await Promise.all(started)).toEqual([0, 1, 2, 3, 4]);
    expect(order).toEqual([0, 1, 2, 3, 4]);
    expect(most).toBe(2);
    expect(gate.running).toBe(0);
  });
});
