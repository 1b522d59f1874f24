/**
 * Field schemas shared by every protocol: bounded ids and names, counters, JSON payloads.
 * Messages of the actions are completed by the path in `issueMessage` ("kind must not be blank").
 */
import * as v from 'valibot';
import { MAX_ID_LENGTH, MAX_KEY_LENGTH, MAX_KIND_LENGTH } from './limits.ts';

/** A non-empty string of at most `max` characters. */
export function boundedId(max = MAX_ID_LENGTH) {
  return v.pipe(
    v.string(),
    v.minLength(1, 'must not be empty'),
    v.maxLength(max, `must be at most ${max} characters`),
  );
}

/** `processId`, `extensionId`, `requestId`, `userId`, `frontendSessionId`. */
export const id = boundedId();

/** A process `kind`: non-empty after trimming, bounded. */
export const kind = v.pipe(
  v.string(),
  v.maxLength(MAX_KIND_LENGTH, `must be at most ${MAX_KIND_LENGTH} characters`),
  v.check((value: string) => value.trim() !== '', 'must not be empty or blank'),
);

/** A dedupe `key` (may be empty). */
export const key = v.pipe(
  v.string(),
  v.maxLength(MAX_KEY_LENGTH, `must be at most ${MAX_KEY_LENGTH} characters`),
);

/** `seq` of a sequenced frame: a positive safe integer. */
export const seq = v.pipe(
  v.number(),
  v.safeInteger('must be a safe integer'),
  v.minValue(1, 'must be at least 1'),
);

/** A counter that may be zero (`ack.seq`, `lastServerSeq`, `lastClientSeq`). */
export const counter = v.pipe(
  v.number(),
  v.safeInteger('must be a safe integer'),
  v.minValue(0, 'must not be negative'),
);

/** A finite number. */
export const finite = v.pipe(v.number(), v.finite('must be a finite number'));

/** A finite number ≥ 0. */
export const nonNegative = v.pipe(
  v.number(),
  v.finite('must be a finite number'),
  v.minValue(0, 'must not be negative'),
);

/** A finite number in `[min, max]`. */
export function between(min: number, max: number) {
  return v.pipe(
    v.number(),
    v.finite('must be a finite number'),
    v.minValue(min, `must be at least ${min}`),
    v.maxValue(max, `must be at most ${max}`),
  );
}

/** True for `{}`-like objects: not null, not an array, prototype `Object.prototype` or null. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * `metadata` and `details`: a plain object of JSON values, kept by reference (its JSON-ness is
 * proved by the input walk or by `JSON.parse`).
 */
export const plainRecord = v.custom<Record<string, unknown>>(
  isPlainObject,
  'must be a plain object',
);

/**
 * A payload: any JSON value, and possibly absent. The protocol types say `payload: unknown`
 * (required) while `send(undefined)` loses the key on the wire, so the schema accepts a missing
 * key but is typed like the protocol field; for `unknown` the two read the same.
 */
export const payload = v.optional(v.unknown()) as unknown as v.UnknownSchema;

const notArray = v.check(
  (value: unknown) => !Array.isArray(value),
  'must be an object, not an array',
);

/**
 * An object schema for a nested field. valibot's `object` takes an array for an object (and
 * finds its optional keys absent); nested DTOs must be objects. Frame schemas stay plain
 * `v.object`s: their entries index the dispatch, and the dispatcher refuses arrays itself.
 */
export function obj<const TEntries extends v.ObjectEntries>(entries: TEntries) {
  return v.pipe(v.unknown(), notArray, v.object(entries));
}

/** `obj` for a schema that is already built (a variant). */
export function notArrayOf<const TSchema extends v.GenericSchema>(schema: TSchema) {
  return v.pipe(v.unknown(), notArray, schema);
}
