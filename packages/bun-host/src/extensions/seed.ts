/**
 * `storage_seed_files` of `spindle.json`: files and folders of the extension copied into its
 * storage on first enable and whenever its `version` changes, as upstream does at install and
 * update. Sources are confined to the extension folder (no `..`, no absolute path, no symlink
 * leading out, regular files only); destinations go through the storage API, so they are
 * confined to the storage root and written atomically. A destination that exists is kept unless
 * the entry says `overwrite`; a missing source is skipped unless it is `required`, which fails
 * the enable with an `INVALID_MANIFEST` error naming it.
 */
import type { Dirent } from 'node:fs';
import { lstat, mkdir, readdir, readFile, realpath, rename, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, sep } from 'node:path';
import { SpindleError, type SpindleManifest, type SpindleStorage } from '@spindle/types';

/**
 * Most bytes one enable copies from seed files; past it the enable fails.
 * @default 268435456 (256 MiB)
 */
export const MAX_SEED_BYTES = 256 * 1024 * 1024;

/**
 * Most files one enable copies from seed files; past it the enable fails.
 * @default 10000
 */
export const MAX_SEED_FILES_COPIED = 10_000;

/** What `seedStorage` needs. */
export interface SeedOptions {
  manifest: SpindleManifest;
  /** Absolute path of the extension folder (sources are relative to it). */
  extensionPath: string;
  /** The extension's storage (destinations are relative to its root). */
  storage: SpindleStorage;
  /**
   * File recording the version last seeded (outside the storage root, so the extension cannot
   * change it).
   */
  statePath: string;
}

/** What a seeding did. */
export interface SeedResult {
  /** False when the recorded version matched and nothing was looked at. */
  ran: boolean;
  /** Storage paths written. */
  copied: string[];
}

function seedError(message: string, cause?: unknown): SpindleError {
  return new SpindleError('INVALID_MANIFEST', `storage_seed_files: ${message}`, {
    ...(cause === undefined ? {} : { cause }),
    details: { field: 'storage_seed_files' },
  });
}

/** The real path of `from` inside `root`, or `undefined` when it does not exist. */
async function confinedSource(root: string, from: string): Promise<string | undefined> {
  if (isAbsolute(from) || from.split(/[\\/]/).includes('..')) {
    throw seedError(`source "${from}" must be a relative path inside the extension folder`);
  }
  const realRoot = await realpath(root);
  let real: string;
  try {
    real = await realpath(join(realRoot, from));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw seedError(`source "${from}" cannot be read`, error);
  }
  if (real !== realRoot && !real.startsWith(realRoot + sep)) {
    throw seedError(`source "${from}" leads out of the extension folder`);
  }
  return real;
}

/** Copies files (recursively for folders) into storage; counts against the budgets. */
class Copier {
  bytes = 0;
  readonly copied: string[] = [];
  constructor(private readonly storage: SpindleStorage) {}

  async file(source: string, to: string): Promise<void> {
    const info = await lstat(source);
    if (!info.isFile()) return;
    if (this.copied.length >= MAX_SEED_FILES_COPIED) {
      throw seedError(`more than ${MAX_SEED_FILES_COPIED} files to copy`);
    }
    if (this.bytes + info.size > MAX_SEED_BYTES) {
      throw seedError(`more than ${MAX_SEED_BYTES} bytes to copy`);
    }
    this.bytes += info.size;
    await this.storage.writeBinary(to, new Uint8Array(await readFile(source)));
    this.copied.push(to);
  }

  async folder(source: string, to: string): Promise<void> {
    const entries: Dirent[] = await readdir(source, { withFileTypes: true });
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const from = join(source, entry.name);
      const dest = `${to}/${entry.name}`;
      // Symlinks inside a seeded folder are not followed.
      if (entry.isDirectory()) await this.folder(from, dest);
      else if (entry.isFile()) await this.file(from, dest);
    }
  }
}

/**
 * Copies the manifest's seed files into storage unless this version was seeded already. Throws
 * (`INVALID_MANIFEST`) for a missing required source, a source outside the extension folder, a
 * destination outside storage, or a copy over the budgets; the version is then not recorded, so
 * the next enable tries again.
 */
export async function seedStorage(options: SeedOptions): Promise<SeedResult> {
  const seeds = options.manifest.storage_seed_files ?? [];
  const version = options.manifest.version;
  const recorded = await readFile(options.statePath, 'utf8').then(
    (text) => (JSON.parse(text) as { version?: unknown }).version,
    () => undefined,
  );
  if (recorded === version) return { ran: false, copied: [] };
  const copier = new Copier(options.storage);
  for (const seed of seeds) {
    const from = seed.from.trim();
    const to = (seed.to?.trim() || from).replace(/\/+$/, '');
    const source = await confinedSource(options.extensionPath, from);
    if (source === undefined) {
      if (seed.required) {
        throw seedError(`required source "${from}" does not exist in the extension folder`);
      }
      continue;
    }
    try {
      if (!seed.overwrite && (await options.storage.exists(to))) continue;
      const info = await lstat(source);
      if (info.isDirectory()) await copier.folder(source, to);
      else await copier.file(source, to);
    } catch (error) {
      if (error instanceof SpindleError && error.code === 'INVALID_MANIFEST') throw error;
      throw seedError(
        `cannot copy "${from}" to storage "${to}": ${(error as Error).message}`,
        error,
      );
    }
  }
  await mkdir(dirname(options.statePath), { recursive: true });
  const temp = `${options.statePath}.tmp-${process.pid}`;
  await writeFile(temp, JSON.stringify({ version, copied: copier.copied.length }));
  await rename(temp, options.statePath);
  return { ran: true, copied: copier.copied };
}

/** Path of the seed state file of `identifier` under the host's data folder. */
export function seedStatePath(dataDir: string, identifier: string): string {
  return join(dataDir, 'state', identifier, 'seeded.json');
}
