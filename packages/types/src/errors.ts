/**
 * One error shape for every boundary. Each package throws `SpindleError` with a stable `code`;
 * `serializeError` / `deserializeError` carry `name`, `message`, `code`, `cause` and the extra
 * fields across JSON (IPC, postMessage, WebSocket) without losing them.
 */

/** Every stable error code of the project. */
export type SpindleErrorCode =
  // protocol and validation
  | 'INVALID_JSON'
  | 'INVALID_FRAME'
  | 'UNKNOWN_TYPE'
  | 'FRAME_TOO_LARGE'
  | 'PROTOCOL_VERSION_MISMATCH'
  | 'HANDSHAKE_REQUIRED'
  | 'RATE_LIMITED'
  | 'SESSION_LIMIT'
  | 'INVALID_OPTIONS'
  | 'INVALID_MANIFEST'
  // auth and authority
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  // processes
  | 'SPAWN_TIMEOUT'
  | 'EXITED_BEFORE_READY'
  | 'FAILED_BEFORE_READY'
  | 'STOPPED_BEFORE_READY'
  | 'REPLACED'
  | 'DUPLICATE_PROCESS'
  | 'PROCESS_LIMIT'
  | 'PROCESS_NOT_FOUND'
  | 'PROCESS_ENDED'
  | 'NO_FRONTEND_SESSION'
  | 'UNKNOWN_KIND'
  // extensions and runtimes
  | 'EXTENSION_NOT_FOUND'
  | 'EXTENSION_INACTIVE'
  | 'EXTENSION_UNLOADED'
  | 'IMPORT_FAILED'
  | 'SETUP_FAILED'
  | 'IMPORT_TIMEOUT'
  | 'READY_TIMEOUT'
  | 'RUNTIME_GONE'
  | 'RUNTIME_BUSY'
  | 'HOST_CLOSING'
  | 'DRAINING'
  | 'CAPACITY_EXCEEDED'
  // app services and permissions
  | 'PERMISSION_DENIED'
  | 'SERVICE_ERROR'
  | 'SERVICE_TIMEOUT'
  | 'SERVICE_UNAVAILABLE'
  // messaging and storage
  | 'QUEUE_FULL'
  | 'NOT_CONNECTED'
  | 'STORAGE_PATH'
  | 'STORAGE_IO'
  | 'STORAGE_QUOTA'
  | 'TIMEOUT'
  // launching children: a required protection is missing (a sandbox layer, a non-root user)
  | 'LAUNCH_REFUSED'
  | 'INTERNAL';

/** Structured, JSON-safe form of an error. */
export interface SerializedError {
  name: string;
  message: string;
  code?: SpindleErrorCode;
  /** Extra structured facts: process state, exit code, stderr tail, path, … */
  details?: Record<string, unknown>;
  cause?: SerializedError;
  stack?: string;
}

const PREFIX = '[spindle] ';

/**
 * Prefix of the message of a `PERMISSION_DENIED` error, as upstream: extensions test
 * `error.message.startsWith('PERMISSION_DENIED:')`, so such a message is not `[spindle]`-prefixed.
 */
export const PERMISSION_DENIED_PREFIX = 'PERMISSION_DENIED:';

/** The error class of the project: a stable `code`, a `[spindle]`-prefixed message, `details`. */
export class SpindleError extends Error {
  override name = 'SpindleError';
  readonly code: SpindleErrorCode;
  readonly details: Record<string, unknown>;

  constructor(
    code: SpindleErrorCode,
    message: string,
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    const bare = message.startsWith(PREFIX) || message.startsWith(PERMISSION_DENIED_PREFIX);
    super(bare ? message : PREFIX + message, { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
  }
}

/** True for a `SpindleError`, also one rebuilt by `deserializeError`. */
export function isSpindleError(value: unknown, code?: SpindleErrorCode): value is SpindleError {
  return value instanceof SpindleError && (code === undefined || value.code === code);
}

/** Turns anything thrown into a `SerializedError`; cycles in `cause` are cut after 5 levels. */
export function serializeError(error: unknown, depth = 0): SerializedError {
  if (error instanceof Error) {
    const out: SerializedError = { name: error.name, message: error.message };
    if (error instanceof SpindleError) {
      out.code = error.code;
      if (Object.keys(error.details).length > 0) out.details = jsonSafe(error.details);
    }
    if (error.stack) out.stack = error.stack;
    if (error.cause !== undefined && depth < 5) out.cause = serializeError(error.cause, depth + 1);
    return out;
  }
  if (typeof error === 'string') return { name: 'Error', message: error };
  return { name: 'Error', message: safeString(error) };
}

/** Rebuilds a `SpindleError` (when a code is present) or a plain `Error`. */
export function deserializeError(data: SerializedError): Error {
  const cause = data.cause ? deserializeError(data.cause) : undefined;
  const error = data.code
    ? new SpindleError(data.code, data.message, { cause, details: data.details ?? {} })
    : new Error(data.message, cause === undefined ? undefined : { cause });
  if (!data.code) error.name = data.name;
  if (data.stack) error.stack = data.stack;
  return error;
}

/** Message of anything thrown, for places that only keep a string (DTO `error` fields). */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'string') return error;
  return safeString(error);
}

function safeString(value: unknown): string {
  try {
    return typeof value === 'object' ? JSON.stringify(value) : String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

function jsonSafe(value: Record<string, unknown>): Record<string, unknown> {
  try {
    return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
  } catch {
    return { unserializable: true };
  }
}
