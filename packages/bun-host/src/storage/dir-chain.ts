/**
 * Walks down a storage folder one segment at a time with `O_NOFOLLOW`, holding each folder
 * open, and names entries through `/proc/self/fd/<fd>/<name>` on Linux. That is `openat(2)`
 * by another name: once a folder is open, swapping a path component for a symlink cannot
 * redirect the next operation, so a runtime racing the host on its own storage folder cannot
 * make the host read or write outside it. Without /proc (macOS) the names are plain paths and
 * such a race is not closed; the symlink check of `confine` still holds for static trees.
 */
import { constants, existsSync } from 'node:fs';
import { type FileHandle, lstat, mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import { notAFolder, pathError } from './errors.ts';

const PROC_FD = process.platform === 'linux' && existsSync('/proc/self/fd');
const DIR_FLAGS = constants.O_RDONLY | (constants.O_DIRECTORY ?? 0) | (constants.O_NOFOLLOW ?? 0);

/** An open folder of the storage tree. */
export interface OpenDir {
  handle: FileHandle;
  /** Real path, for messages and the non-/proc fallback. */
  path: string;
}

/** Path of `name` inside an open folder, immune to path swaps where /proc is available. */
export function entryPath(dir: OpenDir, name: string): string {
  return PROC_FD ? `/proc/self/fd/${dir.handle.fd}/${name}` : join(dir.path, name);
}

/**
 * Opens the folder `name` inside `dir` without following a symlink; `undefined` when it is
 * missing, not a folder, or a symlink (what `list` skips).
 */
export async function openChildDir(dir: OpenDir, name: string): Promise<OpenDir | undefined> {
  try {
    return { handle: await open(entryPath(dir, name), DIR_FLAGS), path: join(dir.path, name) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ELOOP' || code === 'ENOTDIR') return undefined;
    throw error;
  }
}

/**
 * Opens `realRoot/segments…` (a path whose existing part is already real). Missing folders
 * are created when `create`, else `undefined` is returned. A symlink met on the way means the
 * tree changed after `confine` checked it: `STORAGE_PATH`; a file: `STORAGE_IO` `not_a_folder`.
 */
export async function openDirChain(
  realRoot: string,
  segments: string[],
  create: boolean,
  original: string,
): Promise<OpenDir | undefined> {
  let dir: OpenDir = { handle: await open(realRoot, DIR_FLAGS), path: realRoot };
  try {
    for (const segment of segments) {
      const next = entryPath(dir, segment);
      let handle: FileHandle;
      try {
        handle = await open(next, DIR_FLAGS);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' && create) {
          await mkdir(next).catch((e: NodeJS.ErrnoException) => {
            if (e.code !== 'EEXIST') throw e;
          });
          handle = await open(next, DIR_FLAGS);
        } else if (code === 'ENOENT') {
          await dir.handle.close();
          return undefined;
        } else if (code === 'ELOOP' || code === 'ENOTDIR') {
          // confine() resolved every symlink, so a symlink here was swapped in since.
          const swapped = await lstat(next).then(
            (s) => s.isSymbolicLink(),
            () => false,
          );
          throw swapped
            ? pathError(
                original,
                `is refused: "${segment}" is a symlink that could not be checked (dangling, or swapped in while in use)`,
                error,
              )
            : notAFolder(original, segment);
        } else throw error;
      }
      await dir.handle.close();
      dir = { handle, path: join(dir.path, segment) };
    }
    return dir;
  } catch (error) {
    await dir.handle.close().catch(() => {});
    throw error;
  }
}
