/** `getJson` / `setJson` on top of `read` / `write`. */
import {
  SpindleError,
  type StorageGetJsonOptions,
  type StorageSetJsonOptions,
} from '@spindle/types';
import { isNotFound } from './errors.ts';

/** Largest accepted `setJson` indent. */
export const MAX_JSON_INDENT = 10;

/**
 * Parses a stored JSON file. Missing file → `options.fallback` when the option is present (even
 * `undefined`), else the `STORAGE_IO` not-found error; invalid JSON → `INVALID_JSON`, fallback
 * or not, so a corrupt file is never silently replaced by a default.
 */
export async function getJson<T>(
  read: (path: string) => Promise<string>,
  path: string,
  options?: StorageGetJsonOptions<T>,
): Promise<T> {
  let text: string;
  try {
    text = await read(path);
  } catch (error) {
    if (options && 'fallback' in options && isNotFound(error)) return options.fallback as T;
    throw error;
  }
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new SpindleError(
      'INVALID_JSON',
      `storage file ${JSON.stringify(path)} is not valid JSON: ${(error as Error).message}`,
      { cause: error, details: { path } },
    );
  }
}

/**
 * Serialises `value` (compact, or with `indent` 0–10 spaces) and writes it. A value without a
 * JSON form (a cycle, `undefined`, a function, a BigInt) or a bad indent → `INVALID_OPTIONS`,
 * and nothing is written.
 */
export async function setJson(
  write: (path: string, data: string) => Promise<void>,
  path: string,
  value: unknown,
  options?: StorageSetJsonOptions,
): Promise<void> {
  const indent = options?.indent;
  if (
    indent !== undefined &&
    !(Number.isInteger(indent) && indent >= 0 && indent <= MAX_JSON_INDENT)
  ) {
    throw new SpindleError(
      'INVALID_OPTIONS',
      `setJson indent must be an integer from 0 to ${MAX_JSON_INDENT}, got ${indent}`,
      { details: { path, indent } },
    );
  }
  let text: string | undefined;
  try {
    text = JSON.stringify(value, null, indent);
  } catch (error) {
    throw new SpindleError(
      'INVALID_OPTIONS',
      `setJson ${JSON.stringify(path)}: the value cannot be written as JSON: ${(error as Error).message}`,
      { cause: error, details: { path } },
    );
  }
  if (text === undefined) {
    throw new SpindleError(
      'INVALID_OPTIONS',
      `setJson ${JSON.stringify(path)}: ${typeof value} has no JSON form`,
      { details: { path } },
    );
  }
  await write(path, text);
}
