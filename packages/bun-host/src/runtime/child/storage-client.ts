/** `spindle.storage` and `spindle.userStorage`: thin clients of the host's storage requests. */
import {
  SpindleError,
  type SpindleStorage,
  type SpindleUserStorage,
  type StorageGetJsonOptions,
  type StorageOp,
  type StorageSetJsonOptions,
  type UserStorageScope,
} from '@spindle/types';
import type { RequestTable } from './rpc.ts';

type Call = (op: StorageOp, path: string, data?: string, userId?: string) => Promise<unknown>;

function parseJson<T>(path: string, text: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new SpindleError('STORAGE_IO', `storage file ${path} does not hold valid JSON`, {
      cause: error,
      details: { path },
    });
  }
}

function checkData(path: string, data: unknown): string {
  if (typeof data !== 'string') {
    throw new SpindleError('INVALID_OPTIONS', `storage write of ${path}: data must be a string`, {
      details: { path, got: typeof data },
    });
  }
  return data;
}

async function getJson<T>(call: Call, path: string, fallback: T | undefined, userId?: string) {
  if (!(await call('exists', path, undefined, userId))) return fallback as T;
  return parseJson<T>(path, (await call('read', path, undefined, userId)) as string);
}

/** Builds `spindle.storage`. */
export function createStorageClient(rpc: RequestTable): SpindleStorage {
  const call: Call = (op, path, data) =>
    rpc.request({ type: 'storage', op, path, ...(data === undefined ? {} : { data }) });
  return Object.freeze({
    read: async (path: string) => (await call('read', path)) as string,
    write: async (path: string, data: string) => {
      await call('write', path, checkData(path, data));
    },
    delete: async (path: string) => {
      await call('delete', path);
    },
    exists: async (path: string) => (await call('exists', path)) as boolean,
    list: async (path?: string) => (await call('list', path ?? '')) as string[],
    getJson: <T = unknown>(path: string, options?: StorageGetJsonOptions<T>) =>
      getJson<T>(call, path, options?.fallback),
    setJson: async (path: string, value: unknown, options?: StorageSetJsonOptions) => {
      await call('write', path, JSON.stringify(value, null, options?.indent));
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
      await call('write', path, checkData(path, data), o?.userId);
    },
    delete: async (path: string, o?: UserStorageScope) => {
      await call('delete', path, undefined, o?.userId);
    },
    exists: async (path: string, o?: UserStorageScope) =>
      (await call('exists', path, undefined, o?.userId)) as boolean,
    list: async (path?: string, o?: UserStorageScope) =>
      (await call('list', path ?? '', undefined, o?.userId)) as string[],
    getJson: <T = unknown>(path: string, o?: StorageGetJsonOptions<T> & UserStorageScope) =>
      getJson<T>(call, path, o?.fallback, o?.userId),
    setJson: async (path: string, value: unknown, o?: StorageSetJsonOptions & UserStorageScope) => {
      await call('write', path, JSON.stringify(value, null, o?.indent), o?.userId);
    },
  });
}
