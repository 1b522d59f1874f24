/**
 * `createSpindleHost`: discovers extensions, runs each enabled extension's backend half in the
 * chosen runtime mode, routes its traffic (frontends, storage, processes) and reports what
 * happens through `events`.
 */
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  DEFAULT_LUMIVERSE_VERSION,
  type ExtensionInfoDTO,
  type ExtensionScope,
  type ExtensionStateDTO,
  errorMessage,
  type LogLevel,
  RUNTIME_CAPABILITIES,
  RUNTIME_EVENTS,
  RUNTIME_MODES,
  type RuntimeExitReason,
  type RuntimeStatsEvent,
  type SandboxStatus,
  type ServiceDescriptor,
  SpindleError,
  type SpindleHostDescriptorV1,
  type SpindleManifest,
  type SpindleRuntimeMode,
  unknownPermissions,
  withServiceCapabilities,
} from '@spindle/types';
import mitt, { type Emitter } from 'mitt';
import { discoverExtensions } from './extensions/discovery.ts';
import { seedStatePath } from './extensions/seed.ts';
import type { FrontendGateway, FrontendGatewayEvents } from './frontend/gateway.ts';
import type { ProcessService } from './processes/service.ts';
import type {
  ExtensionController,
  ExtensionStateChange,
  RuntimeExitEvent,
} from './runtime/controller.ts';
import {
  createExtensionRuntime,
  type ExtensionRuntime,
  type FrontendRefusal,
} from './runtime/extension-runtime.ts';
import {
  type RuntimeLimitOptions,
  readRuntimeLimitsEnv,
  runtimeLimitsResolver,
} from './runtime/limits.ts';
import { createNullGateway } from './runtime/null-gateway.ts';
import { unconfiguredProcessService } from './runtime/router.ts';
import type { RuntimeTimingOptions } from './runtime/timing.ts';
import type { Timers } from './runtime/types.ts';
import {
  hardenHost,
  type LaunchOptions,
  resolveLaunchSettings,
  type SandboxCapabilities,
} from './sandbox/index.ts';
import type { ServiceCallLimits } from './services/call.ts';
import {
  type HostPermissions,
  type PermissionChange,
  type PermissionPolicy,
  PermissionStore,
} from './services/permissions.ts';
import {
  type HostServices,
  ServiceRegistry,
  type ServiceRegistryEvents,
} from './services/registry.ts';
import { readStatsConfig } from './stats/index.ts';
import { resolveStorageLimits, type StorageLimits } from './storage/index.ts';

/** One line for the host log. */
export interface HostLogEntry {
  level: LogLevel;
  message: string;
  /** The extension the line is about (its identifier), absent for host-wide lines. */
  extensionId?: string;
  /**
   * `runtime`: `spindle.log` / worker console; `stdout` / `stderr`: a subprocess runtime's output;
   * `host`: the host about an extension or itself.
   */
  source: 'runtime' | 'stdout' | 'stderr' | 'host';
}

/** Events of a host. */
export type SpindleHostEvents = {
  /** An extension changed state. */
  state: ExtensionStateChange;
  /** A runtime ended, with its structured reason. */
  exit: RuntimeExitEvent;
  /** A log line (also handed to `logger`). */
  log: HostLogEntry;
  /**
   * Runtime stats, when `LUMIVERSE_SPINDLE_RUNTIME_STATS` is enabled (also broadcast to admin
   * sessions as `runtime_stats`).
   */
  stats: RuntimeStatsEvent;
};

/** A running server started by `options.server`. */
export interface HostServer {
  /** The port it listens on; `undefined` for handlers mounted on the app's own server. */
  readonly port: number | undefined;
  stop(): void | Promise<void>;
}

/**
 * Options of `createSpindleHost`. The launch settings (`cacheDir`, `runtimeUser`,
 * `allowRootRuntimes`, `allowWeakerSandbox`, `pidsMax`) are described on `LaunchOptions`; a
 * host's `cacheDir` defaults to `<dataDir>/cache`.
 */
