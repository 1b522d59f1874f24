/**
 * The realm connection for bundles that run on the page's main thread.
 */
import { errorMessage, isSpindleError, SpindleError } from '@spindle/types';
import { createRealm, type Realm } from '../realm/realm.ts';
import type { ModuleLoader } from './loader.ts';
import type { RealmConnector } from './record.ts';

/** Connects loads to realms on this thread, importing bundles with `loader`. */
export function mainThreadConnector(
  loader: ModuleLoader,
  document: Document | undefined,
): RealmConnector {
  return (record, port) => {
    const { bundle } = record;
    let module: unknown;
    let realm: Realm | undefined;
    let disposed = false;
    return {
      async load() {
        const request: Parameters<ModuleLoader>[0] = { extensionId: record.extensionId };
        if (bundle.url !== undefined) request.url = bundle.url;
        if (bundle.source !== undefined) request.source = bundle.source;
        try {
          module = await loader(request);
        } catch (error) {
          if (isSpindleError(error)) throw error;
          throw new SpindleError(
            'IMPORT_FAILED',
            `bundle of extension ${record.extensionId} failed to import: ${errorMessage(error)}`,
            { cause: error, details: { extensionId: record.extensionId } },
          );
        }
      },
      async setup() {
        if (disposed) return;
        realm = createRealm({
          manifest: bundle.manifest,
          port,
          document,
          host: record.host,
          frontendSessionId: () => record.frontendSessionId,
        });
        await realm.mount(module);
      },
      deliver: (message) => realm?.deliver(message),
      backendMessage: (payload) => realm?.backendMessage(payload),
      dispose(reason) {
        disposed = true;
        module = undefined;
        realm?.dispose(reason);
      },
    };
  };
}
