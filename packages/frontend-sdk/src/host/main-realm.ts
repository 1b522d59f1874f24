/**
 * The realm connection for bundles that run on the page's main thread.
 */
import { errorMessage, isSpindleError, SpindleError } from '@spindle/types';
import { createRealm, type Realm } from '../realm/realm.ts';
import {
  type ContextContribution,
  type ContributeContext,
  type ContributionTarget,
  contributedMembers,
} from './contributions.ts';
import type { ModuleLoader } from './loader.ts';
import type { RealmConnector } from './record.ts';

/** Members of the SDK's own `ctx`; a contribution cannot take these names. */
const OWN_MEMBERS: ReadonlySet<string> = new Set([
  'manifest',
  'host',
  'frontendSessionId',
  'processes',
  'sendToBackend',
  'onBackendMessage',
  'ready',
  'deferReady',
  'dom',
]);

/** Connects loads to realms on this thread, importing bundles with `loader`. */
export function mainThreadConnector(
  loader: ModuleLoader,
  document: Document | undefined,
  contribute?: ContributeContext,
): RealmConnector {
  return (record, port) => {
    const { bundle } = record;
    let module: unknown;
    let realm: Realm | undefined;
    let disposed = false;
    let contribution: ContextContribution | undefined;
    let contributionDisposed = false;
    const disposeContribution = () => {
      if (contributionDisposed || contribution?.dispose === undefined) return;
      contributionDisposed = true;
      try {
        contribution.dispose();
      } catch (error) {
        port.reportError('contribution', `dispose: ${errorMessage(error)}`);
      }
    };
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
        const target: ContributionTarget = Object.freeze({
          extensionId: record.extensionId,
          manifest: bundle.manifest,
          host: record.host,
          grantedPermissions: Object.freeze([...(bundle.grantedPermissions ?? [])]),
        });
        try {
          contribution = contribute?.(target);
        } catch (error) {
          throw new SpindleError(
            'SETUP_FAILED',
            `contributeContext for ${record.extensionId} threw: ${errorMessage(error)}`,
            { cause: error },
          );
        }
        realm = createRealm({
          contributed: contributedMembers(contribution, target, OWN_MEMBERS, (message) =>
            port.reportError('contribution', message),
          ),
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
        disposeContribution();
      },
    };
  };
}
