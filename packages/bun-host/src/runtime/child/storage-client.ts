/** `spindle.storage` and `spindle.userStorage`: thin clients of the host's storage requests. */
import type {
  SpindleStorage,
  SpindleUserStorage,
  StorageGetJsonOptions,
  StorageOp,
  StorageSetJsonOptions,
  UserStorageScope,
} from '@spindle/types';
import { isSpindleError, SpindleError } from '@spindle/types/errors';
import type { RequestTable } from './rpc.ts';

type Call = (op: StorageOp, path: string, data?: string, userId?: string) => Promise<unknown>;

/** Largest `setJson` indent, as on the host side. */
const MAX_JSON_INDENT = 10;

async function parseJson<T>(path: string, text: string): Promise<T> {
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new SpindleError('INVALID_JSON', `storage file ${path} does not hold valid JSON`, {
      cause: error,
      details: { path },
    });
  }
}

async function stringify(
  path: string,
  value: unknown,
  indent: number | undefined,
): Promise<string> {
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

async function checkData(path: string, data: unknown): Promise<string> {
  if (typeof data !== 'string') {
    throw new SpindleError('INVALID_OPTIONS', `storage write of ${path}: data must be a string`, {
      details: { path, got: typeof data },
    });
  }
  return data;
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
    if (options && 'fallback' in options && (await isNotFound(error))) {
      return options.fallback as T;
    }
    throw error;
  }
  return parseJson<T>(path, text);
}

async function isNotFound(error: unknown): Promise<boolean> {
  return (
    isSpindleError(error, 'STORAGE_IO') &&
    (error.details as { reason?: unknown }).reason === 'not_found'
  );
}

/** Builds `spindle.storage`. */
export function createStorageClient(rpc: RequestTable): SpindleStorage {
  const call: Call = (op, path, data) =>
    rpc.request({ type: 'storage', op, path, ...(data === undefined ? {} : { data }) });
  return Object.freeze({
    read: async (path: string) => (await call('read', path)) as string,
    write: async (path: string, data: string) => {
      await call('write', path, await checkData(path, data));
    },
    delete: async (path: string) => {
      await call('delete', path);
    },
    exists: async (path: string) => (await call('exists', path)) as boolean,
    list: async (path?: string) => (await call('list', path ?? '')) as string[],
    getJson: <T = unknown>(path: string, options?: StorageGetJsonOptions<T>) =>
      getJson<T>(call, path, options),
    setJson: async (path: string, value: unknown, options?: StorageSetJsonOptions) => {
      await call('write', path, await stringify(path, value, options?.indent));
    },
  });
}

/** Builds `spindle.userStorage`; operator-scoped extensions pass `{ userId }` to every call. */
export function createUserStorageClient(rpc: RequestTable): SpindleUserStorage {
  const call: Call = (op, path, data, userId) =>
    rpc.request({
      type: 'user_storage',
      op,
      path,
      ...(data === undefined ? {} : { data }),
      ...(userId === undefined ? {} : { userId }),
    });
  return Object.freeze({
    read: async (path: string, o?: UserStorageScope) =>
      (await call('read', path, undefined, o?.userId)) as string,
    write: async (path: string, data: string, o?: UserStorageScope) => {
      await call('write', path, await checkData(path, data), o?.userId);
    },
    delete: async (path: string, o?: UserStorageScope) => {
      await call('delete', path, undefined, o?.userId);
    },
    exists: async (path: string, o?: UserStorageScope) =>
      (await call('exists', path, undefined, o?.userId)) as boolean,
    list: async (path?: string, o?: UserStorageScope) =>
      (await call('list', path ?? '', undefined, o?.userId)) as string[],
    getJson: <T = unknown>(path: string, o?: StorageGetJsonOptions<T> & UserStorageScope) =>
      getJson<T>(call, path, o, o?.userId),
    setJson: async (path: string, value: unknown, o?: StorageSetJsonOptions & UserStorageScope) => {
      await call('write', path, await stringify(path, value, o?.indent), o?.userId);
    },
  });
}
