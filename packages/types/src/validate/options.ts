/**
 * Spawn options of both process kinds, the backend entry rules (`spawn-checks.ts`), and the
 * deadline clamps of docs/architecture.md ("Deadlines and defaults"). Every refusal carries the code `INVALID_OPTIONS`. Unknown keys
 * are stripped (upstream callers may pass fields this runtime does not know), as in every
 * validator of this package.
 */
import * as v from 'valibot';
import {
  type BackendProcessSpawnOptionsDTO,
  type FrontendProcessSpawnOptionsDTO,
  PROCESS_DEFAULTS,
} from '../dto.ts';
import { backendEntryProblem } from '../spawn-checks.ts';
import { finite, id, isPlainObject, key, kind, obj, plainRecord } from './fields.ts';
import { readJsonInput } from './json.ts';
import { MAX_IPC_MESSAGE_BYTES } from './limits.ts';
import { invalid, thrownMessage, type ValidationResult, valid } from './result.ts';
import { runSchema } from './run.ts';
import type { Expect, InSync } from './sync.ts';

/**
 * Checks the string rules of a backend subprocess entry: relative, under `dist/`, no `..`
 * segment, no backslash, drive or NUL, ending in `.js`, `.mjs` or `.cjs`. Whether the file
 * exists is for the host to check. Never throws, whatever it is given.
 */
export function checkBackendProcessEntry(entry: string): ValidationResult<string> {
  if (typeof entry !== 'string') {
    return invalid('INVALID_OPTIONS', 'entry', 'backend process entry must be a string');
  }
  const problem = backendEntryProblem(entry);
  if (problem === undefined) return valid(entry);
  return invalid(
    'INVALID_OPTIONS',
    'entry',
    `backend process entry "${entry.slice(0, 80)}" ${problem}`,
  );
}

const deadlines = {
  startupTimeoutMs: v.optional(finite),
  heartbeatTimeoutMs: v.optional(finite),
};

/** Schema of `FrontendProcessSpawnOptionsDTO`. */
export const frontendSpawnOptionsSchema = obj({
  kind,
  key: v.optional(key),
  payload: v.optional(v.unknown()),
  metadata: v.optional(plainRecord),
  userId: v.optional(id),
  ...deadlines,
  replaceExisting: v.optional(v.boolean()),
  frontendSessionId: v.optional(id),
});

/** Schema of `BackendProcessSpawnOptionsDTO`. */
export const backendSpawnOptionsSchema = obj({
  entry: v.pipe(
    v.string(),
    v.check((entry: string) => backendEntryProblem(entry) === undefined, 'breaks the entry rules'),
  ),
  kind: v.optional(kind),
  key: v.optional(key),
  payload: v.optional(v.unknown()),
  metadata: v.optional(plainRecord),
  userId: v.optional(id),
  ...deadlines,
  replaceExisting: v.optional(v.boolean()),
});

type _Options = [
  Expect<InSync<v.InferOutput<typeof frontendSpawnOptionsSchema>, FrontendProcessSpawnOptionsDTO>>,
  Expect<InSync<v.InferOutput<typeof backendSpawnOptionsSchema>, BackendProcessSpawnOptionsDTO>>,
];

const READ_CODES = {
  tooLarge: 'INVALID_OPTIONS',
  invalidJson: 'INVALID_OPTIONS',
  notJson: 'INVALID_OPTIONS',
} as const;

function validateOptions<T>(schema: v.GenericSchema, input: unknown, label: string) {
  try {
    if (!isPlainObject(input)) {
      return invalid<T>('INVALID_OPTIONS', '', `${label} must be a plain object`);
    }
    const read = readJsonInput(input, MAX_IPC_MESSAGE_BYTES, label, READ_CODES);
    if (!read.ok) return invalid<T>(read.code, read.path, read.message);
    return runSchema<T>(schema, read.value, 'INVALID_OPTIONS', label);
  } catch (error) {
    return invalid<T>('INVALID_OPTIONS', '', `${label} could not be read: ${thrownMessage(error)}`);
  }
}

/**
 * Validates the options of `spindle.frontendProcesses.spawn()`: `kind` required (non-empty after
 * trimming), numbers finite, `metadata` a plain object, `payload` JSON. Never throws.
 */
export function validateFrontendProcessSpawnOptions(
  input: unknown,
): ValidationResult<FrontendProcessSpawnOptionsDTO> {
  return validateOptions(frontendSpawnOptionsSchema, input, 'frontend process spawn options');
}

/**
 * Validates the options of `spindle.backendProcesses.spawn()`: `entry` required and held to
 * `checkBackendProcessEntry`, the rest as for frontend options. Never throws.
 */
export function validateBackendProcessSpawnOptions(
  input: unknown,
): ValidationResult<BackendProcessSpawnOptionsDTO> {
  const result = validateOptions<BackendProcessSpawnOptionsDTO>(
    backendSpawnOptionsSchema,
    input,
    'backend process spawn options',
  );
  // The schema only knows that the entry is wrong; the entry check says why.
  if (!result.ok && result.error.path === 'entry') {
    try {
      const entry = (input as { entry?: unknown }).entry;
      if (typeof entry === 'string') {
        const checked = checkBackendProcessEntry(entry);
        if (!checked.ok) return { ok: false, error: checked.error };
      }
    } catch {
      // The first result already says the options could not be read.
    }
  }
  return result;
}

function clamp(ms: number | undefined, fallback: number, min: number, max: number): number {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return fallback;
  return Math.min(max, Math.max(min, ms));
}

/**
 * Effective startup deadline: `undefined` or non-finite → 15000, else clamped to [1000, 120000].
 * @default 15000
 */
export function clampStartupTimeout(ms?: number): number {
  return clamp(
    ms,
    PROCESS_DEFAULTS.startupTimeoutMs,
    PROCESS_DEFAULTS.minStartupTimeoutMs,
    PROCESS_DEFAULTS.maxStartupTimeoutMs,
  );
}

/**
 * Effective heartbeat deadline: `undefined` or non-finite → 15000, else clamped to [0, 120000];
 * 0 disables the watchdog.
 * @default 15000
 */
export function clampHeartbeatTimeout(ms?: number): number {
  return clamp(ms, PROCESS_DEFAULTS.heartbeatTimeoutMs, 0, PROCESS_DEFAULTS.maxHeartbeatTimeoutMs);
}
