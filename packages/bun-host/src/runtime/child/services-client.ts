/**
 * The embedding app's services inside a runtime: each registered namespace becomes
 * `spindle.<namespace>`, whose methods forward the call to the host (`service_call`) and settle
 * with its result or typed error; and `spindle.permissions`, the extension's grants, kept in
 * sync by the host without a round trip for `has`.
 */
import type {
  PermissionChangedDetail,
  PermissionDeniedDetail,
  ServiceDescriptor,
  SpindlePermissionsAPI,
} from '@spindle/types';
import { HandlerSet } from '../channel.ts';
import type { RequestTable } from './rpc.ts';

type Namespace = Record<string, (...args: unknown[]) => Promise<unknown>>;

/**
 * Builds the object of one namespace. A call refused for a missing grant also fires
 * `permissions.onDenied` before it rejects.
 */
export function serviceNamespace(
  rpc: RequestTable,
  descriptor: ServiceDescriptor,
  permissions: PermissionsClient,
): Namespace {
  const methods: Namespace = {};
  for (const method of descriptor.methods) {
    methods[method] = (...args: unknown[]) =>
      rpc
        .request({ type: 'service_call', namespace: descriptor.namespace, method, args })
        .catch((error: { code?: unknown; details?: { permission?: unknown } }) => {
          if (error?.code === 'PERMISSION_DENIED') {
            permissions.denied({
              permission: String(error.details?.permission ?? descriptor.permission ?? ''),
              operation: `${descriptor.namespace}.${method}`,
            });
          }
          throw error;
        });
  }
  return Object.freeze(methods);
}

/** `spindle.permissions` and the hooks that keep it current. */
export interface PermissionsClient {
  readonly api: SpindlePermissionsAPI;
  /** The host's `permissions` update. */
  update(granted: string[], detail: PermissionChangedDetail): void;
  /** A call was refused for a missing grant. */
  denied(detail: PermissionDeniedDetail): void;
}

/** Builds `spindle.permissions` from the grants of `init`. */
export function createPermissionsClient(
  rpc: RequestTable,
  initial: readonly string[],
  report: (error: unknown) => void,
): PermissionsClient {
  let granted = new Set(initial);
  const changed = new HandlerSet<PermissionChangedDetail>();
  const deniedHandlers = new HandlerSet<PermissionDeniedDetail>();
  const api: SpindlePermissionsAPI = Object.freeze({
    getGranted: async () => {
      const list = await rpc.request<string[]>({ type: 'permissions_get' });
      granted = new Set(list);
      return [...list];
    },
    has: (permission: string) => granted.has(permission),
    onDenied: (handler: (detail: PermissionDeniedDetail) => void) => deniedHandlers.add(handler),
    onChanged: (handler: (detail: PermissionChangedDetail) => void) => changed.add(handler),
  });
  return {
    api,
    update(list, detail) {
      granted = new Set(list);
      changed.emit(detail, report);
    },
    denied(detail) {
      deniedHandlers.emit(detail, report);
    },
  };
}
