/**
 * Extension storage on disk: `spindle.storage` and `spindle.userStorage` are served by one
 * `createStorage(root)` each. Paths are confined to the root (`paths.ts`), writes are atomic
 * (`atomic.ts`), and no operation follows a symlink out of the root, not even one swapped in
 * while the host works (`dir-chain.ts`). Uses `node:fs/promises` only, so it runs under Node
 * (tests) and Bun (the host).
 */
import { constants } from 'node:fs';
import { type FileHandle, lstat, mkdir, open, realpath, rm } from 'node:fs/promises';
import { relative, sep } from 'node:path';
import { SpindleError, type SpindleStorage } from '@spindle/types';
import { SerialQueue } from '../runtime/serial-queue.ts';
import { replaceAtomically, sweepTempFiles, syncDir } from './atomic.ts';
import { entryPath, type OpenDir, openDirChain } from './dir-chain.ts';
import { ioError, notFound, pathError } from './errors.ts';
import { getJson, setJson } from './json.ts';
import { STORAGE_LIMIT_DEFAULTS } from './limits.ts';
import { confine, storageSegments } from './paths.ts';
import { StorageUsage, treeBytes } from './quota.ts';
import { exists, list, makeDir, move, stat } from './tree.ts';

export { isTempName, replaceAtomically, sweepTempFiles, TEMP_PREFIX } from './atomic.ts';
export { isNotFound } from './errors.ts';
export { OperationGate } from './gate.ts';
export { MAX_JSON_INDENT } from './json.ts';
export {
  type ResolvedStorageLimits,
  resolveStorageLimits,
  STORAGE_LIMIT_DEFAULTS,
  type StorageLimits,
} from './limits.ts';
export {
  MAX_PATH_LENGTH,
  MAX_SEGMENT_BYTES,
  storageSegments,
  USER_ID_PATTERN,
  userStorageRoot,
} from './paths.ts';
export { MAX_LIST_DEPTH, MAX_LIST_ENTRIES } from './tree.ts';

// Non-blocking: opening a FIFO (or another special file) swapped in for a file returns at once,
// and `fstat` then refuses it, so no storage read ever waits on a shared thread.
const READ_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/** Bounds of one storage folder. */
export interface StorageOptions {
  /** @default STORAGE_LIMIT_DEFAULTS.maxFileBytes */
  maxFileBytes?: number;
  /** Bytes the folder may hold. @default STORAGE_LIMIT_DEFAULTS.quotaBytes */
  quotaBytes?: number;
}

/** Refuses what storage reads as a file but is not a plain one: special files, hard links. */
async function plainFile(handle: FileHandle, path: string, maxBytes: number): Promise<number> {
  const info = await handle.stat();
  if (info.isDirectory()) {
    throw new SpindleError(
      'STORAGE_IO',
      `cannot read storage path ${JSON.stringify(path)}: it is a folder`,
      {
        details: { path, reason: 'is_a_folder' },
      },
    );
  }
  if (!info.isFile()) {
    throw new SpindleError(
      'STORAGE_IO',
      `storage path ${JSON.stringify(path)} is not a regular file`,
      { details: { path, reason: 'not_a_file' } },
    );
  }
  if (info.nlink > 1) {
    throw pathError(
      path,
      'is a hard link to another file; storage refuses hard links like symlinks',
    );
  }
  if (info.size > maxBytes) {
    throw new SpindleError(
      'STORAGE_IO',
      `storage path ${JSON.stringify(path)} holds ${info.size} bytes, more than one read returns (${maxBytes})`,
      { details: { path, reason: 'too_large', sizeBytes: info.size, maxBytes } },
    );
  }
  return info.size;
}

