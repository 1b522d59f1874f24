/** Resolution of a backend process entry to a file that exists inside `<extension>/dist/`. */
import { realpathSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';
import { SpindleError } from '@spindle/types';

/**
 * Resolves `entry` (already string-checked) against the extension folder and follows symlinks:
 * the real file must exist and stay inside the real `dist/` folder. Anything else rejects with
 * `INVALID_OPTIONS`. Synchronous on purpose: three cached-metadata syscalls cost microseconds,
 * while a round trip through the fs thread pool for each would sit on every spawn's start path.
 */
export function resolveBackendEntry(extensionPath: string, entry: string): string {
  const refuse = (why: string, cause?: unknown): never => {
    throw new SpindleError('INVALID_OPTIONS', `backend process entry ${entry} ${why}`, {
      cause,
      details: { entry, path: 'entry' },
    });
  };
  let distReal: string;
  try {
    distReal = realpathSync(join(extensionPath, 'dist'));
  } catch (error) {
    return refuse('cannot be used: the extension has no dist/ folder', error);
  }
  let entryReal: string;
  try {
    entryReal = realpathSync(join(extensionPath, entry));
  } catch (error) {
    return refuse('does not exist', error);
  }
  if (!entryReal.startsWith(distReal + sep)) return refuse('resolves outside dist/');
  let info: ReturnType<typeof statSync>;
  try {
    info = statSync(entryReal);
  } catch (error) {
    return refuse('cannot be read', error);
  }
  if (!info.isFile()) return refuse('is not a file');
  return entryReal;
}
