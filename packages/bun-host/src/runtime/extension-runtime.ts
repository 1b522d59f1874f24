/**
 * Wires one extension: its lifecycle controller, the launcher for the chosen mode, the router
 * for its traffic, its process context and its runtime stats.
 */
import {
  type BackendProcessInfoDTO,
  type BackendProcessSpawnOptionsDTO,
  type ExtensionScope,
  errorMessage,
  type HostToWorker,
  jsonByteSize,
  type LogLevel,
  type RuntimeExitReason,
  type RuntimeStatsEvent,
  SpindleError,
  type SpindleErrorCode,
  type SpindleHostDescriptorV1,
  type SpindleManifest,
  type SpindleRuntimeMode,
} from '@spindle/types';
import { ActivationInbox } from '../activation/inbox.ts';
import type { RuntimeActivationHooks } from '../activation/types.ts';
import type { FrontendGateway } from '../frontend/gateway.ts';
import type { ExtensionProcessContext, ProcessService } from '../processes/service.ts';
import {
  type LaunchSettings,
  resolveLaunchSettings,
  type SandboxCapabilities,
} from '../sandbox/index.ts';
import { callService, type ServiceCaller, type ServiceCallLimits } from '../services/call.ts';
import type { ServiceRegistry } from '../services/registry.ts';
import { createStatsSampler, type StatsConfig, type StatsSampler } from '../stats/index.ts';
import { type ResolvedStorageLimits, STORAGE_LIMIT_DEFAULTS } from '../storage/index.ts';
import {
  ExtensionController,
  type ExtensionStateChange,
  type RuntimeExitEvent,
} from './controller.ts';
import { RUNTIME_LIMIT_DEFAULTS, type RuntimeLimits } from './limits.ts';
import { procAvailable } from './memory-cap.ts';
import { isBackendless } from './no-backend.ts';
import { RuntimeRouter } from './router.ts';
import { RuntimeGuard } from './runtime-guard.ts';
import { createRuntimeLauncher } from './runtime-launcher.ts';
import { createRuntimeLog } from './runtime-log.ts';
import type { RuntimeTimingOptions } from './timing.ts';
import { type RuntimeInstance, realTimers, type Timers } from './types.ts';

/** Frontend messages kept per extension while its runtime starts. */
export const FRONTEND_INBOX_LIMIT = 256;

/** App events (listed in `activationEvents`) kept per extension while its runtime starts. */
export const EVENT_INBOX_LIMIT = 256;

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

/** Exit reasons of a runtime that ended as asked (logged at `info`). */
const CLEAN_EXITS: ReadonlySet<string> = new Set(['stopped', 'idle', 'evicted', 'hibernated']);

