/**
 * Path rules of extension storage. A storage path is relative, uses `/` only, and after
 * dropping empty and `.` segments has no `..`; it names something below the storage root even
 * after every symlink is followed (checked against the real path of the root).
 */
import { realpath } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { SpindleError } from '@spindle/types';
import { isTempName } from './atomic.ts';
import { pathError } from './errors.ts';

/** Longest accepted storage path, in characters. */
export const MAX_PATH_LENGTH = 1024;

/** Longest accepted path segment, in UTF-8 bytes (the common file-name limit). */
export const MAX_SEGMENT_BYTES = 255;

/** Accepted user ids: a letter or digit, then letters, digits, `.`, `_`, `-`; 1–128 chars. */
export const USER_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/**
 * Splits a storage path into its segments; `[]` is the root.
 * @throws SpindleError `STORAGE_PATH` for a non-string, an absolute path, NUL, a backslash,
 *   `..`, a segment reserved for temp files, or an over-long path or segment.
 */
export function storageSegments(path: unknown): string[] {
  if (typeof path !== 'string') throw pathError(path, 'must be a string');
  if (path.length > MAX_PATH_LENGTH)
    throw pathError(path, `is longer than ${MAX_PATH_LENGTH} characters`);
  if (path.includes('\0')) throw pathError(path, 'contains a NUL character');
  if (path.includes('\\')) throw pathError(path, 'contains a backslash; use "/" between folders');
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) {
    throw pathError(
      path,
      'is absolute; storage paths are relative to the extension storage folder',
    );
  }
  const segments = path.split('/').filter((s) => s !== '' && s !== '.');
  for (const segment of segments) {
    if (segment === '..')
      throw pathError(path, 'contains ".."; it must stay inside the storage folder');
    if (isTempName(segment)) throw pathError(path, `uses the reserved name "${segment}"`);
    if (Buffer.byteLength(segment) > MAX_SEGMENT_BYTES) {
      throw pathError(path, `has a segment longer than ${MAX_SEGMENT_BYTES} bytes`);
    }
  }
  return segments;
}

/** True when `child` is `root` or below it (both real, absolute). */
export function isInside(child: string, root: string): boolean {
  return child === root || child.startsWith(root.endsWith(sep) ? root : root + sep);
}

/**
 * Real path of the nearest existing ancestor of `absolute` (or of itself), with the part that
 * does not exist yet re-appended. Throws `STORAGE_PATH` when that real path leaves `realRoot`,
 * which is how a symlink pointing out of the storage folder is caught.
 */
export async function confine(
  realRoot: string,
  segments: string[],
  original: string,
): Promise<string> {
  const missing: string[] = [];
  const probe = [...segments];
  for (;;) {
    try {
      const real = await realpath(join(realRoot, ...probe));
      const resolved = join(real, ...missing);
      if (!isInside(real, realRoot)) {
        throw pathError(original, 'leads out of the storage folder through a symlink');
      }
      return resolved;
    } catch (error) {
      if (error instanceof SpindleError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || probe.length === 0) {
        throw new SpindleError(
          'STORAGE_IO',
          `storage path ${JSON.stringify(original)} cannot be resolved: ${(error as Error).message}`,
          {
            cause: error,
            details: { path: original },
          },
        );
      }
      missing.unshift(probe.pop()!);
    }
  }
}

/**
 * Root folder of one user's storage of an extension: `<extStorageRoot>.users/<userId>`, a
 * sibling of the extension's own storage so that no shared-storage path can reach it
 * (extension identifiers contain no `.`, so the sibling never collides with another extension).
 * @throws SpindleError `STORAGE_PATH` when `userId` is not a safe name (see `USER_ID_PATTERN`).
 */
export function userStorageRoot(extStorageRoot: string, userId: string): string {
  if (typeof userId !== 'string' || !USER_ID_PATTERN.test(userId)) {
    throw new SpindleError(
      'STORAGE_PATH',
      `user id ${JSON.stringify(userId)} is not a safe storage name (letters, digits, ".", "_", "-", 1-128 characters, starting with a letter or digit)`,
      { details: { userId } },
    );
  }
  return join(`${extStorageRoot.replace(/[/\\]+$/, '')}.users`, userId);
}
