/**
 * Frontend bundle URLs and cache validators. The version in `?v=` and the ETag both come from
 * the file's size and mtime, so a rebuilt bundle gets a new URL and the old one may be cached
 * forever.
 */
import { createHash } from 'node:crypto';

/** A frontend bundle on disk, as the host resolves it. */
export interface BundleFile {
  /** Absolute path of the built file. */
  path: string;
  size: number;
  mtimeMs: number;
}

/** Short version hash of a bundle (the `v` query parameter). */
export function bundleVersion(file: Pick<BundleFile, 'size' | 'mtimeMs'>): string {
  return createHash('sha256').update(`${file.size}:${file.mtimeMs}`).digest('hex').slice(0, 16);
}

/** Strong ETag of a bundle. */
export function bundleEtag(file: Pick<BundleFile, 'size' | 'mtimeMs'>): string {
  return `"${file.size.toString(16)}-${Math.round(file.mtimeMs * 1000).toString(16)}"`;
}

/** Versioned URL path of an extension's bundle, as listed in `ExtensionInfoDTO.frontendUrl`. */
export function frontendBundleUrl(
  extensionId: string,
  file: Pick<BundleFile, 'size' | 'mtimeMs'>,
  basePath = '',
): string {
  return `${basePath}/extensions/${extensionId}/frontend.js?v=${bundleVersion(file)}`;
}

/** True when an `If-None-Match` header matches `etag` (weak comparison, as RFC 9110 asks). */
export function etagMatches(ifNoneMatch: string | null, etag: string): boolean {
  if (ifNoneMatch === null) return false;
  const bare = etag.replace(/^W\//, '');
  return ifNoneMatch
    .split(',')
    .map((part) => part.trim())
    .some((candidate) => candidate === '*' || candidate.replace(/^W\//, '') === bare);
}
