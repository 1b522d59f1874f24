/**
 * The main-thread side of worker isolation: runs a load's realm in a dedicated Worker through
 * comlink. When a process in the worker misses its heartbeat deadline or does not acknowledge a
 * forced stop, the worker is terminated and the extension ends in `error`: a busy loop in a
 * bundle cannot freeze the page, and is cut off.
 */
import { deserializeError, SpindleError } from '@spindle/types';
import * as Comlink from 'comlink';
import type { RealmConnector } from '../host/record.ts';
import type { UnresponsiveReason } from '../process/driver.ts';
import { globalTimers, type Timers } from '../timers.ts';
import type { WorkerRealmApi, WorkerResult } from './protocol.ts';

/** What the connector needs of a Worker (a real one, or a test double on a MessagePort). */
export interface WorkerLike extends Comlink.Endpoint {
  terminate(): void;
}

/** Options of `createWorkerConnector`. */
export interface WorkerConnectorOptions {
  /** Starts one worker per load. @default a module Worker running `worker-entry.ts` */
  createWorker?: () => WorkerLike;
  /** Timers of the dispose grace. @default the global timers */
  timers?: Timers;
  /** How long `dispose` waits for the worker's teardown before terminating it. @default 1000 */
  disposeGraceMs?: number;
}

/** Default grace between asking a worker to dispose and terminating it. */
export const DEFAULT_DISPOSE_GRACE_MS = 1_000;

const defaultCreateWorker = (): WorkerLike =>
  new Worker(new URL('./worker-entry.ts', import.meta.url), {
    type: 'module',
    name: 'spindle-extension',
  });

function unwrap(result: WorkerResult): void {
  if (!result.ok) throw deserializeError(result.error);
}

const WHY: Record<UnresponsiveReason, string> = {
  heartbeat: 'a process in it missed its heartbeat deadline',
  end_ack: 'it did not end a process it was told to end (forced stop, timeout or unload)',
};

/** Creates the realm connector for `load(bundle, { isolation: 'worker' })`. */
export function createWorkerConnector(options: WorkerConnectorOptions = {}): RealmConnector {
  const createWorker = options.createWorker ?? defaultCreateWorker;
  const timers = options.timers ?? globalTimers;
  const graceMs = options.disposeGraceMs ?? DEFAULT_DISPOSE_GRACE_MS;

  return (record, port) => {
    let worker: WorkerLike | undefined;
    let api: Comlink.Remote<WorkerRealmApi> | undefined;
    let terminated = false;

    const terminate = () => {
      if (terminated) return;
      terminated = true;
      api?.[Comlink.releaseProxy]();
      worker?.terminate();
    };

    record.onUnresponsive = (reason) => {
      terminate();
      record.fail(
        new SpindleError(
          'RUNTIME_GONE',
          `worker of extension ${record.extensionId} was terminated: ${WHY[reason]}`,
          { details: { extensionId: record.extensionId, reason } },
        ),
      );
    };

    const call = (fn: (remote: Comlink.Remote<WorkerRealmApi>) => Promise<unknown>) => {
      if (terminated || api === undefined) return;
      fn(api).catch(() => {});
    };

    return {
      async load() {
        const started = createWorker();
        worker = started;
        api = Comlink.wrap<WorkerRealmApi>(started);
        const remote = api;
        // A worker whose script cannot start only says so through an `error` event.
        let onError: ((event: Event) => void) | undefined;
        const failed = new Promise<never>((_, reject) => {
          onError = (event: Event) =>
            reject(
              new SpindleError(
                'IMPORT_FAILED',
                `worker of extension ${record.extensionId} failed: ${(event as ErrorEvent).message ?? 'error event'}`,
              ),
            );
          started.addEventListener('error', onError as EventListener);
        });
        failed.catch(() => {});
        const bundle: { url?: string; source?: string } = {};
        if (record.bundle.url !== undefined) bundle.url = record.bundle.url;
        if (record.bundle.source !== undefined) bundle.source = record.bundle.source;
        try {
          const identity = { host: record.host, frontendSessionId: record.frontendSessionId };
          await Promise.race([
            remote.init(Comlink.proxy(port), record.bundle.manifest, identity),
            failed,
          ]);
          unwrap(await Promise.race([remote.load(bundle), failed]));
        } finally {
          started.removeEventListener('error', onError as EventListener);
        }
      },
      async setup() {
        if (api === undefined || terminated) return;
        unwrap(await api.setup());
      },
      deliver: (message) => call((remote) => remote.deliver(message)),
      backendMessage: (payload) => call((remote) => remote.backendMessage(payload)),
      sessionChanged: (id) => call((remote) => remote.setFrontendSessionId(id)),
      dispose(reason) {
        if (terminated || api === undefined) {
          terminate();
          return;
        }
        // Give the worker's teardown a moment, then terminate whatever it is doing.
        const timer = timers.setTimeout(terminate, graceMs);
        api
          .dispose(reason)
          .catch(() => {})
          .finally(() => {
            timers.clearTimeout(timer);
            terminate();
          });
      },
    };
  };
}