export interface SpindleHostOptions extends LaunchOptions {
  /** Folder whose sub-folders with a `spindle.json` are extensions. */
  extensionsDir: string;
  /** Folder for host data; extension storage lives in `<dataDir>/storage/<identifier>`. */
  dataDir: string;
  /**
   * Backend runtime mode.
   * @default env `LUMIVERSE_SPINDLE_RUNTIME_MODE`, else `"process"`
   */
  runtimeMode?: SpindleRuntimeMode;
  /** Port for the server factory (0 picks a free port). @default 0 */
  port?: number;
  /** Address for the server factory. @default "127.0.0.1" */
  hostname?: string;
  /** Extensions to enable at start. @default "all" */
  enable?: string[] | 'all';
  /** Scope per extension identifier. @default operator scope for every extension */
  scopes?: Record<string, ExtensionScope>;
  /** Receives every log line. @default `consoleLogger` */
  logger?: (entry: HostLogEntry) => void;
  /**
   * Environment read for `LUMIVERSE_*` settings and scrubbed into subprocess runtimes.
   * @default process.env
   */
  env?: Record<string, string | undefined>;
  /** Frontend sessions. @default a gateway without sessions */
  frontendGateway?: FrontendGateway;
  /** Process supervision; closed by `close()`. @default one that refuses every request */
  processService?: ProcessService;
  /** Starts the HTTP/WebSocket server once extensions are discovered; stopped by `close()`. */
  server?: (host: SpindleHost) => HostServer | Promise<HostServer>;
  /** Lifecycle deadlines (tests compress them). */
  timing?: RuntimeTimingOptions;
  /**
   * Limits of every runtime (memory, ping deadline, inbound queue, log lines), over the
   * defaults and the `LUMIVERSE_SPINDLE_*` variables of `env` (`docs/limits.md`).
   * @default RUNTIME_LIMIT_DEFAULTS
   */
  runtimeLimits?: RuntimeLimitOptions;
  /** Limits of single extensions by identifier, over `runtimeLimits`. @default none */
  extensionLimits?: Record<string, RuntimeLimitOptions>;
  /** Clock. @default the global timers */
  timers?: Timers;
  /**
   * App services (`spindle.<namespace>` in runtimes). Pass a registry to register services
   * before the first extension starts; later registrations reach running runtimes at once.
   * @default an empty registry (`host.services`)
   */
  services?: ServiceRegistry;
  /** Byte bounds of service calls. @default SERVICE_CALL_DEFAULTS */
  serviceLimits?: ServiceCallLimits;
  /**
   * Bounds of extension storage: size per call, quota per extension and per user, operations
   * at once (docs/limits.md). @default STORAGE_LIMIT_DEFAULTS
   */
  storageLimits?: StorageLimits;
  /**
   * The operator's grants: per extension, or what the manifest asks for, minus `deny`.
   * @default every extension is granted what its manifest asks for
   */
  permissions?: PermissionPolicy;
  /**
   * Lumiverse version the host declares in `spindle.host` / `ctx.host`.
   * @default DEFAULT_LUMIVERSE_VERSION ("1.2.0")
   */
  lumiverseVersion?: string;
  /**
   * Isolation layers for `process` and `sandbox` runtimes (tests, or a host that probed already).
   * @default detected once per host process
   */
  sandboxCapabilities?: SandboxCapabilities;
}

/** An extension as the host sees it. */
export interface HostExtensionInfo {
  identifier: string;
  /** Absolute path of its folder. */
  path: string;
  /** Absent when the manifest is invalid (state `error`). */
  manifest?: SpindleManifest;
  state: ExtensionStateDTO;
  /** Why it is in `error`, `failed` or `crashed`. */
  error?: string;
  /** How its last runtime ended, while it is `failed`, `crashed` or `restarting`. */
  exitReason?: RuntimeExitReason;
  scope: ExtensionScope;
  /** Runtime mode of its running runtime. */
  runtimeMode?: SpindleRuntimeMode;
  /** OS pid of its runtime (the host's own in `worker` mode). */
  pid?: number;
  /** Sandbox layers of its runtime in `sandbox` mode. */
  sandbox?: SandboxStatus;
  /** Its host descriptor (`spindle.host`, `ctx.host`); absent when the manifest is invalid. */
  host?: SpindleHostDescriptorV1;
  /** Permissions granted to it now. */
  grantedPermissions?: string[];
}

/** A running host. */
export interface SpindleHost {
  readonly runtimeMode: SpindleRuntimeMode;
  readonly hostname: string;
  /** The server's port, once `options.server` started one. */
  readonly port: number | undefined;
  readonly events: Emitter<SpindleHostEvents>;
  readonly frontendGateway: FrontendGateway;
  /** App services: `register(namespace, methods, options)`, `emit(event, payload)`. */
  readonly services: HostServices;
  /** The grants of every extension: `granted`, `grant`, `revoke`, `set`, `reset`. */
  readonly permissions: HostPermissions;
  /** Every discovered extension, sorted by folder. */
  list(): HostExtensionInfo[];
  get(identifier: string): HostExtensionInfo | undefined;
  /** Starts the extension's runtime; resolves once it is `running` or `failed`. */
  enable(identifier: string): Promise<HostExtensionInfo>;
  /** Stops it; resolves once it is `disabled`. */
  disable(identifier: string): Promise<HostExtensionInfo>;
  /** Stops and starts it again. */
  restart(identifier: string): Promise<HostExtensionInfo>;
  /** Stops the server, every runtime and process supervision. Idempotent. */
  close(): Promise<void>;
}

