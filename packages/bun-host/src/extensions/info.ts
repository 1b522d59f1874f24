/**
 * `HostExtensionInfo` of one entry: what `host.list()` / `host.get()` report and what the wire's
 * `ExtensionInfoDTO` is made from (state, runtime, grants, activation sub-state, why it is awake,
 * what waits for it).
 */
import { withServiceCapabilities } from '@spindle/types';
import type { HostActivation } from '../activation/host-activation.ts';
import type { HostExtensionInfo } from '../host-types.ts';
import type { PermissionStore } from '../services/permissions.ts';
import type { ServiceRegistry } from '../services/registry.ts';
import type { HostEntry } from './entry.ts';

/** What `describeEntry` reads besides the entry. */
export interface DescribeContext {
  activation: HostActivation;
  services: ServiceRegistry;
  permissions: PermissionStore;
}

/** The info of `entry` now. */
export function describeEntry(entry: HostEntry, ctx: DescribeContext): HostExtensionInfo {
  const { activation, services, permissions } = ctx;
  const controller = entry.controller;
  const runtime = controller?.runtime;
  const error = entry.error ?? controller?.error;
  const exitReason = controller?.exitReason;
  const described = controller ? activation.describe(entry.identifier) : undefined;
  return {
    identifier: entry.identifier,
    path: entry.path,
    ...(entry.manifest ? { manifest: entry.manifest } : {}),
    state: controller ? controller.state : 'error',
    ...(error === undefined ? {} : { error }),
    ...(exitReason === undefined ? {} : { exitReason }),
    scope: entry.scope,
    ...(entry.host
      ? {
          host: withServiceCapabilities(entry.host, services.list()),
          grantedPermissions: permissions.granted(entry.identifier),
        }
      : {}),
    ...(runtime
      ? {
          runtimeMode: runtime.mode,
          pid: runtime.pid,
          ...(runtime.sandbox === undefined ? {} : { sandbox: runtime.sandbox }),
        }
      : {}),
    ...(described ? { activation: described } : {}),
    ...(controller?.state === 'running' ? { busy: activation.busyReasons(entry.identifier) } : {}),
    ...(entry.runtime ? { waiting: entry.runtime.waiting() } : {}),
  };
}
