/**
 * The shapes of a host: its options, events, extension view and methods (`createSpindleHost`
 * in `host.ts` builds one).
 */
import type {
  BackendProcessInfoDTO,
  BackendProcessSpawnOptionsDTO,
  ExtensionActivationDTO,
  ExtensionScope,
  ExtensionStateDTO,
  LogLevel,
  RuntimeExitReason,
  RuntimeStatsEvent,
  SandboxStatus,
  SpindleHostDescriptorV1,
  SpindleManifest,
  SpindleRuntimeMode,
} from '@spindle/types';
import type { Emitter } from 'mitt';
import type { BusyReason } from './activation/idle.ts';
import type { ActivationEvents, ActivationSettings } from './activation/types.ts';
import type { FrontendGateway } from './frontend/gateway.ts';
import type { ProcessService } from './processes/service.ts';
import type { ExtensionStateChange, RuntimeExitEvent } from './runtime/controller.ts';
import type { RuntimeLimitOptions } from './runtime/limits.ts';
import type { RuntimeTimingOptions } from './runtime/timing.ts';
import type { Timers } from './runtime/types.ts';
import type { LaunchOptions, SandboxCapabilities } from './sandbox/index.ts';
import type { ServiceCallLimits } from './services/call.ts';
import type { HostPermissions, PermissionPolicy } from './services/permissions.ts';
import type { HostServices, ServiceRegistry } from './services/registry.ts';
import type { StorageLimits } from './storage/index.ts';

/** Levels of host log lines: `debug` below what `spindle.log` has. */
export type HostLogLevel = 'debug' | LogLevel;

/** One line for the host log (one record of the structured log, docs/operations.md). */
export interface HostLogEntry {
  level: HostLogLevel;
  message: string;
  /** The extension the line is about (its identifier), absent for host-wide lines. */
  extensionId?: string;
  /**
   * `runtime`: `spindle.log` / worker console; `stdout` / `stderr`: a subprocess runtime's output;
   * `host`: the host about an extension or itself.
   */
  source: 'runtime' | 'stdout' | 'stderr' | 'host';
  /**
   * What happened, for lines that report an event (`state`, `exit`, `activation`, `hibernation`,
   * `drain`, `reload`, `config`, …); absent for free text such as runtime output.
   */
  event?: string;
  /** OS pid of the runtime the line is about. */
  pid?: number;
  /** Runtime mode of the runtime the line is about. */
  runtimeMode?: SpindleRuntimeMode;
  /** Structured details of the event (JSON). */
  data?: Record<string, unknown>;
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
  /** An activation ended (`outcome` is `ok` or the error code) after `ms`. */
  activation: ActivationEvents['activation'];
  /** A running runtime was hibernated. */
  hibernation: ActivationEvents['hibernation'];
  /** A process of an extension changed state (spawned: `previousState` absent). */
  process: HostProcessEvent;
  /** An app service call of a runtime settled. */
  service_call: HostServiceCallEvent;
  /** `drain()` began (`phase: 'start'`) or a step of it finished. */
  drain: { phase: 'start' | 'processes' | 'runtimes' | 'sessions' | 'done'; at: number };
};

/** A process lifecycle change, as `SpindleHostEvents.process` reports it. */
export interface HostProcessEvent {
  extensionId: string;
  side: 'frontend' | 'backend';
  state: string;
  /** Absent on the event of a new process. */
  previousState?: string;
  exitReason?: string;
}

/** One settled app service call, as `SpindleHostEvents.service_call` reports it. */
export interface HostServiceCallEvent {
  extensionId: string;
  namespace: string;
  method: string;
  /** `ok`, or the error's code. */
  outcome: string;
  ms: number;
}

/** A running server started by `options.server`. */
export interface HostServer {
  /** The port it listens on; `undefined` for handlers mounted on the app's own server. */
  readonly port: number | undefined;
  /** Stops it; sessions are closed with `reason` when one is given (a drain). */
  stop(reason?: string): void | Promise<void>;
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
  /**
   * Lazy activation, idle hibernation and the cap on running runtimes (docs/operations.md).
   * @default every extension eager, no hibernation, no cap (upstream's behaviour)
   */
  activation?: ActivationSettings;
  /**
   * Remember `enable` / `disable` of each extension in `<dataDir>/state/<id>/enabled.json`, and
   * apply it over `enable` at start. @default true
   */
  persistEnabled?: boolean;
}

/** Options of `SpindleHost.drain`. */
export interface DrainOptions {
  /**
   * How long live processes may take to finish by themselves before they are stopped.
   * @default 30000
   */
  deadlineMs?: number;
  /** The close reason sessions get. @default "the host is shutting down for maintenance" */
  reason?: string;
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
  /** How its last runtime ended, while it is `failed`, `crashed`, `restarting` or `hibernated`. */
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
  /** Its activation policy and sub-state. */
  activation?: ExtensionActivationDTO;
  /** Why its running runtime is not idle (empty: idle). Only while it runs. */
  busy?: BusyReason[];
  /** Frontend messages and app events waiting for its runtime. */
  waiting?: number;
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
  /** Stops and starts its runtime again (a disabled or hibernated one is enabled and started). */
  restart(identifier: string): Promise<HostExtensionInfo>;
  /** Starts the runtime of a `hibernated` extension (resolves once it runs or failed). */
  wake(identifier: string): Promise<HostExtensionInfo>;
  /** Stops its running runtime and leaves it `hibernated` (exit reason `hibernated`). */
  hibernate(identifier: string): Promise<HostExtensionInfo>;
  /**
   * Re-reads its `spindle.json` and bundles (after an upgrade) and starts it again if it was
   * enabled; other extensions are not touched. A manifest that does not validate, or names
   * another identifier, is refused with `INVALID_MANIFEST` and the running version is kept.
   */
  reload(identifier: string): Promise<HostExtensionInfo>;
  /**
   * Spawns a backend process of the extension on the app's or operator's behalf, as if its
   * runtime had called `spindle.backendProcesses.spawn` (its events go to the runtime): a lazy or
   * hibernated extension is woken first. Refused with `DRAINING` while draining.
   */
  spawnProcess(
    identifier: string,
    options: BackendProcessSpawnOptionsDTO,
  ): Promise<BackendProcessInfoDTO>;
  /** Replaces the activation settings at run time (config reload): policies, idle times, cap. */
  configure(settings: { activation?: ActivationSettings }): void;
  /** True from `drain()` on: new activations and spawns are refused with `DRAINING`. */
  readonly draining: boolean;
  /**
   * Runtimes holding a slot now, the cap (`Infinity` without one) and activations waiting for
   * room (docs/operations.md, "Capacity").
   */
  capacity(): { occupied: number; max: number; waiting: number };
  /**
   * Graceful shutdown: refuses new activations and spawns (`DRAINING`), lets live processes
   * finish up to `deadlineMs`, stops the rest, then every runtime, then closes sessions with a
   * clear reason, then everything else (`close()`). Idempotent.
   */
  drain(options?: DrainOptions): Promise<void>;
  /** Stops the server, every runtime and process supervision at once. Idempotent. */
  close(): Promise<void>;
}
