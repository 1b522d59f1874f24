/**
 * The size a message will have as JSON, and whether JSON can write it, without writing it: for
 * a medium that serializes messages itself (Bun IPC), where a `JSON.stringify` of each message
 * on top of the medium's own would double the cost of every message. One walk, in a JavaScript
 * engine's terms about half of `JSON.stringify`; the size counts UTF-16 code units of strings
 * and punctuation, near enough to the bytes for batching and byte caps. Imports nothing: the
 * runtime bootstrap loads it.
 */

/** Nesting past this is a cycle or a message no protocol accepts (they stop at 256). */
export const MAX_MEASURED_DEPTH = 1000;

/** Why a message cannot be sent as JSON. */
export interface Unwritable {
  reason: string;
}

const CYCLE_OR_DEEP: Unwritable = {
  reason: `it refers to itself or nests deeper than ${MAX_MEASURED_DEPTH} levels`,
};
const BIGINT: Unwritable = { reason: 'it holds a BigInt, which JSON cannot write' };

/**
 * The JSON size of `value` (at least `limit` once it passes `limit`: the walk stops there), or
 * why JSON cannot write it. Never throws: a getter that throws makes the value unwritable.
 */
export function measureJson(value: unknown, limit: number): number | Unwritable {
  try {
    return walk(value, 0, limit, 0);
  } catch (error) {
    if (error === CYCLE_OR_DEEP || error === BIGINT) return error as Unwritable;
    return { reason: `reading it threw (${describe(error)})` };
  }
}

function walk(item: unknown, total: number, limit: number, depth: number): number {
  switch (typeof item) {
    case 'string':
      return total + item.length + 2;
    case 'number':
      return total + 8;
    case 'boolean':
      return total + 5;
    case 'bigint':
      throw BIGINT;
    case 'object': {
      if (item === null) return total + 4;
      if (depth >= MAX_MEASURED_DEPTH) throw CYCLE_OR_DEEP;
      let sum = total + 2;
      if (Array.isArray(item)) {
        for (let i = 0; i < item.length && sum < limit; i += 1) {
          sum = walk(item[i], sum + 1, limit, depth + 1);
        }
        return sum;
      }
      for (const key in item) {
        if (sum >= limit) break;
        sum = walk((item as Record<string, unknown>)[key], sum + key.length + 4, limit, depth + 1);
      }
      return sum;
    }
    default:
      // undefined, functions and symbols: left out of objects, `null` in arrays.
      return total + 4;
  }
}

function describe(error: unknown): string {
  try {
    return error instanceof Error ? error.message : String(error);
  } catch {
    return 'an error that cannot be printed';
  }
}
