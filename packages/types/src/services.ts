/**
 * App services and permissions: what the embedding app registers on the host (a namespace of
 * methods, e.g. `chat.getMessages`) appears in every runtime as `spindle.<namespace>.<method>`,
 * gated by a permission the operator grants. See docs/embedding.md.
 */

/** How a registered namespace is described to runtimes (in `init` and `services` updates). */
export interface ServiceDescriptor {
  /** `spindle.<namespace>` in the runtime. */
  namespace: string;
  /** Version of the namespace's contract; listed as capability `services.<namespace>`. */
  version: number;
  /** Method names, sorted. */
  methods: string[];
  /** Permission a caller must have been granted; absent = free. */
  permission?: string;
}

/** Pattern of namespace and method names (`chat`, `getMessages`, `rpcPool`). */
export const SERVICE_NAME_PATTERN = /^[a-zA-Z][a-zA-Z0-9_]{0,63}$/;

/**
 * Members of `spindle` the runtime owns; a service cannot take these names. (`permissions` is the
 * runtime's own too: `has`, `getGranted`, `onChanged`, `onDenied`.)
 */
export const RESERVED_NAMESPACES: readonly string[] = [
  'manifest',
  'host',
  'on',
  'onFrontendMessage',
  'sendToFrontend',
  'frontendProcesses',
  'backendProcesses',
  'log',
  'storage',
  'userStorage',
  'permissions',
  'constructor',
  'prototype',
  '__proto__',
];

/** Defaults of service calls. */
export const SERVICE_CALL_DEFAULTS = {
  /** A call that has not settled after this long rejects with `SERVICE_TIMEOUT`. */
  timeoutMs: 30_000,
  /** Largest argument list, in bytes of JSON. */
  maxArgsBytes: 1024 * 1024,
  /** Largest result, in bytes of JSON. */
  maxResultBytes: 4 * 1024 * 1024,
} as const;

/** What `permissions.onChanged` handlers (and `spindle.on('PERMISSION_CHANGED')`) receive. */
export interface PermissionChangedDetail {
  /** The extension whose grants changed. */
  extensionId: string;
  /** The permission that changed. */
  permission: string;
  /** Whether it is granted now. */
  granted: boolean;
  /** Every permission granted after the change. */
  allGranted: string[];
}

/** What `permissions.onDenied` handlers receive when a call was refused for a missing grant. */
export interface PermissionDeniedDetail {
  permission: string;
  /** The operation refused, e.g. `chat.getMessages`. */
  operation: string;
}

/** `spindle.permissions`, as upstream. */
export interface SpindlePermissionsAPI {
  /** The permissions granted now (from the host). */
  getGranted(): Promise<string[]>;
  /** Whether `permission` is granted now (local copy, kept in sync by the host; no round trip). */
  has(permission: string): boolean;
  /** Called when a call is refused for a missing permission. */
  onDenied(handler: (detail: PermissionDeniedDetail) => void): () => void;
  /** Called when a permission is granted or revoked while the extension runs. */
  onChanged(handler: (detail: PermissionChangedDetail) => void): () => void;
}
