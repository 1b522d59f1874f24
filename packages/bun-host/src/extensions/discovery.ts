/**
 * Extension discovery: every folder of the extensions directory that holds a `spindle.json`.
 * A manifest that cannot be read or does not validate yields an entry with an `error` (the
 * extension's state becomes `error`); it never stops the host.
 *
 * A symbolic link to a folder is an extension like any folder (the usual way to develop one in
 * place): the operator chose where it points, so its target may live anywhere. The extension's
 * `path` is the link's real target, and every confinement rule (entries inside the folder,
 * backend process entries inside its `dist/`, the bundle route, the sandbox's read-only bind)
 * holds relative to that real folder. A link that cannot be followed (dangling, a loop, no
 * permission) is reported as an extension in `error` named after the link, never skipped
 * silently; a link to a file is not an extension folder and is skipped like any file.
 */
import { type Dirent, statSync } from 'node:fs';
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import {
  DEFAULT_ENTRY_BACKEND,
  errorMessage,
  SpindleError,
  type SpindleManifest,
  validateManifest,
} from '@spindle/types';

/** Name of the manifest file at an extension's root. */
export const MANIFEST_FILE = 'spindle.json';

/** One folder found in the extensions directory. */
export type DiscoveredExtension =
  | {
      ok: true;
      /** Manifest identifier. */
      identifier: string;
      /** Absolute path of the extension folder. */
      path: string;
      manifest: SpindleManifest;
      /** Absolute path of the backend entry (it may not exist: checked at start). */
      backendEntryPath: string;
      /** The symbolic link it was found through (then `path` is the link's real target). */
      linkedFrom?: string;
    }
  | {
      ok: false;
      /** The manifest identifier when it could be read, else the folder name. */
      identifier: string;
      path: string;
      /** Why the extension cannot be used. */
      error: string;
      /** The symbolic link it was found through (then `path` is the link's real target). */
      linkedFrom?: string;
    };

/** Scans `extensionsDir` (one level deep), sorted by folder name. */
export async function discoverExtensions(extensionsDir: string): Promise<DiscoveredExtension[]> {
  const root = resolve(extensionsDir);
  let entries: Dirent[];
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch (error) {
    throw new SpindleError('INVALID_OPTIONS', `cannot read the extensions folder ${root}`, {
      cause: error,
      details: { extensionsDir: root },
    });
  }
  const found: DiscoveredExtension[] = [];
  const seen = new Set<string>();
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith('.')) continue;
    let path = join(root, entry.name);
    let linkedFrom: string | undefined;
    if (entry.isSymbolicLink()) {
      const target = await followLink(path);
      if (target === null) continue;
      if (typeof target !== 'string') {
        found.push({ ok: false, identifier: entry.name, path, error: target.error });
        continue;
      }
      linkedFrom = path;
      path = target;
    } else if (!entry.isDirectory()) {
      continue;
    }
    const manifestPath = join(path, MANIFEST_FILE);
    if (!(await isFile(manifestPath))) continue;
    const read = await readExtension(path, entry.name, manifestPath);
    const item = linkedFrom === undefined ? read : { ...read, linkedFrom };
    if (seen.has(item.identifier)) {
      found.push({
        ok: false,
        identifier: `${item.identifier}@${entry.name}`,
        path,
        error: `duplicate identifier "${item.identifier}" (folder ${entry.name})`,
      });
      continue;
    }
    seen.add(item.identifier);
    found.push(item);
  }
  return found;
}

/**
 * Reads one extension folder again (`reload`): its manifest, validated as at discovery. A folder
 * without a readable, valid `spindle.json` yields an entry with an `error`.
 */
export async function readExtensionFolder(path: string): Promise<DiscoveredExtension> {
  const folder = resolve(path);
  return readExtension(folder, basename(folder), join(folder, MANIFEST_FILE));
}

/**
 * The real folder a link in the extensions folder points to; `null` for a link to something
 * other than a folder; `{ error }` for a link that cannot be followed.
 */
async function followLink(link: string): Promise<string | null | { error: string }> {
  let target: string;
  try {
    target = await realpath(link);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'points to nothing'
        : code === 'ELOOP'
          ? 'is a loop of links'
          : `cannot be followed (${errorMessage(error)})`;
    return { error: `symbolic link ${link} ${why}` };
  }
  try {
    return (await stat(target)).isDirectory() ? target : null;
  } catch (error) {
    return { error: `symbolic link ${link} → ${target} cannot be read (${errorMessage(error)})` };
  }
}

async function readExtension(
  path: string,
  folder: string,
  manifestPath: string,
): Promise<DiscoveredExtension> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(manifestPath, 'utf8'));
  } catch (error) {
    return {
      ok: false,
      identifier: folder,
      path,
      error: `unreadable ${MANIFEST_FILE}: ${errorMessage(error)}`,
    };
  }
  const result = validateManifest(raw);
  if (!result.ok) {
    const id = (raw as { identifier?: unknown } | null)?.identifier;
    const where = result.error.path ? ` at ${result.error.path}` : '';
    return {
      ok: false,
      identifier: typeof id === 'string' && id.length > 0 ? id : folder,
      path,
      error: `invalid ${MANIFEST_FILE}${where}: ${result.error.message}`,
    };
  }
  const manifest = result.value;
  const entry = manifest.entry_backend ?? DEFAULT_ENTRY_BACKEND;
  const backendEntryPath = resolve(path, entry);
  const rel = relative(path, backendEntryPath);
  if (isAbsolute(entry) || rel.startsWith('..') || isAbsolute(rel)) {
    return {
      ok: false,
      identifier: manifest.identifier,
      path,
      error: `invalid ${MANIFEST_FILE}: entry_backend "${entry}" leaves the extension folder`,
    };
  }
  return { ok: true, identifier: manifest.identifier, path, manifest, backendEntryPath };
}

/** True when `path` is an existing regular file. */
export async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/**
 * `isFile`, synchronously: for a path checked on a latency-critical path (a runtime's start),
 * where one `stat` of cached metadata costs microseconds and a round trip through the fs thread
 * pool costs more than the call itself.
 */
export function isFileSync(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
