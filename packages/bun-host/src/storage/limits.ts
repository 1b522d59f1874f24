/**
 * The bounds of extension storage (docs/limits.md, "Storage"): the largest file one call may
 * read or write, the bytes each storage folder may hold, and how many operations one extension
 * may run at once. One extension can neither fill the disk nor take every descriptor of the host.
 */

/** Storage limits; every field has a default. */
export interface StorageLimits {
  /**
   * Largest file one `read` / `readBinary` returns and one `write` / `writeBinary` stores, in
   * bytes. A file on disk above it is refused (`STORAGE_IO`, reason `too_large`) without being
   * read; data above it is refused (`INVALID_OPTIONS`). Sized so the answer of a read fits one
   * runtime message (16 MiB) even as base64 or as text full of escapes.
   * @default 8388608 (8 MiB)
   */
  maxFileBytes?: number;
  /**
   * Bytes one extension's own storage folder may hold. A write or move that would go past it is
   * refused with `STORAGE_QUOTA` and changes nothing.
   * @default 268435456 (256 MiB)
   */
  quotaBytes?: number;
  /**
   * Bytes each user's storage of one extension (`userStorage`) may hold.
   * @default 67108864 (64 MiB)
   */
  userQuotaBytes?: number;
  /**
   * Storage operations of one extension running at once; the rest wait in order.
   * @default 16
   */
  concurrency?: number;
  /**
   * Operations of one extension waiting for their turn; past it a call is refused with
   * `QUEUE_FULL` at once.
   * @default 10000
   */
  maxQueued?: number;
}

/** `StorageLimits` with every default filled in. */
export type ResolvedStorageLimits = Required<StorageLimits>;

/** The defaults of `StorageLimits`. */
export const STORAGE_LIMIT_DEFAULTS: ResolvedStorageLimits = Object.freeze({
  maxFileBytes: 8 * 1024 * 1024,
  quotaBytes: 256 * 1024 * 1024,
  userQuotaBytes: 64 * 1024 * 1024,
  concurrency: 16,
  maxQueued: 10_000,
});

/** Fills in the defaults; a value that is not a positive integer is a mistake of the caller. */
export function resolveStorageLimits(limits: StorageLimits = {}): ResolvedStorageLimits {
  const out = { ...STORAGE_LIMIT_DEFAULTS };
  for (const key of Object.keys(STORAGE_LIMIT_DEFAULTS) as (keyof StorageLimits)[]) {
    const value = limits[key];
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new TypeError(
        `[spindle] storage limit ${key} must be a positive integer, got ${value}`,
      );
    }
    out[key] = value;
  }
  return out;
}