/** Creates the controller of one extension (disabled until `enable()`). */
export function createExtensionRuntime(o: ExtensionRuntimeOptions): ExtensionRuntime {
  const { extension, runtimeMode } = o;
  const { stats } = o;
  const limits = o.limits ?? RUNTIME_LIMIT_DEFAULTS;
  const timers = o.timers ?? realTimers;
  const samplers = new WeakMap<RuntimeInstance, StatsSampler>();
  const guards = new WeakMap<RuntimeInstance, RuntimeGuard>();
  /** The guard of the running runtime (at most one runtime of an extension runs). */
  let active: { runtime: RuntimeInstance; guard: RuntimeGuard } | undefined;
  /** The exit reason of the runtime that is ending, for its stats `shutdown` event. */
  let endingWith: RuntimeExitReason | undefined;
  let controller: ExtensionController;
  const hooks = o.activation;
  const runtimeLog = createRuntimeLog(limits, timers, o.log);
  const post = (message: HostToWorker) => {
    const runtime = controller.runtime;
    if (!runtime) return;
    runtime.channel.send(message);
    // The hot path of every message to the runtime: the running guard, without a map lookup.
    if (active?.runtime === runtime) active.guard.sent();
  };
  const settings = o.launch ?? resolveLaunchSettings({}, o.env);
  const processContext: ExtensionProcessContext = {
    extensionId: extension.identifier,
    manifest: extension.manifest,
    extensionPath: extension.path,
    storagePath: o.storagePath,
    scope: o.scope,
    runtimeMode,
    launch: settings,
    post: (message) => {
      if (hooks) {
        if (message.type === 'backend_process_lifecycle') {
          const { state, exitReason, previousState } = message.event;
          hooks.processEvent('backend', state, exitReason, previousState);
        } else if (message.type === 'frontend_process_lifecycle') {
          const { state, exitReason, previousState } = message.event;
          hooks.processEvent('frontend', state, exitReason, previousState);
        }
      }
      post(message);
    },
  };
  const granted = () => o.grantedPermissions?.() ?? [...extension.manifest.permissions];
  // Aborted when the runtime a call came from is gone: the method learns it cannot answer.
  let calls = new AbortController();
  const endCalls = () => {
    calls.abort(
      new SpindleError('EXTENSION_UNLOADED', `the runtime of ${extension.identifier} stopped`),
    );
    calls = new AbortController();
  };
  const scopeNoted = new Set<string>();
  const caller: ServiceCaller = {
    extensionId: extension.identifier,
    manifest: extension.manifest,
    scope: o.scope,
    grantedPermissions: granted,
    onScopeMismatch: (operation, named) => {
      if (scopeNoted.has(operation) || o.scope.kind !== 'user') return;
      scopeNoted.add(operation);
      o.log(
        'warn',
        `${operation} named user ${named}, but the extension is installed for ${o.scope.userId} only: it acts for ${o.scope.userId} (logged once)`,
        'host',
      );
    },
    onDenied: (permission, operation) =>
      o.log('warn', `${operation} refused: the "${permission}" permission is not granted`, 'host'),
  };
  const registry = o.services;
  const router = new RuntimeRouter({
    extensionId: extension.identifier,
    scope: o.scope,
    storagePath: o.storagePath,
    gateway: o.gateway,
    processService: o.processService,
    processContext,
    post,
    log: (level, message, source) =>
      source === 'runtime'
        ? runtimeLog.output(level, message, source)
        : runtimeLog.warning(level, message),
    ...(o.storageLimits ? { storageLimits: o.storageLimits } : {}),
    services: {
      call: async (request) => {
        const started = timers.now();
        let outcome = 'ok';
        try {
          if (!registry) {
            throw new SpindleError(
              'SERVICE_UNAVAILABLE',
              `${request.namespace}.${request.method} is not a registered service method`,
            );
          }
          return await callService(
            registry,
            caller,
            request,
            timers,
            calls.signal,
            o.serviceLimits,
          );
        } catch (error) {
          outcome = error instanceof SpindleError ? error.code : 'SERVICE_ERROR';
          throw error;
        } finally {
          o.onServiceCall?.(request.namespace, request.method, outcome, timers.now() - started);
        }
      },
      granted,
    },
    ...(hooks
      ? {
          onActivity: (timers: number, events: string[]) => hooks.activity(timers, events),
          onPending: (count: number) => hooks.pending(count),
        }
      : {}),
  });
  const launch = createRuntimeLauncher({
    extension,
    runtimeMode,
    storagePath: o.storagePath,
    seedStatePath: o.seedStatePath,
    env: o.env,
    sandboxCapabilities: o.sandboxCapabilities,
    settings,
    storageLimits: o.storageLimits ?? STORAGE_LIMIT_DEFAULTS,
    limits,
    log: o.log,
    output: (level, message, source) => runtimeLog.output(level, message, source),
    admitLine: () => runtimeLog.admitOutput(),
    refused: (reason) =>
      runtimeLog.warning('warn', `rejected a message from the runtime: ${reason}`),
    warn: (level, message) => runtimeLog.warning(level, message),
  });

  const inbox = new ActivationInbox<[unknown, string, string]>({
    limit: FRONTEND_INBOX_LIMIT,
    maxBytes: limits.inboundQueueBytes,
    sizeOf: ([payload]) =>
      jsonByteSize(payload, limits.inboundQueueBytes) ?? limits.inboundQueueBytes,
    bytesLabel: 'inboundQueueBytes',
    state: () => controller.state,
    deliver: ([payload, userId, sessionId]) => {
      hooks?.touch();
      router.deliverFrontendMessage(payload, userId, sessionId);
    },
    need: () => hooks?.need('message'),
    refuse: (items, why) =>
      runtimeLog.warning(
        'warn',
        items.length === 1
          ? `dropped a frontend message: ${why}`
          : `dropped ${items.length} waiting frontend message(s): ${why}`,
      ),
  });
  const eventInbox = new ActivationInbox<Extract<HostToWorker, { type: 'event' }>>({
    limit: EVENT_INBOX_LIMIT,
    state: () => controller.state,
    deliver: (message) => {
      hooks?.touch();
      post(message);
    },
    need: () => hooks?.need('event'),
    refuse: (items, why) =>
      o.log('warn', `dropped ${items.length} app event(s) for the extension: ${why}`, 'host'),
  });
  let hostSpawns = 0;

  // What `init` carried; a change while the runtime started is sent once it is running.
  let sentAtInit = { services: '[]', granted: [] as string[] };
  const catchUp = () => {
    const services = registry?.list() ?? [];
    if (JSON.stringify(services) !== sentAtInit.services) post({ type: 'services', services });
    const now = granted();
    const before = new Set(sentAtInit.granted);
    for (const permission of new Set([...now, ...before])) {
      if (before.has(permission) === now.includes(permission)) continue;
      post({ type: 'permissions', granted: now, permission, nowGranted: now.includes(permission) });
    }
  };

  let procChecked = false;
  const startGuard = (runtime: RuntimeInstance) => {
    const guard = new RuntimeGuard({
      runtime,
      limits,
      timers,
      procAvailable: runtime.mode === 'worker' || procAvailable(),
      onLimit: (reason, message) => controller.endForLimit(runtime, reason, message),
    });
    if (!procChecked && limits.memoryLimitMb > 0 && !guard.memoryCapped) {
      o.log('error', 'MEMORY CAP NOT ENFORCED: /proc is not readable on this system', 'host');
    }
    procChecked = true;
    guards.set(runtime, guard);
    active = { runtime, guard };
    guard.start();
  };
  const stopGuard = (runtime: RuntimeInstance) => {
    guards.get(runtime)?.stop();
    guards.delete(runtime);
    if (active?.runtime === runtime) active = undefined;
  };

  const stopSampler = (runtime: RuntimeInstance, exitReason?: RuntimeExitReason) => {
    samplers.get(runtime)?.stop(exitReason);
    samplers.delete(runtime);
  };

  controller = new ExtensionController({
    extensionId: extension.identifier,
    launch,
    buildInit: () => {
      sentAtInit = { services: JSON.stringify(registry?.list() ?? []), granted: granted() };
      return {
        type: 'init',
        manifest: extension.manifest,
        extensionPath: extension.path,
        entryPath: extension.backendEntryPath,
        storagePath: o.storagePath,
        runtimeMode,
        scope: o.scope,
        host: o.host,
        services: registry?.list() ?? [],
        grantedPermissions: sentAtInit.granted,
      };
    },
    onMessage: (message, runtime) => {
      if (message.type === 'pong') guards.get(runtime)?.pong(message);
      else router.handle(message);
    },
    unloadProcesses: () => o.processService.unloadExtension(extension.identifier),
    onStateChange: (change) => {
      if (change.state === 'running') catchUp();
      inbox.stateChanged(change.state);
      eventInbox.stateChanged(change.state);
      const level = change.state === 'failed' || change.state === 'crashed' ? 'error' : 'info';
      const why = change.error ? `: ${change.error}` : '';
      o.log(level, `${change.previousState} → ${change.state}${why}`, 'host', {
        event: 'state',
        data: { state: change.state, previousState: change.previousState },
      });
      o.onStateChange(change);
    },
    onExit: (event) => {
      endingWith = event.reason;
      const how = event.signal ? `signal ${event.signal}` : `code ${event.code ?? '?'}`;
      const level = CLEAN_EXITS.has(event.reason) ? 'info' : 'warn';
      o.log(level, `runtime ${event.pid ?? ''} ended: ${event.reason} (${how})`, 'host', {
        event: 'exit',
        data: { reason: event.reason, code: event.code, signal: event.signal },
        ...(event.pid === undefined ? {} : { pid: event.pid }),
      });
      o.onExit(event);
    },
    // Refusals of invalid messages come through here too, one per message: limited per kind.
    onLog: (level, message) => runtimeLog.warning(level, message),
    onReady: (runtime, startupMs) => {
      // A frontend-only extension has no runtime of its own to watch or measure.
      if (isBackendless(runtime)) return;
      startGuard(runtime);
      if (!stats.enabled) return;
      try {
        const sampler = createStatsSampler({
          extension: extension.identifier,
          name: extension.manifest.name,
          runtimeMode,
          pid: runtime.pid,
          ...(runtime.sandbox === undefined ? {} : { sandbox: runtime.sandbox }),
          intervalMs: stats.sampleIntervalMs,
          emit: o.onStats,
        });
        samplers.set(runtime, sampler);
        sampler.startup(startupMs);
      } catch (error) {
        o.log('warn', `runtime stats unavailable: ${errorMessage(error)}`, 'host');
      }
    },
    // The shutdown event is measured while a stopping runtime is still alive.
    onStopping: (runtime) => {
      stopGuard(runtime);
      stopSampler(runtime);
      endCalls();
    },
    onGone: (runtime) => {
      stopGuard(runtime);
      stopSampler(runtime, endingWith);
      endingWith = undefined;
      runtimeLog.flush();
      endCalls();
    },
    ...(o.timing ? { timing: o.timing } : {}),
    ...(o.timers ? { timers: o.timers } : {}),
  });

  return {
    controller,
    update(message) {
      if (controller.state === 'running') post(message);
    },
    emitEvent(event, payload, userId) {
      if (userId !== undefined && o.scope.kind === 'user' && o.scope.userId !== userId) return;
      const message = {
        type: 'event',
        event,
        payload,
        ...(userId === undefined ? {} : { userId }),
      } as const;
      if (controller.state === 'running' && eventInbox.size === 0) {
        post(message);
        return;
      }
      // Only the events that wake the extension wait for it; the others are for a running one.
      if (hooks?.activationEvents().has(event)) eventInbox.offer(message);
    },
    deliverFrontendMessage(payload, userId, sessionId) {
      const id = extension.identifier;
      const state = controller.state;
      if (state === 'running' && inbox.size === 0) {
        const runtime = controller.runtime;
        if (runtime && isBackendless(runtime)) {
          const message = `extension ${id} has no backend half: its frontend's messages have nowhere to go`;
          runtimeLog.warning(
            'warn',
            'dropped a frontend message: this extension has no backend half',
          );
          return { code: 'EXTENSION_INACTIVE', message };
        }
        const guard = active?.runtime === runtime ? active.guard : undefined;
        if (guard?.inboundFull()) {
          const message = `the backend of ${id} has not taken ${guard.unconfirmedBytes} bytes of earlier messages yet (limit ${limits.inboundQueueBytes}, inboundQueueBytes): message refused, send it again later`;
          runtimeLog.warning('warn', `refused a frontend message: ${message}`);
          return { code: 'RUNTIME_BUSY', message };
        }
        hooks?.touch();
        // Sent through `post`, which counts it against the inbound queue.
        const forbidden = router.deliverFrontendMessage(payload, userId, sessionId);
        return forbidden === undefined ? undefined : { code: 'FORBIDDEN', message: forbidden };
      }
      const offer = inbox.offer([payload, userId, sessionId]);
      if (offer.outcome !== 'refused') return undefined;
      return offer.reason === 'inactive'
        ? {
            code: 'EXTENSION_INACTIVE',
            message: `extension ${id} is ${state}: its backend takes no messages`,
          }
        : { code: 'RUNTIME_BUSY', message: `the backend of ${id} is ${state} and ${offer.why}` };
    },
    activationFailed(why) {
      inbox.needFailed(why);
      eventInbox.needFailed(why);
    },
    waiting: () => inbox.size + eventInbox.size,
    async spawnProcess(options) {
      if (controller.state !== 'running') {
        throw new SpindleError(
          'EXTENSION_INACTIVE',
          `cannot spawn a process of ${extension.identifier}: it is ${controller.state}`,
        );
      }
      hostSpawns += 1;
      hooks?.touch();
      return (await o.processService.handle(processContext, {
        type: 'backend_process_spawn',
        requestId: `host-${hostSpawns}`,
        options,
      })) as BackendProcessInfoDTO;
    },
  };
}
