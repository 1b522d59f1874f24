/**
 * Turning untrusted input into a JSON value: raw strings and bytes are measured before they are
 * parsed; already-parsed objects are walked once to prove they are JSON (no cycles, functions,
 * class instances, non-finite numbers) and to measure the size they would have on the wire.
 */
import type { SpindleErrorCode } from '../errors.ts';
import { MAX_JSON_DEPTH } from './limits.ts';
import { cut, thrownMessage } from './result.ts';

/** Codes a reader reports for the three ways raw input can be unusable. */
export interface ReadCodes {
  tooLarge: SpindleErrorCode;
  invalidJson: SpindleErrorCode;
  notJson: SpindleErrorCode;
}

/** A value read from input, or why it could not be. */
export type ReadResult =
  | {
      ok: true;
      value: unknown;
      /**
       * True when the value was parsed here from a text long enough to nest past
       * `MAX_JSON_DEPTH` (and its depth was not checked: `checkDepth` false). A given value is
       * walked, depth included; a shorter text cannot nest that deep (two characters a level).
       */
      deepPossible?: boolean;
    }
  | { ok: false; code: SpindleErrorCode; path: string; message: string };

interface Decoder {
  decode(bytes: Uint8Array): string;
}
type DecoderClass = new (label: string, options: { fatal: boolean }) => Decoder;

let decoder: Decoder | null | undefined;

function utf8Decoder(): Decoder | null {
  if (decoder === undefined) {
    const Ctor = (globalThis as { TextDecoder?: DecoderClass }).TextDecoder;
    decoder = Ctor ? new Ctor('utf-8', { fatal: true }) : null;
  }
  return decoder;
}

/** Bytes view of an `ArrayBuffer` or any `ArrayBufferView` (Buffer included), else `null`. */
function asBytes(input: unknown): Uint8Array | null {
  if (typeof input !== 'object' || input === null) return null;
  if (ArrayBuffer.isView(input)) {
    return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  }
  if (Object.prototype.toString.call(input) === '[object ArrayBuffer]') {
    return new Uint8Array(input as ArrayBuffer);
  }
  return null;
}

/**
 * Reads `input`: a string or bytes is size-checked, parsed and held to `MAX_JSON_DEPTH`
 * (unless `checkDepth` is false: a caller that checks the items of a batch one by one);
 * anything else is walked as an already-parsed value (depth included). `label` names the input
 * in messages ("client frame", "manifest").
 */
export function readJsonInput(
  input: unknown,
  maxBytes: number,
  label: string,
  codes: ReadCodes,
  checkDepth = true,
): ReadResult {
  let text: string;
  if (typeof input === 'string') {
    if (exceedsUtf8(input, maxBytes)) return tooLarge(label, maxBytes, codes);
    text = input;
  } else {
    const bytes = asBytes(input);
    if (bytes === null) return walkJson(input, maxBytes, label, codes);
    if (bytes.byteLength > maxBytes) return tooLarge(label, maxBytes, codes);
    const utf8 = utf8Decoder();
    if (utf8 === null) {
      return fail(codes.invalidJson, '', `${label} arrived as bytes, which cannot be decoded here`);
    }
    try {
      text = utf8.decode(bytes);
    } catch {
      return fail(codes.invalidJson, '', `${label} is not valid UTF-8`);
    }
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return fail(
      codes.invalidJson,
      '',
      `${label} is not valid JSON (${cut(thrownMessage(error), 80)})`,
    );
  }
  const deepPossible = text.length >= SHALLOW_TEXT_CHARS;
  if (checkDepth && deepPossible) {
    const deep = depthPath(value);
    if (deep !== undefined) return tooDeep(label, deep, codes);
    return { ok: true, value };
  }
  return deepPossible ? { ok: true, value, deepPossible } : { ok: true, value };
}

/** Below this many characters a JSON text cannot nest past `MAX_JSON_DEPTH`. */
const SHALLOW_TEXT_CHARS = 2 * (MAX_JSON_DEPTH + 1);

