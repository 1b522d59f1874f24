/**
 * `spindle.json` at the root of an extension, as in the upstream ecosystem
 * (`lumiverse-spindle-types` 0.6.20). Fields this release does not use are kept, not stripped:
 * the `manifest` an extension sees holds everything its `spindle.json` says.
 */
import type { SpindleCapability, SpindlePermission } from './permissions.ts';

/** A file or folder copied into the extension's storage on first enable and on version change. */
export interface SpindleStorageSeedFile {
  /** Source path relative to the extension folder. */
  from: string;
  /** Destination relative to the extension's storage root. @default from */
  to?: string;
  /** Replace what the destination already holds. @default false */
  overwrite?: boolean;
  /** A missing source fails the enable with a clear error. @default false */
  required?: boolean;
}

/**
 * When a backend runtime starts (docs/operations.md, "Activation"): `eager` at enable (upstream's
 * behaviour), `lazy` on its first need (a session mounting it, a message, a process spawn, an
 * app event it lists in `activationEvents`).
 */
export type ActivationPolicy = 'eager' | 'lazy';

/** `spindle.json`. */
export interface SpindleManifest {
  /** Semver version of the extension. */
  version: string;
  /** Display name. */
  name: string;
  /** Unique id; matches `/^[a-z][a-z0-9_]*$/`. */
  identifier: string;
  author: string;
  github: string;
  homepage: string;
  /**
   * Permissions the extension asks for (may be empty). Names this release does not know are kept
   * and reported (`unknownPermissions`), never fatal.
   */
  permissions: SpindlePermission[];
  description?: string;
  /** Install-time capability declarations (kept; not used by the runtime). */
  requested_capabilities?: SpindleCapability[];
  /** @default "dist/backend.js" */
  entry_backend?: string;
  /** @default "dist/frontend.js" */
  entry_frontend?: string;
  /** Entry of a sandboxed frontend widget (kept; the embedding app decides what to do with it). */
  entry_frontend_widget?: string;
  minimum_lumiverse_version?: string;
  /** Files copied into the extension's storage on first enable and on version change. */
  storage_seed_files?: SpindleStorageSeedFile[];
  /** Interceptor deadline in ms asked for by the extension (kept for the embedding app). */
  interceptorTimeoutMs?: number;
  /**
   * Start the backend runtime on first need instead of at enable (this runtime's extension; the
   * operator's configuration has the last word). @default "eager"
   */
  activation?: ActivationPolicy;
  /**
   * App events (`host.services.emit` names) that start a lazy or hibernated runtime; the event is
   * delivered once it runs. A subscription to one of them does not keep the runtime awake.
   * @default []
   */
  activationEvents?: string[];
  /** Never hibernate this runtime when idle (the operator may still stop it). @default false */
  keepAlive?: boolean;
}

/** Pattern every `identifier` matches. */
export const EXTENSION_IDENTIFIER_PATTERN = /^[a-z][a-z0-9_]*$/;
/** Default backend entry. */
export const DEFAULT_ENTRY_BACKEND = 'dist/backend.js';
/** Default frontend entry. */
export const DEFAULT_ENTRY_FRONTEND = 'dist/frontend.js';
