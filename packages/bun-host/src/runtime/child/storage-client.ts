/**
 * `spindle.storage` and `spindle.userStorage`: thin clients of the host's storage requests, in
 * upstream's shapes (`userStorage` takes a trailing positional `userId`, except `getJson` and
 * `setJson`, which take it in their options). Binary data crosses the JSON channel as base64.
 */
import type {
  SpindleStorage,
  SpindleStorageStat,
  SpindleUserStorage,
  StorageGetJsonOptions,
  StorageOp,
  StorageSetJsonOptions,
} from '@spindle/types';
import { isSpindleError, SpindleError } from '@spindle/types/errors';
import type { RequestTable } from './rpc.ts';

/** One storage request: `path` (the source of `move`), `data`, the destination of `move`. */
type Call = (
  op: StorageOp,
  path: string,
  extra?: { data?: string; to?: string },
  userId?: string,
) => Promise<unknown>;

/** Largest `setJson` indent, as on the host side. */
const MAX_JSON_INDENT = 10;

function parseJson<T>(path: string, text: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new SpindleError('INVALID_JSON', `storage file ${path} does not hold valid JSON`, {
      cause: error,
      details: { path },
    });
  }
}

function stringify(path: string, value: unknown, indent: number | undefined): string {
  if (
    indent !== undefined &&
    (!Number.isInteger(indent) || indent < 0 || indent > MAX_JSON_INDENT)
  ) {
    throw new SpindleError(
      'INVALID_OPTIONS',
      `setJson ${path}: indent must be an integer in [0, ${MAX_JSON_INDENT}], got ${String(indent)}`,
    );
  }
  let text: string | undefined;
  try {
    text = JSON.stringify(value, null, indent);
  } catch (error) {
    throw new SpindleError('INVALID_OPTIONS', `setJson ${path}: value is not JSON-serializable`, {
      cause: error,
    });
  }
  if (text === undefined) {
    throw new SpindleError('INVALID_OPTIONS', `setJson ${path}: JSON cannot represent the value`);
  }
  return text;
}

function checkText(path: string, data: unknown): string {
  if (typeof data !== 'string') {
    throw new SpindleError('INVALID_OPTIONS', `storage write of ${path}: data must be a string`, {
      details: { path, got: typeof data },
    });
  }
  return data;
}

function toBase64(path: string, data: unknown): string {
  if (!(data instanceof Uint8Array)) {
    throw new SpindleError(
      'INVALID_OPTIONS',
      `storage writeBinary of ${path}: data must be a Uint8Array`,
      { details: { path, got: data === null ? 'null' : typeof data } },
    );
  }
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64');
}

function fromBase64(text: unknown): Uint8Array {
  // A plain Uint8Array (not a Buffer over Node's shared pool), as upstream returns.
  return new Uint8Array(Buffer.from(typeof text === 'string' ? text : '', 'base64'));
}

function isNotFound(error: unknown): boolean {
  return (
    isSpindleError(error, 'STORAGE_IO') &&
    (error.details as { reason?: unknown }).reason === 'not_found'
  );
}

/**
 * A missing file gives `fallback` when the option is present (even `undefined`), else the
 * host's not-found error; a corrupt file is never hidden by the fallback.
 */
async function getJson<T>(
  call: Call,
  path: string,
  options: StorageGetJsonOptions<T> | undefined,
  userId?: string,
): Promise<T> {
  let text: string;
  try {
    text = (await call('read', path, undefined, userId)) as string;
  } catch (error) {
    if (options && 'fallback' in options && isNotFound(error)) return options.fallback as T;
    throw error;
  }
  return parseJson<T>(path, text);
}

/** The twelve members over `call`; `u` is the user of a `userStorage` call. */
function members(call: Call, u: (userId: string | undefined) => string | undefined) {
  return {
    read: async (path: string, userId?: string) =>
      (await call('read', path, undefined, u(userId))) as string,
    write: async (path: string, data: string, userId?: string) => {
      await call('write', path, { data: checkText(path, data) }, u(userId));
    },
    readBinary: async (path: string, userId?: string) =>
      fromBase64(await call('read_binary', path, undefined, u(userId))),
    writeBinary: async (path: string, data: Uint8Array, userId?: string) => {
      await call('write_binary', path, { data: toBase64(path, data) }, u(userId));
    },
    delete: async (path: string, userId?: string) => {
      await call('delete', path, undefined, u(userId));
    },
    list: async (prefix?: string, userId?: string) =>
      (await call('list', prefix ?? '', undefined, u(userId))) as string[],
    exists: async (path: string, userId?: string) =>
      (await call('exists', path, undefined, u(userId))) as boolean,
    mkdir: async (path: string, userId?: string) => {
      await call('mkdir', path, undefined, u(userId));
    },
    move: async (from: string, to: string, userId?: string) => {
      await call('move', from, { to }, u(userId));
    },
    stat: async (path: string, userId?: string) =>
      (await call('stat', path, undefined, u(userId))) as SpindleStorageStat,
  };
}

function requester(rpc: RequestTable, type: 'storage' | 'user_storage'): Call {
  return (op, path, extra, userId) =>
    rpc.request({
      type,
      op,
      path,
      ...(extra?.data === undefined ? {} : { data: extra.data }),
      ...(extra?.to === undefined ? {} : { to: extra.to }),
      ...(userId === undefined ? {} : { userId }),
    } as Parameters<RequestTable['request']>[0]);
}

/** Builds `spindle.storage`. */
export function createStorageClient(rpc: RequestTable): SpindleStorage {
  const call = requester(rpc, 'storage');
  // `storage` has no user: a trailing argument is ignored, as upstream does.
  const base = members(call, () => undefined);
  return Object.freeze({
    read: (path: string) => base.read(path),
    write: (path: string, data: string) => base.write(path, data),
    readBinary: (path: string) => base.readBinary(path),
    writeBinary: (path: string, data: Uint8Array) => base.writeBinary(path, data),
    delete: (path: string) => base.delete(path),
    list: (prefix?: string) => base.list(prefix),
    exists: (path: string) => base.exists(path),
    mkdir: (path: string) => base.mkdir(path),
    move: (from: string, to: string) => base.move(from, to),
    stat: (path: string) => base.stat(path),
    getJson: <T = unknown>(path: string, options?: StorageGetJsonOptions<T>) =>
      getJson<T>(call, path, options),
    setJson: async (path: string, value: unknown, options?: StorageSetJsonOptions) => {
      await call('write', path, { data: stringify(path, value, options?.indent) });
    },
  });
}

/** Builds `spindle.userStorage`; operator-scoped extensions pass the user as the last argument. */
export function createUserStorageClient(rpc: RequestTable): SpindleUserStorage {
  const call = requester(rpc, 'user_storage');
  return Object.freeze({
    ...members(call, (userId) => userId),
    getJson: <T = unknown>(path: string, o?: StorageGetJsonOptions<T> & { userId?: string }) =>
      getJson<T>(call, path, o, o?.userId),
    setJson: async (
      path: string,
      value: unknown,
      o?: StorageSetJsonOptions & { userId?: string },
    ) => {
      await call('write', path, { data: stringify(path, value, o?.indent) }, o?.userId);
    },
  });
}
