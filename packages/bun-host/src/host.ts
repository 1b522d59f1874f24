/**
 * `createSpindleHost`: discovers extensions, runs each enabled extension's backend half in the
 * chosen runtime mode (started at enable, or on first need and hibernated when idle, see
 * docs/operations.md), routes its traffic (frontends, storage, processes) and reports what
 * happens through `events`.
 */
import { join, resolve } from 'node:path';
import { errorMessage, RUNTIME_EVENTS, type ServiceDescriptor, SpindleError } from '@spindle/types';
import mitt from 'mitt';
import { HostActivation } from './activation/host-activation.ts';
import { discoverExtensions } from './extensions/discovery.ts';
import { EnabledStore } from './extensions/enabled-store.ts';
import { createEntry, type EntryContext, type HostEntry } from './extensions/entry.ts';
import { describeEntry } from './extensions/info.ts';
import { readReplacement } from './extensions/reload.ts';
import type { FrontendGatewayEvents } from './frontend/gateway.ts';
import {
  consoleLogger,
  hostDescriptor,
  resolveRuntimeMode,
  toExtensionInfoDTO,
} from './host-helpers.ts';
import type {
  HostLogEntry,
  HostServer,
  SpindleHost,
  SpindleHostEvents,
  SpindleHostOptions,
} from './host-types.ts';
import {
  DEFAULT_DRAIN_DEADLINE_MS,
  DEFAULT_DRAIN_REASON,
  drainHost,
  refuseSpawnsWhileDraining,
} from './ops/drain.ts';
import type { ExtensionController } from './runtime/controller.ts';
import { readRuntimeLimitsEnv, runtimeLimitsResolver } from './runtime/limits.ts';
import { createNullGateway } from './runtime/null-gateway.ts';
import { unconfiguredProcessService } from './runtime/router.ts';
import { realTimers } from './runtime/types.ts';
import { hardenHost, resolveLaunchSettings } from './sandbox/index.ts';
import { type PermissionChange, PermissionStore } from './services/permissions.ts';
import { ServiceRegistry, type ServiceRegistryEvents } from './services/registry.ts';
import { readStatsConfig } from './stats/index.ts';
import { resolveStorageLimits } from './storage/index.ts';

export {
  consoleLogger,
  hostDescriptor,
  resolveRuntimeMode,
  toExtensionInfoDTO,
} from './host-helpers.ts';
export type {
  DrainOptions,
  HostExtensionInfo,
  HostLogEntry,
  HostLogLevel,
  HostProcessEvent,
  HostServer,
  HostServiceCallEvent,
  SpindleHost,
  SpindleHostEvents,
  SpindleHostOptions,
} from './host-types.ts';

