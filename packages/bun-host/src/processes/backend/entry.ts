/** Resolution of a backend process entry to a file that exists inside `<extension>/dist/`. */
import { realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { SpindleError } from '@spindle/types';

/**
 * Resolves `entry` (already string-checked) against the extension folder and follows symlinks:
 * the real file must exist and stay inside the real `dist/` folder. Anything else rejects with
 * `INVALID_OPTIONS`.
 */
export async function resolveBackendEntry(extensionPath: string, entry: string): Promise<string> {
  const refuse = (why: string, cause?: unknown): never => {
    throw new SpindleError('INVALID_OPTIONS', `backend process entry ${entry} ${why}`, {
      cause,
      details: { entry, path: 'entry' },
    });
  };
  let distReal: string;
  try {
    distReal = await realpath(join(extensionPath, 'dist'));
  } catch (error) {
    return refuse('cannot be used: the extension has no dist/ folder', error);
  }
  let entryReal: string;
  try {
    entryReal = await realpath(join(extensionPath, entry));
  } catch (error) {
    return refuse('does not exist', error);
  }
  if (!entryReal.startsWith(distReal + sep)) return refuse('resolves outside dist/');
  const info = await stat(entryReal).catch((error: unknown) => refuse('cannot be read', error));
  if (!info.isFile()) return refuse('is not a file');
  return entryReal;
}
