/**
 * Bytes held by one storage folder, against its quota. The folder is measured once, on the first
 * change, by a walk that follows no link; from then on every change made through storage adds
 * or removes its own delta, one change at a time (the caller serialises them), so the count
 * stays exact without walking again. A change that would pass the quota is refused with
 * `STORAGE_QUOTA` before anything is written.
 */
import type { Dirent } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { SpindleError } from '@spindle/types';
import { isTempName } from './atomic.ts';

/** Bytes of the regular files below `path` (a file: its own size), links not followed. */
export async function treeBytes(path: string): Promise<number> {
  let info: Awaited<ReturnType<typeof lstat>>;
  try {
    info = await lstat(path);
  } catch {
    return 0;
  }
  if (info.isFile()) return info.size;
  if (!info.isDirectory()) return 0;
  let total = 0;
  const stack = [path];
  while (stack.length > 0) {
    const dir = stack.pop() as string;
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      if (isTempName(entry.name)) continue;
      const child = join(dir, entry.name);
      if (entry.isDirectory()) stack.push(child);
      else if (entry.isFile()) total += (await lstat(child).catch(() => undefined))?.size ?? 0;
    }
  }
  return total;
}

/** The usage of one storage folder. */
export class StorageUsage {
  #bytes: Promise<number> | undefined;

  constructor(
    private readonly root: () => Promise<string>,
    readonly quotaBytes: number,
  ) {}

  /** Bytes held now (measured on first use). */
  current(): Promise<number> {
    this.#bytes ??= this.root().then((real) => treeBytes(real));
    return this.#bytes;
  }

  /**
   * Checks that growing by `delta` bytes stays within the quota (`STORAGE_QUOTA` otherwise);
   * shrinking always passes.
   */
  async check(delta: number, path: string): Promise<void> {
    if (delta <= 0) return;
    const used = await this.current();
    if (used + delta > this.quotaBytes) {
      throw new SpindleError(
        'STORAGE_QUOTA',
        `storage path ${JSON.stringify(path)}: ${delta} more bytes would pass the quota of ${this.quotaBytes} (${used} in use)`,
        { details: { path, quotaBytes: this.quotaBytes, usedBytes: used, requestedBytes: delta } },
      );
    }
  }

  /** Records a change made. */
  async apply(delta: number): Promise<void> {
    if (delta === 0) return;
    const used = await this.current();
    this.#bytes = Promise.resolve(Math.max(0, used + delta));
  }
}