/** The default logger: `[identifier] message`, warnings and errors on stderr. */
export function consoleLogger(entry: HostLogEntry): void {
  const tag = entry.extensionId ? `[${entry.extensionId}]` : '[spindle-host]';
  const text = entry.message
    .split('\n')
    .map((line) => `${tag} ${line}`)
    .join('\n');
  if (entry.level === 'info' && entry.source !== 'stderr') console.log(text);
  else console.error(text);
}

/** The `ExtensionInfoDTO` of a frontend listing; `undefined` for an extension in `error`. */
export function toExtensionInfoDTO(info: HostExtensionInfo): ExtensionInfoDTO | undefined {
  if (!info.manifest) return undefined;
  return {
    identifier: info.identifier,
    manifest: info.manifest,
    state: info.state,
    ...(info.error === undefined ? {} : { error: info.error }),
    ...(info.runtimeMode === undefined ? {} : { runtimeMode: info.runtimeMode }),
    ...(info.host === undefined ? {} : { host: info.host }),
    ...(info.grantedPermissions === undefined
      ? {}
      : { grantedPermissions: info.grantedPermissions }),
    ...(info.exitReason === undefined ? {} : { exitReason: info.exitReason }),
  };
}

/**
 * The host descriptor of one installation: the declared Lumiverse version, the capabilities the
 * runtime provides, and a stable installation id (the identifier, with the installer's user id
 * for a user-scoped extension).
 */
export function hostDescriptor(
  identifier: string,
  scope: ExtensionScope,
  lumiverseVersion: string = DEFAULT_LUMIVERSE_VERSION,
): SpindleHostDescriptorV1 {
  return Object.freeze({
    descriptorVersion: 1,
    lumiverseVersion,
    capabilities: RUNTIME_CAPABILITIES,
    extensionInstallationId: scope.kind === 'user' ? `${identifier}@${scope.userId}` : identifier,
  });
}

/** Reads the runtime mode from the option or `LUMIVERSE_SPINDLE_RUNTIME_MODE`. */
export function resolveRuntimeMode(
  option: SpindleRuntimeMode | undefined,
  env: Record<string, string | undefined>,
): SpindleRuntimeMode {
  const raw = option ?? env.LUMIVERSE_SPINDLE_RUNTIME_MODE?.trim() ?? 'process';
  const value = raw === '' ? 'process' : raw;
  if (!(RUNTIME_MODES as readonly string[]).includes(value)) {
    throw new SpindleError(
      'INVALID_OPTIONS',
      `runtime mode must be one of ${RUNTIME_MODES.join(', ')}, got "${value}"`,
    );
  }
  return value as SpindleRuntimeMode;
}

interface Entry {
  identifier: string;
  path: string;
  scope: ExtensionScope;
  manifest?: SpindleManifest;
  error?: string;
  host?: SpindleHostDescriptorV1;
  controller?: ExtensionController;
  deliver?: (payload: unknown, userId: string, sessionId: string) => FrontendRefusal | undefined;
  emitEvent?: (event: string, payload: unknown, userId?: string) => void;
  update?: ExtensionRuntime['update'];
}

