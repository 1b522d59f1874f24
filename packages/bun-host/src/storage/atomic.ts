/**
 * Crash-safe file replacement: the data goes to a temp file in the target's folder, is
 * fsynced, and is renamed over the target (an atomic replace on POSIX file systems); then the
 * folder is fsynced so the rename itself survives a power loss. A crash at any point leaves
 * the old file or the new one, plus at most a temp file that the next `createStorage` sweeps.
 */
import { randomBytes } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { open, readdir, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { entryPath, type OpenDir } from './dir-chain.ts';

/** Prefix of temp files; storage paths may not use it, `list` never shows it. */
export const TEMP_PREFIX = '.spindle-tmp-';

/** True for a temp-file name (of any process). */
export function isTempName(name: string): boolean {
  return name.startsWith(TEMP_PREFIX);
}

/** Temp-file name of this process; the pid tells the sweep which files are its own. */
function tempName(): string {
  return `${TEMP_PREFIX}${process.pid}-${randomBytes(6).toString('hex')}`;
}

/**
 * Replaces `name` in the open folder `dir` with `data` (UTF-8 text or bytes) atomically (see the module comment).
 * A failed write removes its temp file and rethrows the file-system error.
 */
export async function replaceAtomically(
  dir: OpenDir,
  name: string,
  data: string | Uint8Array,
): Promise<void> {
  const temp = entryPath(dir, tempName());
  try {
    const handle = await open(temp, 'wx');
    try {
      await (typeof data === 'string' ? handle.writeFile(data, 'utf8') : handle.writeFile(data));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, entryPath(dir, name));
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw error;
  }
  await syncDir(dir);
}

/** fsyncs an open folder so a rename in it survives a crash; file systems that cannot are skipped. */
export async function syncDir(dir: OpenDir): Promise<void> {
  await dir.handle.sync().catch((error: NodeJS.ErrnoException) => {
    if (!['EISDIR', 'EPERM', 'EINVAL', 'EBADF', 'ENOTSUP'].includes(error.code ?? '')) throw error;
  });
}

/** True when a process with this pid runs (the sweep keeps temp files of live writers). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Writer pid encoded in a temp-file name, or `undefined` for a malformed name. */
function tempOwner(name: string): number | undefined {
  const pid = Number.parseInt(name.slice(TEMP_PREFIX.length), 10);
  return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
}

/**
 * Removes temp files left by crashed writers below `root` (never following symlinks). Temp
 * files whose writer still runs (this process included) are kept: they may be writes in flight.
 * @returns the removed paths.
 */
export async function sweepTempFiles(root: string): Promise<string[]> {
  const removed: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (isTempName(entry.name)) {
        const owner = tempOwner(entry.name);
        if (owner !== undefined && alive(owner)) continue;
        await unlink(path).then(
          () => removed.push(path),
          () => {},
        );
      }
    }
  };
  await walk(root);
  return removed;
}
