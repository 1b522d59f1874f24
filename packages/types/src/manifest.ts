/** `spindle.json` at the root of an extension, as in the upstream ecosystem. */
export interface SpindleManifest {
  version: string;
  name: string;
  /** Unique id; matches `/^[a-z][a-z0-9_]*$/`. */
  identifier: string;
  author: string;
  github: string;
  homepage: string;
  /** Permission names the extension asks for (may be empty). */
  permissions: string[];
  description?: string;
  /** @default "dist/backend.js" */
  entry_backend?: string;
  /** @default "dist/frontend.js" */
  entry_frontend?: string;
  minimum_lumiverse_version?: string;
}

/** Pattern every `identifier` matches. */
export const EXTENSION_IDENTIFIER_PATTERN = /^[a-z][a-z0-9_]*$/;
/** Default backend entry. */
export const DEFAULT_ENTRY_BACKEND = 'dist/backend.js';
/** Default frontend entry. */
export const DEFAULT_ENTRY_FRONTEND = 'dist/frontend.js';