/** Creates a host: discovers extensions, starts the server (if any) and enables extensions. */
export async function createSpindleHost(options: SpindleHostOptions): Promise<SpindleHost> {
  const env = options.env ?? process.env;
  const runtimeMode = resolveRuntimeMode(options.runtimeMode, env);
  const hostname = options.hostname ?? '127.0.0.1';
  const logger = options.logger ?? consoleLogger;
  const events = mitt<SpindleHostEvents>();
  const gateway = options.frontendGateway ?? createNullGateway();
  const processService = options.processService ?? unconfiguredProcessService;
  const dataDir = resolve(options.dataDir);
  const launch = resolveLaunchSettings(options, env, join(dataDir, 'cache'));
  // Same-user processes (extension runtimes among them) must not read the host's environment.
  await hardenHost();
  const entries = new Map<string, Entry>();
  let server: HostServer | undefined;
  let closing: Promise<void> | undefined;

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
  const services = options.services ?? new ServiceRegistry();
  const storageLimits = resolveStorageLimits(options.storageLimits);
  const permissions = new PermissionStore(options.permissions ?? {}, join(dataDir, 'state'));
  for (const found of await discoverExtensions(options.extensionsDir)) {
    const scope = options.scopes?.[found.identifier] ?? { kind: 'operator' };
    const entry: Entry = { identifier: found.identifier, path: found.path, scope };
    entries.set(found.identifier, entry);
    if (!found.ok) {
      entry.error = found.error;
      log({ level: 'error', extensionId: found.identifier, source: 'host', message: found.error });
      continue;
    }
    entry.manifest = found.manifest;
    entry.host = hostDescriptor(found.identifier, scope, options.lumiverseVersion);
    const unknown = unknownPermissions(found.manifest.permissions);
    if (unknown.length > 0) {
      log({
        level: 'warn',
        extensionId: found.identifier,
        source: 'host',
        message: `spindle.json asks for permission(s) this host does not know: ${unknown.join(', ')} (kept in the manifest)`,
      });
    }
    permissions.add(found.identifier, found.manifest.permissions);
    const storagePath = join(dataDir, 'storage', found.identifier);
    await mkdir(storagePath, { recursive: true });
    const runtime = createExtensionRuntime({
      extension: found,
      scope,
      host: entry.host,
      storagePath,
      seedStatePath: seedStatePath(dataDir, found.identifier),
      services,
      serviceLimits: options.serviceLimits,
      storageLimits,
      grantedPermissions: () => permissions.granted(found.identifier),
      runtimeMode,
      env,
      stats,
      gateway,
      processService,
      log: (level, message, source) =>
        log({ level, message, source, extensionId: found.identifier }),
      onStats: (event) => {
        events.emit('stats', event);
        // The gateway delivers these to admin sessions that subscribed only.
        gateway.broadcast({ type: 'runtime_stats', event }, { adminOnly: true });
      },
      timing: options.timing,
      limits: limitsOf(found.identifier),
      timers: options.timers,
      sandboxCapabilities: options.sandboxCapabilities,
      launch,
      onStateChange: (change) => {
        events.emit('state', change);
        const dto = toExtensionInfoDTO(info(entry));
        if (dto) gateway.broadcast({ type: 'extension_state', extension: dto });
      },
      onExit: (event) => events.emit('exit', event),
    });
    entry.controller = runtime.controller;
    entry.deliver = runtime.deliverFrontendMessage;
    entry.emitEvent = runtime.emitEvent;
    entry.update = runtime.update;
  }

  const announce = (entry: Entry) => {
    const dto = toExtensionInfoDTO(info(entry));
    if (dto) gateway.broadcast({ type: 'extension_state', extension: dto });
  };
  const onServicesChanged = (list: ServiceDescriptor[]) => {
    for (const entry of entries.values()) {
      entry.update?.({ type: 'services', services: list });
      if (entry.controller) announce(entry);
    }
  };
  const onServiceEvent = ({ event, payload, userId }: ServiceRegistryEvents['event']) => {
    for (const entry of entries.values()) entry.emitEvent?.(event, payload, userId);
  };
  const onPermissionChanged = (change: PermissionChange) => {
    const entry = entries.get(change.extensionId);
    if (!entry) return;
    entry.update?.({
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
    if (!entry?.controller) return;
    const refusal = entry.deliver?.(message.payload, session.userId, session.sessionId);
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
      entry.emitEvent?.(RUNTIME_EVENTS.FRONTEND_SESSION_CLOSED, payload, session.userId);
    }
  };
  gateway.events.on('session_closed', onSessionClosed);

  const info = (entry: Entry): HostExtensionInfo => {
    const controller = entry.controller;
    const runtime = controller?.runtime;
    const error = entry.error ?? controller?.error;
    const exitReason = controller?.exitReason;
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
    };
  };

  const controllerOf = (identifier: string, action: string): [Entry, ExtensionController] => {
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

  const host: SpindleHost = {
    runtimeMode,
    hostname,
    get port() {
      return server?.port;
    },
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
      const [entry, controller] = controllerOf(identifier, 'enable');
      await controller.enable();
      return info(entry);
    },
    async disable(identifier) {
      const [entry, controller] = controllerOf(identifier, 'disable');
      await controller.disable();
      return info(entry);
    },
    async restart(identifier) {
      const [entry, controller] = controllerOf(identifier, 'restart');
      await controller.restart();
      return info(entry);
    },
    close() {
      closing ??= (async () => {
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
        await Promise.allSettled([...entries.values()].map((entry) => entry.controller?.close()));
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
  const toEnable = [...entries.values()].filter(
    (entry) => entry.controller && (wanted === 'all' || wanted.includes(entry.identifier)),
  );
  if (wanted !== 'all') {
    for (const id of wanted) {
      if (!entries.has(id)) {
        log({ level: 'warn', source: 'host', message: `cannot enable "${id}": no such extension` });
      }
    }
  }
  await Promise.allSettled(
    toEnable.map((entry) =>
      entry.controller?.enable().catch((error) =>
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
