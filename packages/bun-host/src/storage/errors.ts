/** The errors of extension storage: `STORAGE_PATH` for bad paths, `STORAGE_IO` for the disk. */
import { SpindleError } from '@spindle/types';

/** `details.reason` of `STORAGE_IO` errors, by errno. */
const REASONS: Record<string, string> = {
  ENOENT: 'not_found',
  ENOTDIR: 'not_a_folder',
  EISDIR: 'is_a_folder',
  EEXIST: 'exists',
  EACCES: 'permission',
  EPERM: 'permission',
  ENOSPC: 'no_space',
  EDQUOT: 'no_space',
};

/** A `STORAGE_PATH` error about `path`. */
export function pathError(path: unknown, why: string, cause?: unknown): SpindleError {
  return new SpindleError('STORAGE_PATH', `storage path ${JSON.stringify(path)} ${why}`, {
    details: { path },
    ...(cause === undefined ? {} : { cause }),
  });
}

/** The `STORAGE_IO` error of a missing file. */
export function notFound(path: string): SpindleError {
  return new SpindleError('STORAGE_IO', `storage path ${JSON.stringify(path)} does not exist`, {
    details: { path, reason: 'not_found' },
  });
}

/** The `STORAGE_IO` error of a file where a folder is needed. */
export function notAFolder(path: string, segment: string): SpindleError {
  return new SpindleError(
    'STORAGE_IO',
    `storage path ${JSON.stringify(path)}: "${segment}" is a file, not a folder`,
    { details: { path, reason: 'not_a_folder' } },
  );
}

/** True for the error of a missing storage file. */
export function isNotFound(error: unknown): boolean {
  return error instanceof SpindleError && error.details.reason === 'not_found';
}

/** Wraps a file-system error as `STORAGE_IO` (a `SpindleError` passes through unchanged). */
export function ioError(error: unknown, path: string, verb: string): SpindleError {
  if (error instanceof SpindleError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ELOOP') return pathError(path, 'was replaced by a symlink while in use', error);
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
    { cause: error, details: { path, reason, ...(code ? { errno: code } : {}) } },
  );
}
