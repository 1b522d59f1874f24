/**
 * The worker side of worker isolation: one realm per worker, reached through comlink.
 */
import { SpindleError, type SpindleManifest, serializeError } from '@spindle/types';
import * as Comlink from 'comlink';
import { createModuleLoader, type ModuleLoader } from '../host/loader.ts';
import { createRealm, type Realm, type RealmHostPort } from '../realm/realm.ts';
import type { WorkerRealmApi, WorkerRealmIdentity, WorkerResult } from './protocol.ts';

/** Options of `createWorkerRealmApi`. */
export interface WorkerRealmOptions {
  /** Loader used inside the worker. @default createModuleLoader() (blob: URLs) */
  loader?: ModuleLoader;
}

/** Builds the worker-side API (plain object; `exposeWorkerRealm` puts it behind comlink). */
export function createWorkerRealmApi(options: WorkerRealmOptions = {}): WorkerRealmApi {
  const loader = options.loader ?? createModuleLoader();
  let realm: Realm | undefined;
  let manifest: SpindleManifest | undefined;
  let module: unknown;
  let released = false;
  let remotePort: RealmHostPort | undefined;
  let sessionId: string | undefined;

  const step = async (run: () => Promise<void>): Promise<WorkerResult> => {
    try {
      await run();
      return { ok: true };
    } catch (error) {
      return { ok: false, error: serializeError(error) };
    }
  };
  const ready = () => {
    if (realm === undefined || manifest === undefined) {
      throw new SpindleError('INTERNAL', 'worker realm used before init()');
    }
    return { realm, manifest };
  };

  return {
    init(port: RealmHostPort, m: SpindleManifest, identity?: WorkerRealmIdentity) {
      manifest = m;
      sessionId = identity?.frontendSessionId;
      // After dispose the main thread's side of `port` is released; late calls are dropped.
      const live = () => !released;
      const guarded: RealmHostPort = {
        sendToBackend: (payload) => (live() ? port.sendToBackend(payload) : undefined),
        ready: () => void (live() && port.ready()),
        deferReady: () => void (live() && port.deferReady()),
        process: (message) => void (live() && port.process(message)),
        reportError: (phase, message) => void (live() && port.reportError(phase, message)),
      };
      remotePort = port;
      realm = createRealm({
        manifest: m,
        port: guarded,
        host: identity?.host,
        frontendSessionId: () => sessionId,
      });
    },
    setFrontendSessionId(id) {
      sessionId = id;
    },
    load: (bundle) =>
      step(async () => {
        const { manifest: m } = ready();
        const request: Parameters<ModuleLoader>[0] = { extensionId: m.identifier };
        if (bundle.url !== undefined) request.url = bundle.url;
        if (bundle.source !== undefined) request.source = bundle.source;
        module = await loader(request);
      }),
    setup: () => step(() => ready().realm.mount(module)),
    deliver: (message) => realm?.deliver(message),
    backendMessage: (payload) => realm?.backendMessage(payload),
    dispose(reason) {
      realm?.dispose(reason);
      module = undefined;
      released = true;
      (remotePort as Partial<Comlink.Remote<RealmHostPort>> | undefined)?.[
        Comlink.releaseProxy
      ]?.();
    },
  };
}

/** Exposes a worker realm on `endpoint` (the worker's global scope, or a MessagePort). */
export function exposeWorkerRealm(
  endpoint: Comlink.Endpoint,
  options: WorkerRealmOptions = {},
): void {
  Comlink.expose(createWorkerRealmApi(options), endpoint);
}