/** Creates a host: discovers extensions, starts the server (if any) and enables extensions. */
export async function createSpindleHost(options: SpindleHostOptions): Promise<SpindleHost> {
  const env = options.env ?? process.env;
  const runtimeMode = resolveRuntimeMode(options.runtimeMode, env);
  const hostname = options.hostname ?? '127.0.0.1';
  const logger = options.logger ?? consoleLogger;
  const timers = options.timers ?? realTimers;
  const events = mitt<SpindleHostEvents>();
  const gateway = options.frontendGateway ?? createNullGateway();
  const rawProcesses = options.processService ?? unconfiguredProcessService;
  let draining = false;
  const processService = refuseSpawnsWhileDraining(rawProcesses, () => draining);
  const dataDir = resolve(options.dataDir);
  const launch = resolveLaunchSettings(options, env, join(dataDir, 'cache'));
  // Same-user processes (extension runtimes among them) must not read the host's environment.
  await hardenHost();
  const entries = new Map<string, HostEntry>();
  const enabledStore = new EnabledStore(
    options.persistEnabled === false ? undefined : join(dataDir, 'state'),
    (message) => log({ level: 'error', source: 'host', message }),
  );
  let server: HostServer | undefined;
  let closing: Promise<void> | undefined;
  let drainRun: Promise<void> | undefined;

  const log = (entry: HostLogEntry) => {
    events.emit('log', entry);
    logger(entry);
  };
  const warnHost = (message: string) => log({ level: 'warn', source: 'host', message });
  const stats = readStatsConfig(env, warnHost);
  const limitsOf = runtimeLimitsResolver(
    readRuntimeLimitsEnv(env, warnHost),
    options.runtimeLimits,
    options.extensionLimits,
  );
  const storageLimits = resolveStorageLimits(options.storageLimits);
  const services = options.services ?? new ServiceRegistry();
  const permissions = new PermissionStore(options.permissions ?? {}, join(dataDir, 'state'));
  const activation = new HostActivation({
    settings: options.activation,
    timers,
    gateway,
    liveProcesses: (id) => processService.liveCount?.(id) ?? 0,
    log: (level, extensionId, message) =>
      log({ level, extensionId, source: 'host', event: 'activation', message }),
  });
  activation.report(events, (entry) => log({ ...entry, runtimeMode }));

  const info = (entry: HostEntry) => describeEntry(entry, { activation, services, permissions });
  const announce = (entry: HostEntry) => {
    const dto = toExtensionInfoDTO(info(entry));
    if (dto) gateway.broadcast({ type: 'extension_state', extension: dto });
  };
  const context: EntryContext = {
    options,
    dataDir,
    runtimeMode,
    env,
    stats,
    services,
    permissions,
    gateway,
    processService,
    activation,
    events,
    log,
    launch,
    limitsOf,
    storageLimits,
    describeHost: (id, scope) => hostDescriptor(id, scope, options.lumiverseVersion),
    announce,
  };
  for (const found of await discoverExtensions(options.extensionsDir)) {
    entries.set(found.identifier, await createEntry(found, context));
  }

  const onServicesChanged = (list: ServiceDescriptor[]) => {
    for (const entry of entries.values()) {
      entry.runtime?.update({ type: 'services', services: list });
      if (entry.controller) announce(entry);
    }
  };
  const onServiceEvent = ({ event, payload, userId }: ServiceRegistryEvents['event']) => {
    for (const entry of entries.values()) entry.runtime?.emitEvent(event, payload, userId);
  };
  const onPermissionChanged = (change: PermissionChange) => {
    const entry = entries.get(change.extensionId);
    if (!entry) return;
    entry.runtime?.update({
      type: 'permissions',
      granted: change.allGranted,
      permission: change.permission,
      nowGranted: change.granted,
    });
    announce(entry);
  };
  services.events.on('changed', onServicesChanged);
  services.events.on('event', onServiceEvent);
  permissions.events.on('changed', onPermissionChanged);

  const onUplink = ({ session, message }: FrontendGatewayEvents['uplink']) => {
    if (message.type !== 'backend_message') return;
    const entry = entries.get(message.extensionId);
    if (!entry?.runtime) return;
    const refusal = entry.runtime.deliverFrontendMessage(
      message.payload,
      session.userId,
      session.sessionId,
    );
    if (refusal === undefined) return;
    // The validated frame still carries its `seq`: the error names the refused uplink.
    const seq = (message as { seq?: unknown }).seq;
    gateway.refuse?.(session.sessionId, {
      ...refusal,
      frameType: message.type,
      ...(typeof seq === 'number' ? { seq } : {}),
    });
  };
  gateway.events.on('uplink', onUplink);
  const onSessionClosed = (session: FrontendGatewayEvents['session_closed']) => {
    const payload = { userId: session.userId, frontendSessionId: session.sessionId };
    for (const entry of entries.values()) {
      entry.runtime?.emitEvent(RUNTIME_EVENTS.FRONTEND_SESSION_CLOSED, payload, session.userId);
    }
  };
  gateway.events.on('session_closed', onSessionClosed);

  const controllerOf = (identifier: string, action: string): [HostEntry, ExtensionController] => {
    if (closing) {
      throw new SpindleError('HOST_CLOSING', `cannot ${action} ${identifier}: the host is closing`);
    }
    const entry = entries.get(identifier);
    if (!entry) {
      throw new SpindleError('EXTENSION_NOT_FOUND', `no extension "${identifier}"`, {
        details: { identifier },
      });
    }
    if (!entry.controller) {
      throw new SpindleError(
        'INVALID_MANIFEST',
        `cannot ${action} ${identifier}: ${entry.error ?? 'invalid manifest'}`,
        { details: { identifier } },
      );
    }
    return [entry, entry.controller];
  };
  const refuseWhileDraining = (identifier: string, action: string) => {
    if (draining) {
      throw new SpindleError('DRAINING', `cannot ${action} ${identifier}: the host is draining`);
    }
  };
  /** Enables by policy; an eager one at the cap stays `hibernated` (logged). */
  const enableEntry = async (entry: HostEntry) => {
    try {
      await activation.manager.enable(entry.identifier);
    } catch (error) {
      if (!(error instanceof SpindleError && error.code === 'CAPACITY_EXCEEDED')) throw error;
      log({
        level: 'warn',
        extensionId: entry.identifier,
        source: 'host',
        event: 'activation',
        message: errorMessage(error),
      });
    }
  };

  const stopAll = () =>
    Promise.allSettled([...entries.values()].map((entry) => entry.controller?.close())).then(
      () => undefined,
    );

  const host: SpindleHost = {
    runtimeMode,
    hostname,
    get port() {
      return server?.port;
    },
    get draining() {
      return draining;
    },
    capacity: () => ({
      occupied: activation.manager.occupancy(),
      max: activation.manager.settings.maxActiveRuntimes ?? Number.POSITIVE_INFINITY,
      waiting: activation.manager.waiting,
    }),
    events,
    frontendGateway: gateway,
    services,
    permissions,
    list: () => [...entries.values()].map(info),
    get: (identifier) => {
      const entry = entries.get(identifier);
      return entry ? info(entry) : undefined;
    },
    async enable(identifier) {
      const [entry] = controllerOf(identifier, 'enable');
      refuseWhileDraining(identifier, 'enable');
      await enabledStore.saveDuring(identifier, true, () => enableEntry(entry));
      return info(entry);
    },
    async disable(identifier) {
      const [entry, controller] = controllerOf(identifier, 'disable');
      await enabledStore.saveDuring(identifier, false, () => controller.disable());
      return info(entry);
    },
    async restart(identifier) {
      const [entry, controller] = controllerOf(identifier, 'restart');
      refuseWhileDraining(identifier, 'restart');
      await enabledStore.saveDuring(identifier, true, async () => {
        if (controller.state === 'running' || controller.state === 'restarting') {
          await controller.restart();
          return;
        }
        // A stopped runtime is started, whatever its policy: the operator asked for it.
        await controller.disable('restart');
        await enableEntry(entry);
        if (controller.state === 'hibernated') {
          await activation.manager.ensure(identifier, 'admin');
        }
      });
      return info(entry);
    },
    async wake(identifier) {
      const [entry] = controllerOf(identifier, 'wake');
      await activation.manager.ensure(identifier, 'admin');
      return info(entry);
    },
    async hibernate(identifier) {
      const [entry] = controllerOf(identifier, 'hibernate');
      await activation.manager.hibernate(identifier, 'hibernated');
      return info(entry);
    },
    async reload(identifier) {
      const [old, controller] = controllerOf(identifier, 'reload');
      refuseWhileDraining(identifier, 'reload');
      const found = await readReplacement(old.path, identifier);
      const wasEnabled = controller.state !== 'disabled';
      await controller.close();
      activation.detach(identifier);
      const entry = await createEntry(found, context);
      entries.set(identifier, entry);
      log({
        level: 'info',
        extensionId: identifier,
        source: 'host',
        event: 'reload',
        message: `reloaded: version ${entry.manifest?.version ?? '?'}`,
      });
      if (entry.controller && wasEnabled) await enableEntry(entry);
      else announce(entry);
      return info(entry);
    },
    async spawnProcess(identifier, spawnOptions) {
      const [entry] = controllerOf(identifier, 'spawn a process of');
      refuseWhileDraining(identifier, 'spawn a process of');
      await activation.manager.ensure(identifier, 'spawn');
      if (!entry.runtime) throw new SpindleError('INTERNAL', `${identifier} has no runtime`);
      return entry.runtime.spawnProcess(spawnOptions);
    },
    configure(settings) {
      if (settings.activation) {
        activation.manager.configure(settings.activation, (id) => activation.manifestOf(id));
        for (const entry of entries.values()) if (entry.controller) announce(entry);
      }
    },
    drain(drainOptions = {}) {
      drainRun ??= (async () => {
        draining = true;
        activation.manager.drain();
        await drainHost(
          {
            extensionIds: () => [...entries.keys()],
            liveProcesses: (id) => processService.liveCount?.(id) ?? 0,
            stopRuntimes: stopAll,
            closeSessions: async (reason) => {
              await server?.stop(reason);
            },
            events,
            timers,
            log: (message, data) =>
              log({ level: 'info', source: 'host', event: 'drain', message, data }),
          },
          drainOptions.deadlineMs ?? DEFAULT_DRAIN_DEADLINE_MS,
          drainOptions.reason ?? DEFAULT_DRAIN_REASON,
        );
        await host.close();
        events.emit('drain', { phase: 'done', at: timers.now() });
      })();
      return drainRun;
    },
    close() {
      closing ??= (async () => {
        activation.close();
        gateway.events.off('uplink', onUplink);
        gateway.events.off('session_closed', onSessionClosed);
        services.events.off('changed', onServicesChanged);
        services.events.off('event', onServiceEvent);
        permissions.events.off('changed', onPermissionChanged);
        try {
          await server?.stop();
        } catch (error) {
          log({
            level: 'error',
            source: 'host',
            message: `server stop failed: ${errorMessage(error)}`,
          });
        }
        await stopAll();
        try {
          await processService.close();
        } catch (error) {
          log({
            level: 'error',
            source: 'host',
            message: `process supervision close failed: ${errorMessage(error)}`,
          });
        }
      })();
      return closing;
    },
  };

  if (options.server) {
    try {
      server = await options.server(host);
    } catch (error) {
      await host.close();
      throw error;
    }
  }

  const wanted = options.enable ?? 'all';
  if (wanted !== 'all') {
    for (const id of wanted) {
      if (!entries.has(id)) {
        log({ level: 'warn', source: 'host', message: `cannot enable "${id}": no such extension` });
      }
    }
  }
  // The operator's saved enable / disable wins over the `enable` option.
  const toEnable = [...entries.values()].filter(
    (entry) =>
      entry.controller &&
      (enabledStore.get(entry.identifier) ??
        (wanted === 'all' || wanted.includes(entry.identifier))),
  );
  await Promise.allSettled(
    toEnable.map((entry) =>
      enableEntry(entry).catch((error) =>
        log({
          level: 'error',
          extensionId: entry.identifier,
          source: 'host',
          message: `enable failed: ${errorMessage(error)}`,
        }),
      ),
    ),
  );
  return host;
}