/** Reads at most `maxBytes` (a file that grows while read is refused, not read past the bound). */
async function boundedRead(handle: FileHandle, path: string, size: number, maxBytes: number) {
  const buffer = Buffer.allocUnsafe(Math.min(size, maxBytes) + 1);
  let filled = 0;
  for (;;) {
    const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, null);
    if (bytesRead === 0) break;
    filled += bytesRead;
    if (filled > maxBytes) {
      throw new SpindleError(
        'STORAGE_IO',
        `storage path ${JSON.stringify(path)} grew past ${maxBytes} bytes while it was read`,
        { details: { path, reason: 'too_large', maxBytes } },
      );
    }
    if (filled === buffer.length) break;
  }
  return buffer.subarray(0, filled);
}

/** Where an operation acts: the real root and the path below it, segment by segment. */
export interface Target {
  realRoot: string;
  rel: string[];
}

/** What the operations of one storage root share (`tree.ts` uses it too). */
export interface StorageContext {
  /**
   * Resolves `path` inside the root. With `followLast: false` only the parent is resolved and
   * the last segment is taken as it is (delete and move act on a link, not what it points to).
   */
  locate(path: string, allowRoot: boolean, followLast?: boolean): Promise<Target>;
  /** Runs `use` with the last segment's folder open; `missing` when that folder is absent. */
  inParent<T>(
    target: Target,
    path: string,
    create: boolean,
    use: (dir: OpenDir, name: string) => Promise<T>,
    missing: () => T,
  ): Promise<T>;
  /** Every failure leaves as a `SpindleError` naming the operation and the path. */
  guarded<T>(path: string, verb: string, body: () => Promise<T>): Promise<T>;
}

function storageContext(rootDir: string): StorageContext {
  let ready: Promise<string> | undefined;
  const root = (): Promise<string> => {
    ready ??= (async () => {
      await mkdir(rootDir, { recursive: true });
      const real = await realpath(rootDir);
      await sweepTempFiles(real);
      return real;
    })().catch((error: unknown) => {
      ready = undefined;
      throw ioError(error, rootDir, 'open the storage folder');
    });
    return ready;
  };
  return {
    async locate(path, allowRoot, followLast = true) {
      const segments = storageSegments(path);
      if (segments.length === 0 && !allowRoot)
        throw pathError(path, 'names the storage folder itself');
      const realRoot = await root();
      const followed = followLast ? segments : segments.slice(0, -1);
      const resolved = relative(realRoot, await confine(realRoot, followed, path));
      const rel = resolved === '' ? [] : resolved.split(sep);
      return { realRoot, rel: followLast ? rel : [...rel, segments.at(-1)!] };
    },
    async inParent(target, path, create, use, missing) {
      const dir = await openDirChain(target.realRoot, target.rel.slice(0, -1), create, path);
      if (!dir) return missing();
      try {
        return await use(dir, target.rel.at(-1)!);
      } finally {
        await dir.handle.close();
      }
    },
    async guarded(path, verb, body) {
      try {
        return await body();
      } catch (error) {
        throw ioError(error, path, verb);
      }
    },
  };
}

/**
 * Storage rooted at `rootDir`, created on first use. First use also removes temp files that
 * crashed writers (of processes no longer running) left behind. The operations follow upstream's
 * `spindle.storage`:
 *
 * - `read(path)` / `readBinary(path)`: UTF-8 text / bytes; missing → `STORAGE_IO` with
 *   `details.reason: 'not_found'`.
 * - `write(path, data)` / `writeBinary(path, bytes)`: atomic replace (temp file, fsync, rename,
 *   fsync of the folder); creates missing folders; wrong data types are `INVALID_OPTIONS`.
 * - `delete(path)`: a file, a symlink (never its target) or a folder with its contents;
 *   deleting nothing is not an error.
 * - `exists(path)`, `stat(path)`, `mkdir(path)`, `move(from, to)`, `list(prefix?)`: `tree.ts`.
 * - `getJson(path, { fallback })` / `setJson(path, value, { indent })`: see `json.ts`.
 *
 * Path errors are `STORAGE_PATH`; file-system failures are `STORAGE_IO` with the errno in
 * `details.errno`, a `details.reason`, and the original error as `cause`.
 */
