/**
 * One extension's way into the app services (`spindle.<namespace>`): the caller the permission
 * gates see (its grants, its scope, the refusals it is told of), each call's outcome and duration
 * for the metrics, and the cut-off of calls whose runtime is gone (their methods learn, through
 * the signal, that nobody will read the answer).
 */
import {
  type ExtensionScope,
  type LogLevel,
  SpindleError,
  type SpindleManifest,
} from '@spindle/types';
import {
  callService,
  type ServiceCaller,
  type ServiceCallLimits,
  type ServiceCallRequest,
} from '../services/call.ts';
import type { ServiceRegistry } from '../services/registry.ts';
import type { Timers } from './types.ts';

/** What the bridge of one extension needs. */
export interface ServiceBridgeOptions {
  extensionId: string;
  manifest: SpindleManifest;
  scope: ExtensionScope;
  /** The app's services. @default none: every call is `SERVICE_UNAVAILABLE` */
  registry?: ServiceRegistry | undefined;
  limits?: ServiceCallLimits | undefined;
  /** Permissions granted to the extension now. */
  granted(): string[];
  timers: Timers;
  /** A line of the host about the extension. */
  log(level: LogLevel, message: string): void;
  /** A call settled (`outcome`: `ok` or the error code). @default ignored */
  onCall?: ((namespace: string, method: string, outcome: string, ms: number) => void) | undefined;
}

/** The bridge of one extension. */
export interface ServiceBridge {
  /** Runs one validated call of the runtime; rejects with the typed error the runtime gets. */
  call(request: ServiceCallRequest): Promise<unknown>;
  /** The runtime the calls came from is gone: aborts every call under way. */
  endCalls(): void;
}

/** Creates the bridge of one extension. */
export function createServiceBridge(o: ServiceBridgeOptions): ServiceBridge {
  let calls = new AbortController();
  const scopeNoted = new Set<string>();
  const caller: ServiceCaller = {
    extensionId: o.extensionId,
    manifest: o.manifest,
    scope: o.scope,
    grantedPermissions: o.granted,
    onScopeMismatch: (operation, named) => {
      if (scopeNoted.has(operation) || o.scope.kind !== 'user') return;
      scopeNoted.add(operation);
      o.log(
        'warn',
        `${operation} named user ${named}, but the extension is installed for ${o.scope.userId} only: it acts for ${o.scope.userId} (logged once)`,
      );
    },
    onDenied: (permission, operation) =>
      o.log('warn', `${operation} refused: the "${permission}" permission is not granted`),
  };
  return {
    async call(request) {
      const started = o.timers.now();
      let outcome = 'ok';
      try {
        if (!o.registry) {
          throw new SpindleError(
            'SERVICE_UNAVAILABLE',
            `${request.namespace}.${request.method} is not a registered service method`,
          );
        }
        return await callService(o.registry, caller, request, o.timers, calls.signal, o.limits);
      } catch (error) {
        outcome = error instanceof SpindleError ? error.code : 'SERVICE_ERROR';
        throw error;
      } finally {
        o.onCall?.(request.namespace, request.method, outcome, o.timers.now() - started);
      }
    },
    endCalls() {
      calls.abort(
        new SpindleError('EXTENSION_UNLOADED', `the runtime of ${o.extensionId} stopped`),
      );
      calls = new AbortController();
    },
  };
}
