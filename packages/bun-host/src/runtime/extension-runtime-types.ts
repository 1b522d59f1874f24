/**
 * The options and the surface of one extension's wiring (`extension-runtime.ts`).
 */
import type {
  BackendProcessInfoDTO,
  BackendProcessSpawnOptionsDTO,
  ExtensionScope,
  HostToWorker,
  LogLevel,
  RuntimeStatsEvent,
  SpindleErrorCode,
  SpindleHostDescriptorV1,
  SpindleManifest,
  SpindleRuntimeMode,
} from '@spindle/types';
import type { RuntimeActivationHooks } from '../activation/types.ts';
import type { FrontendGateway } from '../frontend/gateway.ts';
import type { ProcessService } from '../processes/service.ts';
import type { LaunchSettings, SandboxCapabilities } from '../sandbox/index.ts';
import type { ServiceCallLimits } from '../services/call.ts';
import type { ServiceRegistry } from '../services/registry.ts';
import type { StatsConfig } from '../stats/index.ts';
import type { ResolvedStorageLimits } from '../storage/index.ts';
import type { ExtensionController, ExtensionStateChange, RuntimeExitEvent } from './controller.ts';
import type { RuntimeLimits } from './limits.ts';
import type { RuntimeTimingOptions } from './timing.ts';
import type { Timers } from './types.ts';

/** Why a frontend message was not handed to the runtime, for the sender's error frame. */
export interface FrontendRefusal {
  code: SpindleErrorCode;
  message: string;
}

/** Everything one extension's runtime needs. */
export interface ExtensionRuntimeOptions {
  extension: {
    identifier: string;
    path: string;
    manifest: SpindleManifest;
    backendEntryPath: string;
  };
  scope: ExtensionScope;
  /** `spindle.host` of the extension. */
  host: SpindleHostDescriptorV1;
  storagePath: string;
  /** File recording the version whose `storage_seed_files` were copied (see `seed.ts`). */
  seedStatePath: string;
  /** App services of the host. @default none */
  services?: ServiceRegistry | undefined;
  /** Byte bounds of service calls. */
  serviceLimits?: ServiceCallLimits | undefined;
  /** Bounds of the extension's storage (size per call, quotas, concurrency). */
  storageLimits?: ResolvedStorageLimits | undefined;
  /** Permissions granted to the extension now. @default what its manifest asks for */
  grantedPermissions?: (() => string[]) | undefined;
  runtimeMode: SpindleRuntimeMode;
  env: Record<string, string | undefined>;
  /** Runtime stats settings, read once by the host. */
  stats: StatsConfig;
  gateway: FrontendGateway;
  processService: ProcessService;
  /** A log line; `event` and `data` make it a structured record (docs/operations.md, "Logs"). */
  log(
    level: LogLevel,
    message: string,
    source: 'runtime' | 'stdout' | 'stderr' | 'host',
    record?: { event: string; data?: Record<string, unknown>; pid?: number },
  ): void;
  onStats(event: RuntimeStatsEvent): void;
  onStateChange(change: ExtensionStateChange): void;
  onExit(event: RuntimeExitEvent): void;
  timing?: RuntimeTimingOptions | undefined;
  /** Memory, ping, inbound-queue and log limits of this extension's runtime. @default RUNTIME_LIMIT_DEFAULTS */
  limits?: RuntimeLimits | undefined;
  timers?: Timers | undefined;
  sandboxCapabilities?: SandboxCapabilities | undefined;
  /** The operator's launch settings, resolved once by the host. @default resolved from `env` */
  launch?: LaunchSettings | undefined;
  /** The host's activation manager. @default none: needs do not start anything */
  activation?: RuntimeActivationHooks | undefined;
  /** An app service call settled (`outcome`: `ok` or the error code). @default ignored */
  onServiceCall?:
    | ((namespace: string, method: string, outcome: string, ms: number) => void)
    | undefined;
}

/** One extension's controller and its inbound frontend hook. */
export interface ExtensionRuntime {
  readonly controller: ExtensionController;
  /**
   * Hands a frontend's `sendToBackend` payload to the runtime (scope enforced). While the
   * runtime is starting, restarting or being woken, payloads wait in a queue bounded in count and
   * bytes and are delivered once it is running. Returns why a payload was refused, for the
   * sender's error frame: `RUNTIME_BUSY` (its inbound queue is at `inboundQueueBytes`, or the
   * waiting queue is full), `EXTENSION_INACTIVE` (it cannot run), `FORBIDDEN` (another user's).
   */
  deliverFrontendMessage(
    payload: unknown,
    userId: string,
    frontendSessionId: string,
  ): FrontendRefusal | undefined;
  /**
   * Fires `spindle.on(event)` handlers in the running runtime; dropped when it is not running,
   * or when `userId` names a user a user-scoped extension does not serve.
   */
  emitEvent(event: string, payload: unknown, userId?: string): void;
  /** Sends an update (`services`, `permissions`) to the running runtime; dropped otherwise. */
  update(message: Extract<HostToWorker, { type: 'services' | 'permissions' }>): void;
  /**
   * The activation a queued need asked for failed: what waits is refused (logged) unless a start
   * is still under way.
   */
  activationFailed(why: string): void;
  /** Frontend messages and app events waiting for the runtime now. */
  waiting(): number;
  /**
   * Spawns a backend process of the extension on the host's behalf, as if its runtime had asked
   * (lifecycle events and messages go to the runtime, which must be running).
   */
  spawnProcess(options: BackendProcessSpawnOptionsDTO): Promise<BackendProcessInfoDTO>;
}
