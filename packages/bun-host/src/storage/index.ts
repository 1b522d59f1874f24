/**
 * Extension storage on disk: `spindle.storage` and `spindle.userStorage` are served by one
 * `createStorage(root)` each. Paths are confined to the root (`paths.ts`), writes are atomic
 * (`atomic.ts`), and no operation follows a symlink out of the root, not even one swapped in
 * while the host works (`dir-chain.ts`). Uses `node:fs/promises` only, so it runs under Node
 * (tests) and Bun (the host).
 */
import { constants, type Dirent } from 'node:fs';
import { mkdir, open, readdir, realpath, rm, stat } from 'node:fs/promises';
import { relative, sep } from 'node:path';
import { SpindleError, type SpindleStorage } from '@spindle/types';
import { isTempName, replaceAtomically, sweepTempFiles, syncDir } from './atomic.ts';
import { entryPath, type OpenDir, openDirChain } from './dir-chain.ts';
import { ioError, notFound, pathError } from './errors.ts';
import { getJson, setJson } from './json.ts';
import { confine, storageSegments } from './paths.ts';

export { isTempName, replaceAtomically, sweepTempFiles, TEMP_PREFIX } from './atomic.ts';
export { isNotFound } from './errors.ts';
export { MAX_JSON_INDENT } from './json.ts';
export {
  MAX_PATH_LENGTH,
  MAX_SEGMENT_BYTES,
  storageSegments,
  USER_ID_PATTERN,
  userStorageRoot,
} from './paths.ts';

const READ_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0);

/** Where an operation acts: the real root and the path below it, segment by segment. */
interface Target {
  realRoot: string;
  rel: string[];
}

/**
 * Storage rooted at `rootDir`, created on first use. First use also removes temp files that
 * crashed writers (of processes no longer running) left behind.
 *
 * - `read(path)`: UTF-8 text; missing → `STORAGE_IO` with `details.reason: 'not_found'`.
 * - `write(path, data)`: atomic replace (temp file, fsync, rename, fsync of the folder);
 *   creates missing folders; `data` must be a string (`INVALID_OPTIONS`).
 * - `delete(path)`: a file, a symlink (never its target) or a folder with its contents;
 *   deleting nothing is not an error.
 * - `exists(path)`: boolean (`''` is the root, which exists).
 * - `list(path?)`: sorted names, folders end in `/`, temp files hidden; a missing folder
 *   lists as `[]`, a file is `STORAGE_IO` `not_a_folder`.
 * - `getJson(path, { fallback })` / `setJson(path, value, { indent })`: see `json.ts`.
 *
 * Path errors are `STORAGE_PATH`; file-system failures are `STORAGE_IO` with the errno in
 * `details.errno`, a `details.reason`, and the original error as `cause`.
 */
export function createStorage(rootDir: string): SpindleStorage {
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

  /**
   * Resolves `path` inside the root. With `followLast: false` only the parent is resolved and
   * the last segment is taken as it is (delete removes a link, not what it points to).
   */
  const locate = async (path: string, allowRoot: boolean, followLast = true): Promise<Target> => {
    const segments = storageSegments(path);
    if (segments.length === 0 && !allowRoot)
      throw pathError(path, 'names the storage folder itself');
    const realRoot = await root();
    const followed = followLast ? segments : segments.slice(0, -1);
    const resolved = relative(realRoot, await confine(realRoot, followed, path));
    const rel = resolved === '' ? [] : resolved.split(sep);
    return { realRoot, rel: followLast ? rel : [...rel, segments.at(-1)!] };
  };

  /** Runs `use` with the last segment's folder open; `missing` when that folder is absent. */
  const inParent = async <T>(
    target: Target,
    path: string,
    create: boolean,
    use: (dir: OpenDir, name: string) => Promise<T>,
    missing: () => T,
  ): Promise<T> => {
    const dir = await openDirChain(target.realRoot, target.rel.slice(0, -1), create, path);
    if (!dir) return missing();
    try {
      return await use(dir, target.rel.at(-1)!);
    } finally {
      await dir.handle.close();
    }
  };

  /** Every failure leaves as a `SpindleError` naming the operation and the path. */
  const guarded = async <T>(path: string, verb: string, body: () => Promise<T>): Promise<T> => {
    try {
      return await body();
    } catch (error) {
      throw ioError(error, path, verb);
    }
  };

  const read = (path: string): Promise<string> =>
    guarded(path, 'read', async () => {
      const target = await locate(path, false);
      return inParent(
        target,
        path,
        false,
        async (dir, name) => {
          const handle = await open(entryPath(dir, name), READ_FLAGS);
          try {
            return await handle.readFile('utf8');
          } finally {
            await handle.close();
          }
        },
        () => {
          throw notFound(path);
        },
      );
    });

  const write = async (path: string, data: string): Promise<void> => {
    if (typeof data !== 'string') {
      throw new SpindleError(
        'INVALID_OPTIONS',
        `storage write of ${JSON.stringify(path)}: data must be a string, got ${typeof data}`,
        { details: { path } },
      );
    }
    await guarded(path, 'write', async () => {
      const target = await locate(path, false);
      await inParent(
        target,
        path,
        true,
        (dir, name) => replaceAtomically(dir, name, data),
        () => {},
      );
    });
  };

  return {
    read,
    write,
    delete: (path) =>
      guarded(path, 'delete', async () => {
        const target = await locate(path, false, false);
        await inParent(
          target,
          path,
          false,
          async (dir, name) => {
            await rm(entryPath(dir, name), { recursive: true, force: true });
            await syncDir(dir);
          },
          () => {},
        );
      }),

    exists: (path) =>
      guarded(path, 'check', async () => {
        const { realRoot, rel } = await locate(path, true);
        const dir = await openDirChain(realRoot, rel.slice(0, -1), false, path).catch(
          (error: unknown) => {
            if (error instanceof SpindleError && error.details.reason === 'not_a_folder')
              return undefined;
            throw error;
          },
        );
        if (!dir) return false;
        try {
          if (rel.length === 0) return true;
          return await stat(entryPath(dir, rel.at(-1)!)).then(
            () => true,
            (error: NodeJS.ErrnoException) => {
              if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return false;
              throw error;
            },
          );
        } finally {
          await dir.handle.close();
        }
      }),

    list: (path = '') =>
      guarded(path, 'list', async () => {
        const { realRoot, rel } = await locate(path, true);
        const dir = await openDirChain(realRoot, rel, false, path);
        if (!dir) return [];
        try {
          const entries = await readdir(entryPath(dir, '.'), { withFileTypes: true });
          const names = await Promise.all(
            entries.filter((e) => !isTempName(e.name)).map((e) => listedName(dir, e)),
          );
          return names.sort();
        } finally {
          await dir.handle.close();
        }
      }),

    getJson: (path, options) => getJson(read, path, options),
    setJson: (path, value, options) => setJson(write, path, value, options),
  };
}

/** `name/` for folders (a symlink counts as what it points to), `name` otherwise. */
async function listedName(dir: OpenDir, entry: Dirent): Promise<string> {
  let folder = entry.isDirectory();
  if (entry.isSymbolicLink()) {
    folder = await stat(entryPath(dir, entry.name)).then(
      (s) => s.isDirectory(),
      () => false,
    );
  }
  return folder ? `${entry.name}/` : entry.name;
}
