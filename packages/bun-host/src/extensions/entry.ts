/**
 * One discovered extension as the host holds it: its manifest, scope and host descriptor, and,
 * for a valid manifest, its runtime wired to the host (events, gateway, services, permissions,
 * activation). `createEntry` runs at discovery and again when `reload` re-reads the extension.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type ExtensionScope,
  type RuntimeStatsEvent,
  type SpindleHostDescriptorV1,
  type SpindleManifest,
  type SpindleRuntimeMode,
  unknownPermissions,
} from '@spindle/types';
import type { Emitter } from 'mitt';
import type { HostActivation } from '../activation/host-activation.ts';
import type { FrontendGateway } from '../frontend/gateway.ts';
import type { HostLogEntry, SpindleHostEvents, SpindleHostOptions } from '../host-types.ts';
import type { ProcessService } from '../processes/service.ts';
import type { ExtensionController, ExtensionStateChange } from '../runtime/controller.ts';
import { createExtensionRuntime, type ExtensionRuntime } from '../runtime/extension-runtime.ts';
import type { RuntimeLimits } from '../runtime/limits.ts';
import type { LaunchSettings } from '../sandbox/index.ts';
import type { PermissionStore } from '../services/permissions.ts';
import type { ServiceRegistry } from '../services/registry.ts';
import type { StatsConfig } from '../stats/index.ts';
import type { ResolvedStorageLimits } from '../storage/index.ts';
import type { DiscoveredExtension } from './discovery.ts';
import { seedStatePath } from './seed.ts';

/** An extension as the host holds it. */
export interface HostEntry {
  identifier: string;
  path: string;
  scope: ExtensionScope;
  manifest?: SpindleManifest;
  error?: string;
  host?: SpindleHostDescriptorV1;
  controller?: ExtensionController;
  runtime?: ExtensionRuntime;
}

/** What every entry of one host shares. */
export interface EntryContext {
  options: SpindleHostOptions;
  dataDir: string;
  runtimeMode: SpindleRuntimeMode;
  env: Record<string, string | undefined>;
  stats: StatsConfig;
  services: ServiceRegistry;
  permissions: PermissionStore;
  gateway: FrontendGateway;
  processService: ProcessService;
  activation: HostActivation;
  events: Emitter<SpindleHostEvents>;
  log(entry: HostLogEntry): void;
  /** The operator's launch settings, resolved once. */
  launch: LaunchSettings;
  /** The runtime limits of an extension (defaults, env, `runtimeLimits`, `extensionLimits`). */
  limitsOf(identifier: string): RuntimeLimits;
  /** Bounds of extension storage. */
  storageLimits: ResolvedStorageLimits;
  /** The host descriptor of an installation. */
  describeHost(identifier: string, scope: ExtensionScope): SpindleHostDescriptorV1;
  /** Tells frontends the entry's state (an `extension_state` downlink). */
  announce(entry: HostEntry): void;
}

/** Builds the entry of `found` (its runtime disabled until enabled). */
export async function createEntry(
  found: DiscoveredExtension,
  ctx: EntryContext,
): Promise<HostEntry> {
  const { options, events } = ctx;
  const scope = options.scopes?.[found.identifier] ?? { kind: 'operator' };
  const entry: HostEntry = { identifier: found.identifier, path: found.path, scope };
  if (!found.ok) {
    entry.error = found.error;
    ctx.log({
      level: 'error',
      extensionId: found.identifier,
      source: 'host',
      event: 'discovery',
      message: found.error,
    });
    return entry;
  }
  const id = found.identifier;
  entry.manifest = found.manifest;
  entry.host = ctx.describeHost(id, scope);
  const unknown = unknownPermissions(found.manifest.permissions);
  if (unknown.length > 0) {
    ctx.log({
      level: 'warn',
      extensionId: id,
      source: 'host',
      message: `spindle.json asks for permission(s) this host does not know: ${unknown.join(', ')} (kept in the manifest)`,
    });
  }
  ctx.permissions.add(id, found.manifest.permissions);
  const storagePath = join(ctx.dataDir, 'storage', id);
  await mkdir(storagePath, { recursive: true });
  const hooks = ctx.activation.hooks(id);
  const runtime = createExtensionRuntime({
    extension: found,
    scope,
    host: entry.host,
    storagePath,
    seedStatePath: seedStatePath(ctx.dataDir, id),
    services: ctx.services,
    serviceLimits: options.serviceLimits,
    storageLimits: ctx.storageLimits,
    grantedPermissions: () => ctx.permissions.granted(id),
    runtimeMode: ctx.runtimeMode,
    env: ctx.env,
    stats: ctx.stats,
    gateway: ctx.gateway,
    processService: ctx.processService,
    log: (level, message, source, record) => {
      const pid = record?.pid ?? entry.controller?.runtime?.pid;
      ctx.log({
        level,
        message,
        source,
        extensionId: id,
        runtimeMode: ctx.runtimeMode,
        ...(pid === undefined ? {} : { pid }),
        ...(record ?? {}),
      });
    },
    onStats: (event: RuntimeStatsEvent) => {
      events.emit('stats', event);
      // The gateway delivers these to admin sessions that subscribed only.
      ctx.gateway.broadcast({ type: 'runtime_stats', event }, { adminOnly: true });
    },
    timing: options.timing,
    limits: ctx.limitsOf(id),
    timers: options.timers,
    sandboxCapabilities: options.sandboxCapabilities,
    launch: ctx.launch,
    activation: {
      ...hooks,
      processEvent: (side, state, exitReason, previousState) => {
        hooks.processEvent(side, state, exitReason, previousState);
        events.emit('process', {
          extensionId: id,
          side,
          state,
          ...(previousState === undefined ? {} : { previousState }),
          ...(exitReason === undefined ? {} : { exitReason }),
        });
      },
    },
    onServiceCall: (namespace, method, outcome, ms) =>
      events.emit('service_call', { extensionId: id, namespace, method, outcome, ms }),
    onStateChange: (change: ExtensionStateChange) => {
      ctx.activation.stateChanged(id);
      events.emit('state', change);
      ctx.announce(entry);
    },
    onExit: (event) => {
      ctx.activation.exited(id, event.reason);
      events.emit('exit', event);
    },
  });
  entry.controller = runtime.controller;
  entry.runtime = runtime;
  ctx.activation.attach(id, found.manifest, runtime.controller, runtime);
  return entry;
}
