/**
 * Fingerprints of the built files of an extension that has no sources of its own (built by
 * another tool): the dev loop compares them after a change to tell a frontend change (the
 * frontend entry) from a backend change (the backend entry, or any other file under `dist/`,
 * such as a backend process entry).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import {
  DEFAULT_ENTRY_BACKEND,
  DEFAULT_ENTRY_FRONTEND,
  type SpindleManifest,
} from '@spindle/types';

/** Files under `dist/` fingerprinted at most; beyond, the rest are not watched for changes. */
export const MAX_FINGERPRINTED_FILES = 2_000;

/** Relative path → SHA-256 of each built file. */
export type OutputFingerprints = Map<string, string>;

function hashFile(path: string): string | undefined {
  try {
    return createHash('sha256').update(readFileSync(path)).digest('hex');
  } catch {
    return undefined;
  }
}

function walk(dir: string, root: string, into: string[]): void {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return;
  }
  for (const name of names) {
    if (into.length >= MAX_FINGERPRINTED_FILES) return;
    const path = join(dir, name);
    let isDir = false;
    try {
      const info = statSync(path);
      if (info.isDirectory()) isDir = true;
      else if (!info.isFile()) continue;
    } catch {
      continue;
    }
    if (isDir) walk(path, root, into);
    else into.push(relative(root, path));
  }
}

/** The outputs of the extension in `dir`: its two entries and every file under `dist/`. */
export function fingerprintOutputs(dir: string, manifest: SpindleManifest): OutputFingerprints {
  const files: string[] = [];
  walk(join(dir, 'dist'), dir, files);
  const entries = [
    manifest.entry_frontend ?? DEFAULT_ENTRY_FRONTEND,
    manifest.entry_backend ?? DEFAULT_ENTRY_BACKEND,
  ].map((entry) => relative(dir, resolve(dir, entry)));
  const prints: OutputFingerprints = new Map();
  for (const file of new Set([...entries, ...files])) {
    const hash = hashFile(join(dir, file));
    if (hash !== undefined) prints.set(file, hash);
  }
  return prints;
}

/** Which parts differ between two fingerprints of one extension. */
export function changedParts(
  before: OutputFingerprints,
  after: OutputFingerprints,
  manifest: SpindleManifest,
  dir: string,
): { frontend: boolean; backend: boolean } {
  const frontendEntry = relative(
    dir,
    resolve(dir, manifest.entry_frontend ?? DEFAULT_ENTRY_FRONTEND),
  );
  const changed = { frontend: false, backend: false };
  for (const file of new Set([...before.keys(), ...after.keys()])) {
    if (before.get(file) === after.get(file)) continue;
    if (file === frontendEntry) changed.frontend = true;
    else changed.backend = true;
  }
  return changed;
}
