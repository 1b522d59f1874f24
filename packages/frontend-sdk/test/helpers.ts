/** Shared test helpers: a host on a memory transport with an in-memory module table. */
import type { FrontendUplink, SpindleManifest } from '@spindle/types';
import { vi } from 'vitest';
import { createExtensionHost, type ExtensionHostOptions } from '../src/host/host.ts';
import type { BundleRequest } from '../src/host/loader.ts';
import { yieldMicrotask } from '../src/timers.ts';
import { createMemoryTransport, type TransportState } from '../src/transport.ts';

export function manifest(identifier: string): SpindleManifest {
  return {
    version: '1.0.0',
    name: identifier,
    identifier,
    author: 'tests',
    github: '',
    homepage: '',
    permissions: [],
  };
}

/** A module a test controls: resolve or reject the import when it wants. */
export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

export type ModuleSource = unknown | (() => unknown | Promise<unknown>);

/** Creates a host whose loader reads `modules[url]` (a namespace, or a function producing one). */
export function setupHost(
  options: Partial<ExtensionHostOptions> & {
    modules?: Record<string, ModuleSource>;
    state?: TransportState;
  } = {},
) {
  const { modules = {}, state, ...rest } = options;
  const { transport, remote } = createMemoryTransport(state ? { state } : {});
  const requests: BundleRequest[] = [];
  const loader = vi.fn(async (request: BundleRequest) => {
    requests.push(request);
    const entry = modules[request.url ?? ''];
    if (entry === undefined) throw new Error(`no module at ${request.url}`);
    return typeof entry === 'function' ? await (entry as () => unknown)() : entry;
  });
  const host = createExtensionHost({
    transport,
    yieldToBrowser: yieldMicrotask,
    loader,
    ...rest,
  });
  const sent = (type?: FrontendUplink['type']) =>
    remote.received.filter((m) => type === undefined || m.type === type);
  return { host, remote, transport, loader, requests, modules, sent };
}

/** Lets pending promise chains run (fake timers: advances 0 ms). */
export async function flush(): Promise<void> {
  await vi.advanceTimersByTimeAsync(0);
}

export function bundle(identifier: string, url = `mem://${identifier}`) {
  return { manifest: manifest(identifier), url };
}

export function spawnMessage(
  extensionId: string,
  processId: string,
  kind: string,
  extra: { payload?: unknown; startupTimeoutMs?: number; heartbeatTimeoutMs?: number } = {},
) {
  return {
    type: 'process_spawn' as const,
    extensionId,
    processId,
    kind,
    startupTimeoutMs: extra.startupTimeoutMs ?? 15_000,
    heartbeatTimeoutMs: extra.heartbeatTimeoutMs ?? 15_000,
    ...(extra.payload === undefined ? {} : { payload: extra.payload }),
  };
}
