/**
 * Validation of what process supervision receives from untrusted parties: spawn options from an
 * extension and messages from a subprocess.
 *
 * `@spindle/types` is getting `validateBackendProcessSpawnOptions`, `checkBackendProcessEntry`
 * and `validateBackendProcessToHost` with the same API; until they land these local versions
 * apply the same rules (DESIGN.md section 3), and this file is the one place to switch.
 */
import type {
  BackendProcessSpawnOptionsDTO,
  BackendProcessToHost,
  SpindleErrorCode,
} from '@spindle/types';

/** Why an input was refused. */
export interface ValidationIssue {
  code: SpindleErrorCode;
  /** Dotted path of the offending field (`''` for the whole input). */
  path: string;
  message: string;
}

/** Result of a validator. */
export type ValidationResult<T> = { ok: true; value: T } | { ok: false; error: ValidationIssue };

const MAX_KIND = 256;
const MAX_KEY = 1024;
const MAX_ENTRY = 1024;
const MAX_USER_ID = 256;

function issue<T>(path: string, message: string, code: SpindleErrorCode = 'INVALID_OPTIONS') {
  return { ok: false, error: { code, path, message } } as ValidationResult<T>;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * The string rules of a backend process entry: relative, under `dist/`, no `..`, no backslash,
 * ending in `.js`, `.mjs` or `.cjs`. Returns the entry normalised (`./` prefixes removed).
 * Existence and containment after symlinks are checked by the host.
 */
export function checkBackendProcessEntry(entry: string): ValidationResult<string> {
  if (entry.length === 0 || entry.length > MAX_ENTRY) {
    return issue('entry', `entry must be 1..${MAX_ENTRY} characters`);
  }
  if (entry.includes('\0') || entry.includes('\\')) {
    return issue('entry', 'entry must not contain NUL or backslashes');
  }
  if (entry.startsWith('/') || /^[a-zA-Z]:/.test(entry)) {
    return issue('entry', `entry must be relative to the extension root, got ${entry}`);
  }
  const segments = entry.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) return issue('entry', `entry must not contain "..", got ${entry}`);
  if (segments[0] !== 'dist' || segments.length < 2) {
    return issue('entry', `entry must live under dist/, got ${entry}`);
  }
  if (!/\.(?:js|mjs|cjs)$/.test(entry)) {
    return issue('entry', `entry must end in .js, .mjs or .cjs, got ${entry}`);
  }
  return { ok: true, value: segments.join('/') };
}

function optionalString(
  input: Record<string, unknown>,
  name: string,
  max: number,
): ValidationIssue | undefined {
  const value = input[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim().length === 0 || value.length > max) {
    return {
      code: 'INVALID_OPTIONS',
      path: name,
      message: `${name} must be a non-empty string of at most ${max} characters`,
    };
  }
  return undefined;
}

/** Shape of `spindle.backendProcesses.spawn()` options; the entry passes `checkBackendProcessEntry`. */
export function validateBackendProcessSpawnOptions(
  input: unknown,
): ValidationResult<BackendProcessSpawnOptionsDTO> {
  if (!isPlainObject(input)) return issue('', 'spawn options must be an object');
  if (typeof input.entry !== 'string') return issue('entry', 'entry must be a string');
  const entry = checkBackendProcessEntry(input.entry);
  if (!entry.ok) return entry;
  for (const [name, max] of [
    ['kind', MAX_KIND],
    ['key', MAX_KEY],
    ['userId', MAX_USER_ID],
  ] as const) {
    const problem = optionalString(input, name, max);
    if (problem) return { ok: false, error: problem };
  }
  if (input.metadata !== undefined && !isPlainObject(input.metadata)) {
    return issue('metadata', 'metadata must be a plain object');
  }
  for (const name of ['startupTimeoutMs', 'heartbeatTimeoutMs'] as const) {
    const value = input[name];
    if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value))) {
      return issue(name, `${name} must be a finite number`);
    }
  }
  if (input.replaceExisting !== undefined && typeof input.replaceExisting !== 'boolean') {
    return issue('replaceExisting', 'replaceExisting must be a boolean');
  }
  return {
    ok: true,
    value: { ...(input as unknown as BackendProcessSpawnOptionsDTO), entry: entry.value },
  };
}

const CHILD_TYPES = new Set(['ready', 'heartbeat', 'message', 'complete', 'fail', 'stopped']);

/** A message from a backend subprocess (brand already stripped). */
export function validateBackendProcessToHost(
  input: unknown,
): ValidationResult<BackendProcessToHost> {
  if (!isPlainObject(input)) return issue('', 'message must be an object', 'INVALID_FRAME');
  const type = input.type;
  if (typeof type !== 'string')
    return issue('type', 'message type must be a string', 'INVALID_FRAME');
  if (!CHILD_TYPES.has(type)) return issue('type', `unknown message type ${type}`, 'UNKNOWN_TYPE');
  if (type === 'message' && !('payload' in input)) {
    return issue('payload', 'message needs a payload', 'INVALID_FRAME');
  }
  if (type === 'fail' && typeof input.error !== 'string') {
    return issue('error', 'fail needs an error string', 'INVALID_FRAME');
  }
  return { ok: true, value: input as unknown as BackendProcessToHost };
}
