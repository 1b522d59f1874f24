/**
 * The storage operations that look at or reshape the folder tree: `exists`, `stat`, `mkdir`,
 * `move` and the recursive `list`. Like the file operations they resolve paths inside the root
 * and act through open folders (`dir-chain.ts`), so a symlink swapped in while they work cannot
 * take them out of it.
 */
import type { Dirent } from 'node:fs';
import { lstat as lstatPath, readdir, rename, stat as statPath } from 'node:fs/promises';
import { SpindleError, type SpindleStorageStat } from '@spindle/types';
import { isTempName, syncDir } from './atomic.ts';
import { entryPath, type OpenDir, openChildDir, openDirChain } from './dir-chain.ts';
import { notFound } from './errors.ts';
import type { StorageContext } from './index.ts';

/**
 * Most files one `list` returns; a larger tree fails with `STORAGE_IO` `too_many_entries`
 * rather than making the host hold an unbounded answer.
 * @default 100000
 */
export const MAX_LIST_ENTRIES = 100_000;

/**
 * Deepest folder `list` descends into below its prefix (each level holds one descriptor open
 * while it is walked); deeper folders fail the call with `STORAGE_IO` `too_deep`.
 * @default 64
 */
export const MAX_LIST_DEPTH = 64;

const MISSING: SpindleStorageStat = Object.freeze({
  exists: false,
  isFile: false,
  isDirectory: false,
  sizeBytes: 0,
  modifiedAt: new Date(0).toISOString(),
});

/** The open parent of `path`'s last segment, or `undefined` when some folder on the way is missing or a file. */
async function openParent(
  ctx: StorageContext,
  path: string,
): Promise<{ dir: OpenDir; name: string | undefined } | undefined> {
  const { realRoot, rel } = await ctx.locate(path, true);
  const dir = await openDirChain(realRoot, rel.slice(0, -1), false, path).catch(
    (error: unknown) => {
      if (error instanceof SpindleError && error.details.reason === 'not_a_folder')
        return undefined;
      throw error;
    },
  );
  return dir && { dir, name: rel.at(-1) };
}

/** `fs.stat` of `name` in `dir` (the folder itself for `undefined`), `undefined` when missing. */
async function statIn(dir: OpenDir, name: string | undefined) {
  return statPath(entryPath(dir, name ?? '.')).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined;
    throw error;
  });
}

/** Whether `path` exists (`''` is the root, which does). */
export function exists(ctx: StorageContext, path: string): Promise<boolean> {
  return ctx.guarded(path, 'check', async () => {
    const parent = await openParent(ctx, path);
    if (!parent) return false;
    try {
      return (await statIn(parent.dir, parent.name)) !== undefined;
    } finally {
      await parent.dir.handle.close();
    }
  });
}

/** What `path` is; a missing path is `exists: false` with zero size and the epoch. */
export function stat(ctx: StorageContext, path: string): Promise<SpindleStorageStat> {
  return ctx.guarded(path, 'stat', async () => {
    const parent = await openParent(ctx, path);
    if (!parent) return { ...MISSING };
    try {
      const found = await statIn(parent.dir, parent.name);
      if (!found) return { ...MISSING };
      return {
        exists: true,
        isFile: found.isFile(),
        isDirectory: found.isDirectory(),
        sizeBytes: found.size,
        modifiedAt: new Date(found.mtimeMs).toISOString(),
      };
    } finally {
      await parent.dir.handle.close();
    }
  });
}

/** Creates the folder `path` and its missing parents; an existing folder is not an error. */
export function makeDir(ctx: StorageContext, path: string): Promise<void> {
  return ctx.guarded(path, 'create folder', async () => {
    const { realRoot, rel } = await ctx.locate(path, true);
    const dir = await openDirChain(realRoot, rel, true, path);
    await dir?.handle.close();
  });
}

/**
 * Renames `from` to `to` (a file, a folder, or a symlink as a link), creating the destination's
 * missing folders; an existing file at `to` is replaced (its size is returned, for the quota).
 * Missing `from` → `STORAGE_IO` `not_found`.
 */
export function move(ctx: StorageContext, from: string, to: string): Promise<number> {
  return ctx.guarded(from, 'move', async () => {
    if (typeof to !== 'string') {
      throw new SpindleError(
        'INVALID_OPTIONS',
        `storage move of ${JSON.stringify(from)}: the destination must be a string`,
      );
    }
    const source = await ctx.locate(from, false, false);
    const destination = await ctx.locate(to, false, false);
    let replaced = 0;
    await ctx.inParent(
      source,
      from,
      false,
      (fromDir, fromName) =>
        ctx.inParent(
          destination,
          to,
          true,
          async (toDir, toName) => {
            replaced = await lstatPath(entryPath(toDir, toName)).then(
              (s) => (s.isFile() ? s.size : 0),
              () => 0,
            );
            await rename(entryPath(fromDir, fromName), entryPath(toDir, toName)).catch(
              (error: NodeJS.ErrnoException) => {
                throw error.code === 'ENOENT' ? notFound(from) : error;
              },
            );
            await syncDir(toDir);
            if (toDir.path !== fromDir.path) await syncDir(fromDir);
          },
          () => {},
        ),
      () => {
        throw notFound(from);
      },
    );
    return replaced;
  });
}

/**
 * Every file below the folder `prefix` (the root for `''`), recursively, as `/`-separated paths
 * relative to that folder, sorted. Folders themselves, temp files and symlinks to folders are
 * left out (a symlink to a file is listed); a missing prefix lists as `[]`, a file as prefix is
 * `STORAGE_IO` `not_a_folder`.
 */
export function list(ctx: StorageContext, prefix: string): Promise<string[]> {
  return ctx.guarded(prefix, 'list', async () => {
    const { realRoot, rel } = await ctx.locate(prefix, true);
    const top = await openDirChain(realRoot, rel, false, prefix);
    if (!top) return [];
    const files: string[] = [];
    const walk = async (dir: OpenDir, base: string, depth: number): Promise<void> => {
      const entries: Dirent[] = await readdir(entryPath(dir, '.'), { withFileTypes: true });
      for (const entry of entries) {
        if (isTempName(entry.name)) continue;
        const relPath = base + entry.name;
        if (entry.isDirectory()) {
          if (depth >= MAX_LIST_DEPTH)
            throw tooMuch(prefix, 'too_deep', `is nested deeper than ${MAX_LIST_DEPTH} folders`);
          const child = await openChildDir(dir, entry.name);
          if (!child) continue;
          try {
            await walk(child, `${relPath}/`, depth + 1);
          } finally {
            await child.handle.close();
          }
        } else if (
          entry.isFile() ||
          (entry.isSymbolicLink() && (await isFileLink(dir, entry.name)))
        ) {
          if (files.length >= MAX_LIST_ENTRIES)
            throw tooMuch(prefix, 'too_many_entries', `holds more than ${MAX_LIST_ENTRIES} files`);
          files.push(relPath);
        }
      }
    };
    try {
      await walk(top, '', 0);
    } finally {
      await top.handle.close();
    }
    return files.sort();
  });
}

async function isFileLink(dir: OpenDir, name: string): Promise<boolean> {
  return statPath(entryPath(dir, name)).then(
    (s) => s.isFile(),
    () => false,
  );
}

function tooMuch(prefix: string, reason: string, why: string): SpindleError {
  return new SpindleError(
    'STORAGE_IO',
    `cannot list storage path ${JSON.stringify(prefix)}: it ${why}`,
    {
      details: { path: prefix, reason },
    },
  );
}