/**
 * The refusal of a value nested deeper than `MAX_JSON_DEPTH`, naming the limit and where the
 * nesting went too deep (the first segments of the path).
 */
export function tooDeep(label: string, path: readonly string[], codes: ReadCodes): ReadResult {
  const shown = path.slice(0, 4).map((key) => cut(key, 32));
  const where =
    path.length === 0 ? label : `${label} field ${shown.join('.')}${path.length > 4 ? '…' : ''}`;
  return fail(
    codes.notJson,
    shown.join('.'),
    `${where} is nested deeper than ${MAX_JSON_DEPTH} levels (MAX_JSON_DEPTH)`,
  );
}

/**
 * Where a parsed JSON value nests arrays and objects deeper than `maxDepth` (the value itself
 * is level 1): the path of keys down to the first container that is too deep, or `undefined`
 * when it is within the limit. Recursion never goes deeper than `maxDepth + 1`, whatever the
 * input, and primitives cost one `typeof`.
 */
export function depthPath(value: unknown, maxDepth = MAX_JSON_DEPTH): string[] | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const path = deeper(value, 1, maxDepth);
  return path === null ? undefined : path.reverse();
}

/**
 * Fields of a protocol frame that hold any JSON (the rest of a frame has a fixed shape that its
 * schema checks, or is stripped as unknown).
 */
const FREE_FIELDS = ['payload', 'metadata'] as const;

/**
 * `depthPath` for a protocol frame (an object at level 1): only its free JSON fields
 * (`payload`, `metadata`) can nest without bound, so only they are walked; cheaper than a walk
 * of the whole frame on every frame of a batch.
 */
export function frameDepthPath(frame: unknown, maxDepth = MAX_JSON_DEPTH): string[] | undefined {
  if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) {
    return depthPath(frame, maxDepth);
  }
  for (const field of FREE_FIELDS) {
    const value = (frame as Record<string, unknown>)[field];
    if (typeof value !== 'object' || value === null) continue;
    const path = deeper(value, 2, maxDepth);
    if (path !== null) {
      path.push(field);
      return path.reverse();
    }
  }
  return undefined;
}

/** The reversed path below `node` (at `depth`) to a container past `max`, or null. */
function deeper(node: object, depth: number, max: number): string[] | null {
  if (depth > max) return [];
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i += 1) {
      const item: unknown = node[i];
      if (typeof item === 'object' && item !== null) {
        const path = deeper(item, depth + 1, max);
        if (path !== null) {
          path.push(String(i));
          return path;
        }
      }
    }
    return null;
  }
  const record = node as Record<string, unknown>;
  for (const key in record) {
    const item = record[key];
    if (typeof item === 'object' && item !== null) {
      const path = deeper(item, depth + 1, max);
      if (path !== null) {
        path.push(key);
        return path;
      }
    }
  }
  return null;
}

function tooLarge(label: string, maxBytes: number, codes: ReadCodes): ReadResult {
  return fail(codes.tooLarge, '', `${label} is larger than the limit of ${maxBytes} bytes`);
}

function fail(code: SpindleErrorCode, path: string, message: string): ReadResult {
  return { ok: false, code, path, message };
}

/** True when `text` is longer than `maxBytes` in UTF-8 (lone surrogates count 3 bytes). */
export function exceedsUtf8(text: string, maxBytes: number): boolean {
  if (text.length > maxBytes) return true; // every UTF-16 unit is at least one byte
  if (text.length * 3 <= maxBytes) return false; // no unit is more than three bytes
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && isLow(text.charCodeAt(i + 1))) {
      bytes += 4;
      i++;
    } else bytes += 3;
    if (bytes > maxBytes) return true;
  }
  return false;
}

function isLow(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

/** Bytes of `JSON.stringify(text)` in UTF-8, quotes and escapes included. */
export function jsonStringBytes(text: string): number {
  let bytes = 2;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20) bytes += c === 8 || c === 9 || c === 10 || c === 12 || c === 13 ? 2 : 6;
    else if (c === 0x22 || c === 0x5c) bytes += 2;
    else if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && isLow(text.charCodeAt(i + 1))) {
      bytes += 4;
      i++;
    } else if (c >= 0xd800 && c <= 0xdfff)
      bytes += 6; // lone surrogate: written as \uXXXX
    else bytes += 3;
  }
  return bytes;
}

