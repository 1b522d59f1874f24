/**
 * Extension storage on disk: `spindle.storage` and `spindle.userStorage` are served by one
 * `createStorage(root)` each. Paths are confined to the root (see `paths.ts`), writes are
 * atomic (see `atomic.ts`), and operations never follow a symlink out of the root, even one
 * swapped in while the host works (see `dir-chain.ts`). Uses `node:fs/promises` only, so it
 * runs under Node (tests) and Bun (the host).
 */
import { constants } from 'node:fs';
import { mkdir, open, readdir, realpath, rm, stat } from 'node:fs/promises';
import { relative, sep } from 'node:path';
import {
  SpindleError,
  type SpindleStorage,
  type StorageGetJsonOptions,
  type StorageSetJsonOptions,
} from '@spindle/types';
import { isTempName, replaceAtomically, sweepTempFiles, syncDir } from './atomic.ts';
import { entryPath, type OpenDir, openDirChain } from './dir-chain.ts';
import { confine, storageSegments } from './paths.ts';

export { isTempName, replaceAtomically, sweepTempFiles, TEMP_PREFIX } from './atomic.ts';
export {
  MAX_PATH_LENGTH,
  MAX_SEGMENT_BYTES,
  storageSegments,
  USER_ID_PATTERN,
  userStorageRoot,
} from './paths.ts';

/** Largest accepted `setJson` indent. */
export const MAX_JSON_INDENT = 10;

const NOFOLLOW = constants.O_NOFOLLOW ?? 0;

/**
 * Storage rooted at `rootDir` (created on first use). On first use it also removes temp files
 * that crashed writers of other processes left behind.
 *
 * - `read(path)`: UTF-8 text. Missing → `STORAGE_IO` with `details.reason: 'not_found'`.
 * - `write(path, data)`: atomic replace; creates missing folders.
 * - `delete(path)`: a file, a symlink (never its target) or a folder with its contents;
 *   nothing there is not an error.
 * - `exists(path)`: boolean.
 * - `list(path?)`: sorted names, folders end in `/`, temp files hidden; a missing folder
 *   lists as `[]`.
 * - `getJson(path, { fallback })`: missing file → `fallback` when the option is present
 *   (even `undefined`), else the `STORAGE_IO` not-found error; invalid JSON → `INVALID_JSON`
 *   (the fallback does not hide a corrupt file).
 * - `setJson(path, value, { indent })`: `JSON.stringify` with 0–10 spaces, written atomically;
 *   a value JSON cannot represent → `INVALID_OPTIONS`.
 *
 * Every path error is `STORAGE_PATH`; every file-system failure is `STORAGE_IO` with the
 * original error as `cause`.
 */