export function createStorage(rootDir: string, options: StorageOptions = {}): SpindleStorage {
  const ctx = storageContext(rootDir);
  const maxFileBytes = options.maxFileBytes ?? STORAGE_LIMIT_DEFAULTS.maxFileBytes;
  const usage = new StorageUsage(
    () => ctx.locate('', true).then((t) => t.realRoot),
    options.quotaBytes ?? STORAGE_LIMIT_DEFAULTS.quotaBytes,
  );
  // Changes run one at a time, so the usage count moves by exact deltas.
  const changes = new SerialQueue();

  const readFile = <T>(path: string, verb: string, decode: (bytes: Buffer) => T): Promise<T> =>
    ctx.guarded(path, verb, async () => {
      const target = await ctx.locate(path, false);
      return ctx.inParent(
        target,
        path,
        false,
        async (dir, name) => {
          const handle = await open(entryPath(dir, name), READ_FLAGS);
          try {
            const size = await plainFile(handle, path, maxFileBytes);
            return decode(await boundedRead(handle, path, size, maxFileBytes));
          } finally {
            await handle.close();
          }
        },
        () => {
          throw notFound(path);
        },
      );
    });

  const writeFile = async (path: string, data: string | Uint8Array): Promise<void> => {
    const bytes = typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
    if (bytes > maxFileBytes) {
      throw new SpindleError(
        'INVALID_OPTIONS',
        `storage write of ${JSON.stringify(path)}: ${bytes} bytes, more than one write stores (${maxFileBytes})`,
        { details: { path, sizeBytes: bytes, maxBytes: maxFileBytes } },
      );
    }
    await changes.run(() =>
      ctx.guarded(path, 'write', async () => {
        const target = await ctx.locate(path, false);
        await ctx.inParent(
          target,
          path,
          true,
          async (dir, name) => {
            const old = await lstat(entryPath(dir, name)).then(
              (s) => (s.isFile() ? s.size : 0),
              () => 0,
            );
            await usage.check(bytes - old, path);
            await replaceAtomically(dir, name, data);
            await usage.apply(bytes - old);
          },
          () => {},
        );
      }),
    );
  };

  const read = (path: string) => readFile(path, 'read', (bytes) => bytes.toString('utf8'));
  const write = async (path: string, data: string): Promise<void> => {
    if (typeof data !== 'string') {
      throw new SpindleError(
        'INVALID_OPTIONS',
        `storage write of ${JSON.stringify(path)}: data must be a string, got ${typeof data}`,
        { details: { path } },
      );
    }
    await writeFile(path, data);
  };

  return {
    read,
    write,
    readBinary: (path) =>
      readFile(
        path,
        'read',
        (bytes) => new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length),
      ),
    writeBinary: async (path, data) => {
      if (!(data instanceof Uint8Array)) {
        throw new SpindleError(
          'INVALID_OPTIONS',
          `storage writeBinary of ${JSON.stringify(path)}: data must be a Uint8Array`,
          { details: { path } },
        );
      }
      await writeFile(path, data);
    },
    delete: (path) =>
      changes.run(() =>
        ctx.guarded(path, 'delete', async () => {
          const target = await ctx.locate(path, false, false);
          await ctx.inParent(
            target,
            path,
            false,
            async (dir, name) => {
              const freed = await treeBytes(entryPath(dir, name));
              await rm(entryPath(dir, name), { recursive: true, force: true });
              await syncDir(dir);
              await usage.apply(-freed);
            },
            () => {},
          );
        }),
      ),
    exists: (path) => exists(ctx, path),
    list: (prefix) => list(ctx, prefix ?? ''),
    mkdir: (path) => changes.run(() => makeDir(ctx, path)),
    move: (from, to) =>
      changes.run(async () => {
        // A file replaced at the destination frees its bytes; the moved bytes stay in the folder.
        const replaced = await move(ctx, from, to);
        await usage.apply(-replaced);
      }),
    stat: (path) => stat(ctx, path),
    getJson: (path, options) => getJson(read, path, options),
    setJson: (path, value, options) => setJson(write, path, value, options),
  };
}