class NotJson {
  constructor(
    readonly path: string[],
    readonly what: string,
    readonly tooLarge = false,
  ) {}
}

/**
 * Size in bytes that `JSON.stringify(value)` would have in UTF-8, or a `NotJson` naming the
 * first part that is not JSON. Shared references are counted each time, as JSON repeats them.
 */
function measure(value: unknown, maxBytes: number): number | NotJson {
  const ancestors: object[] = [];
  const path: string[] = [];
  let total = 0;

  const visit = (node: unknown): NotJson | undefined => {
    switch (typeof node) {
      case 'string':
        total += jsonStringBytes(node);
        break;
      case 'number':
        if (!Number.isFinite(node)) return new NotJson([...path], String(node));
        total += String(node).length;
        break;
      case 'boolean':
        total += node ? 4 : 5;
        break;
      case 'object': {
        if (node === null) {
          total += 4;
          break;
        }
        if (ancestors.length >= MAX_JSON_DEPTH) {
          return new NotJson([...path], `nested deeper than ${MAX_JSON_DEPTH} levels`);
        }
        if (ancestors.includes(node)) return new NotJson([...path], 'a circular reference');
        ancestors.push(node);
        const problem = Array.isArray(node) ? visitArray(node) : visitObject(node);
        ancestors.pop();
        if (problem) return problem;
        break;
      }
      default:
        return new NotJson([...path], typeof node);
    }
    return total > maxBytes ? new NotJson([], '', true) : undefined;
  };

  const visitArray = (items: unknown[]): NotJson | undefined => {
    total += 2 + Math.max(0, items.length - 1);
    if (total > maxBytes) return new NotJson([], '', true);
    for (let i = 0; i < items.length; i++) {
      path.push(String(i));
      const item = items[i];
      const problem = item === undefined ? new NotJson([...path], 'undefined') : visit(item);
      path.pop();
      if (problem) return problem;
    }
    return undefined;
  };

  const visitObject = (node: object): NotJson | undefined => {
    const proto = Object.getPrototypeOf(node);
    if (proto !== Object.prototype && proto !== null) {
      const name = (proto as { constructor?: { name?: unknown } }).constructor?.name;
      const what =
        typeof name === 'string' ? `an instance of ${cut(name, 40)}` : 'an exotic object';
      return new NotJson([...path], what);
    }
    total += 2;
    let first = true;
    const record = node as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const item = record[key];
      if (item === undefined) continue; // JSON omits it, as it omits an absent key
      total += jsonStringBytes(key) + 1 + (first ? 0 : 1);
      first = false;
      path.push(key);
      const problem = visit(item);
      path.pop();
      if (problem) return problem;
    }
    return undefined;
  };

  const problem = visit(value);
  return problem ?? total;
}

/** Walks an already-parsed value; see `measure`. */
function walkJson(value: unknown, maxBytes: number, label: string, codes: ReadCodes): ReadResult {
  const result = measure(value, maxBytes);
  if (typeof result === 'number') return { ok: true, value };
  if (result.tooLarge) return tooLarge(label, maxBytes, codes);
  const path = result.path.map((key) => cut(key, 64)).join('.');
  const where = path === '' ? label : `${label} field ${path}`;
  return fail(codes.notJson, path, `${where} is ${result.what}, which is not a JSON value`);
}

/** Size `JSON.stringify(value)` would have in UTF-8 bytes, or `undefined` when it is not JSON. */
export function jsonByteSize(
  value: unknown,
  maxBytes = Number.POSITIVE_INFINITY,
): number | undefined {
  try {
    const result = measure(value, maxBytes);
    return typeof result === 'number' ? result : undefined;
  } catch {
    return undefined;
  }
}