export function createStorage(rootDir: string): SpindleStorage {
  let ready: Promise<string> | undefined;
  const root = () => {
    ready ??= (async () => {
      await mkdir(rootDir, { recursive: true });
      const real = await realpath(rootDir);
      await sweepTempFiles(real);
      return real;
    })().catch((error: unknown) => {
      ready = undefined;
      throw io(error, rootDir, 'open the storage folder');
    });
    return ready;
  };

  /** Real path of `path` plus its segments relative to the real root. */
  const locate = async (path: string, allowRoot: boolean) => {
    const segments = storageSegments(path);
    if (segments.length === 0 && !allowRoot) {
      throw new SpindleError(
        'STORAGE_PATH',
        `storage path ${JSON.stringify(path)} names the storage folder itself`,
        {
          details: { path },
        },
      );
    }
    const realRoot = await root();
    const resolved = await confine(realRoot, segments, path);
    const rel = relative(realRoot, resolved);
    return { realRoot, resolved, rel: rel === '' ? [] : rel.split(sep) };
  };

  const withParent = async <T>(
    path: string,
    create: boolean,
    use: (dir: OpenDir, name: string) => Promise<T>,
    missing: () => T,
    resolveLast = true,
  ): Promise<T> => {
    let realRoot: string;
    let rel: string[];
    if (resolveLast) ({ realRoot, rel } = await locate(path, false));
    else {
      // Resolve only the parent: the last segment is acted on as it is (delete a link itself).
      const segments = storageSegments(path);
      if (segments.length === 0) {
        throw new SpindleError(
          'STORAGE_PATH',
          `storage path ${JSON.stringify(path)} names the storage folder itself`,
          {
            details: { path },
          },
        );
      }
      const parent = await locate(segments.slice(0, -1).join('/'), true);
      realRoot = parent.realRoot;
      rel = [...parent.rel, segments.at(-1)!];
    }
    const dir = await openDirChain(realRoot, rel.slice(0, -1), create, path);
    if (!dir) return missing();
    try {
      return await use(dir, rel.at(-1)!);
    } finally {
      await dir.handle.close();
    }
  };

  const storage: SpindleStorage = {
    async read(path) {
      return withParent(
        path,
        false,
        async (dir, name) => {
          const handle = await open(entryPath(dir, name), constants.O_RDONLY | NOFOLLOW).catch(
            (error) => {
              throw io(error, path, 'read');
            },
          );
          try {
            return await handle.readFile('utf8');
          } catch (error) {
            throw io(error, path, 'read');
          } finally {
            await handle.close();
          }
        },
        () => {
          throw notFound(path);
        },
      );
    },

    async write(path, data) {
      if (typeof data !== 'string') {
        throw new SpindleError(
          'INVALID_OPTIONS',
          `storage write of ${JSON.stringify(path)}: data must be a string`,
          {
            details: { path, type: typeof data },
          },
        );
      }
      await withParent(
        path,
        true,
        async (dir, name) => {
          try {
            await replaceAtomically(dir, name, data);
          } catch (error) {
            throw io(error, path, 'write');
          }
        },
        () => undefined,
      ).catch((error: unknown) => {
        throw error instanceof SpindleError ? error : io(error, path, 'write');
      });
    },

    async delete(path) {
      await withParent(
        path,
        false,
        async (dir, name) => {
          try {
            await rm(entryPath(dir, name), { recursive: true, force: true });
            await syncDir(dir);
          } catch (error) {
            throw io(error, path, 'delete');
          }
        },
        () => undefined,
        false,
      );
    },

    async exists(path) {
      const { resolved, rel } = await locate(path, true);
      if (rel.length > 0 && isTempName(rel.at(-1)!)) return false;
      return stat(resolved).then(
        () => true,
        (error: NodeJS.ErrnoException) => {
          if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return false;
          throw io(error, path, 'check');
        },
      );
    },

    async list(path = '') {
      const { realRoot, rel } = await locate(path, true);
      const dir = await openDirChain(realRoot, rel, false, path).catch((error: unknown) => {
        if (
          error instanceof SpindleError &&
          (error.cause as NodeJS.ErrnoException)?.code === 'ENOTDIR'
        ) {
          throw new SpindleError(
            'STORAGE_IO',
            `storage path ${JSON.stringify(path)} is a file, not a folder`,
            {
              details: { path, reason: 'not_a_folder' },
            },
          );
        }
        throw error;
      });
      if (!dir) return [];
      try {
        const entries = await readdir(entryPath(dir, '.'), { withFileTypes: true });
        const names: string[] = [];
        for (const entry of entries) {
          if (isTempName(entry.name)) continue;
          let folder = entry.isDirectory();
          if (entry.isSymbolicLink()) {
            folder = await stat(entryPath(dir, entry.name)).then(
              (s) => s.isDirectory(),
              () => false,
            );
          }
          names.push(folder ? `${entry.name}/` : entry.name);
        }
        return names.sort();
      } catch (error) {
        throw io(error, path, 'list');
      } finally {
        await dir.handle.close();
      }
    },

    async getJson<T = unknown>(path: string, options?: StorageGetJsonOptions<T>): Promise<T> {
      let text: string;
      try {
        text = await storage.read(path);
      } catch (error) {
        if (options && 'fallback' in options && isNotFound(error)) return options.fallback as T;
        throw error;
      }
      try {
        return JSON.parse(text) as T;
      } catch (error) {
        throw new SpindleError(
          'INVALID_JSON',
          `storage file ${JSON.stringify(path)} is not valid JSON: ${(error as Error).message}`,
          {
            cause: error,
            details: { path },
          },
        );
      }
    },

    async setJson(path: string, value: unknown, options?: StorageSetJsonOptions): Promise<void> {
      const indent = options?.indent;
      if (
        indent !== undefined &&
        (!Number.isInteger(indent) || indent < 0 || indent > MAX_JSON_INDENT)
      ) {
        throw new SpindleError(
          'INVALID_OPTIONS',
          `setJson indent must be an integer from 0 to ${MAX_JSON_INDENT}, got ${indent}`,
          {
            details: { path, indent },
          },
        );
      }
      let text: string | undefined;
      try {
        text = JSON.stringify(value, null, indent);
      } catch (error) {
        throw new SpindleError(
          'INVALID_OPTIONS',
          `setJson ${JSON.stringify(path)}: the value cannot be written as JSON: ${(error as Error).message}`,
          {
            cause: error,
            details: { path },
          },
        );
      }
      if (text === undefined) {
        throw new SpindleError(
          'INVALID_OPTIONS',
          `setJson ${JSON.stringify(path)}: ${typeof value} has no JSON form`,
          {
            details: { path },
          },
        );
      }
      await storage.write(path, text);
    },
  };
  return storage;
}

function notFound(path: string): SpindleError {
  return new SpindleError('STORAGE_IO', `storage file ${JSON.stringify(path)} does not exist`, {
    details: { path, reason: 'not_found' },
  });
}

function isNotFound(error: unknown): boolean {
  return error instanceof SpindleError && error.details.reason === 'not_found';
}

const REASONS: Record<string, string> = {
  ENOENT: 'not_found',
  ENOTDIR: 'not_a_folder',
  EISDIR: 'is_a_folder',
  EEXIST: 'exists',
  ELOOP: 'symlink',
  EACCES: 'permission',
  EPERM: 'permission',
  ENOSPC: 'no_space',
};

function io(error: unknown, path: string, verb: string): SpindleError {
  if (error instanceof SpindleError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ELOOP') {
    return new SpindleError(
      'STORAGE_PATH',
      `storage path ${JSON.stringify(path)} was replaced by a symlink while in use`,
      {
        cause: error,
        details: { path },
      },
    );
  }
  const reason = (code && REASONS[code]) ?? 'io';
  const why =
    reason === 'not_found'
      ? 'it does not exist'
      : reason === 'is_a_folder'
        ? 'it is a folder'
        : `${code ?? 'error'}: ${(error as Error).message}`;
  return new SpindleError(
    'STORAGE_IO',
    `cannot ${verb} storage path ${JSON.stringify(path)}: ${why}`,
    {
      cause: error,
      details: { path, reason, ...(code ? { errno: code } : {}) },
    },
  );
}
