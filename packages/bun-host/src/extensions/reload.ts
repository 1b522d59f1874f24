/**
 * What `reload` reads (docs/operations.md, "Per-extension control"): the extension's folder
 * again, accepted only when its manifest validates and keeps the identifier, so that a broken
 * upgrade leaves the running version as it is.
 */
import { SpindleError } from '@spindle/types';
import { type DiscoveredExtension, readExtensionFolder } from './discovery.ts';

/** The extension at `path` as it is on disk now; throws `INVALID_MANIFEST` when unusable. */
export async function readReplacement(
  path: string,
  identifier: string,
): Promise<Extract<DiscoveredExtension, { ok: true }>> {
  const found = await readExtensionFolder(path);
  if (found.identifier !== identifier) {
    throw new SpindleError(
      'INVALID_MANIFEST',
      `cannot reload ${identifier}: its spindle.json now names "${found.identifier}" (restart the host to rename an extension)`,
      { details: { identifier } },
    );
  }
  if (!found.ok) {
    throw new SpindleError(
      'INVALID_MANIFEST',
      `cannot reload ${identifier} (the running version is kept): ${found.error}`,
      { details: { identifier } },
    );
  }
  return found;
}
