/**
 * Wires one extension: its lifecycle controller, the launcher for the chosen mode, the router
 * for its traffic, its process context and its runtime stats.
 */
import {
  type ExtensionScope,
  errorMessage,
  type HostToWorker,
  type LogLevel,
  type RuntimeExitReason,
  type RuntimeStatsEvent,
  SpindleError,
  type SpindleErrorCode,
  type SpindleHostDescriptorV1,
  type SpindleManifest,
  type SpindleRuntimeMode,
} from '@spindle/types';
import { isFileSync } from '../extensions/discovery.ts';
import { seedStorage } from '../extensions/seed.ts';
import type { FrontendGateway } from '../frontend/gateway.ts';
import type { ExtensionProcessContext, ProcessService } from '../processes/service.ts';
import {
  type LaunchPlan,
  type LaunchSettings,
  resolveLaunchSettings,
  type SandboxCapabilities,
} from '../sandbox/index.ts';
import { callService, type ServiceCaller, type ServiceCallLimits } from '../services/call.ts';
import type { ServiceRegistry } from '../services/registry.ts';
import { createStatsSampler, type StatsConfig, type StatsSampler } from '../stats/index.ts';
import {
  createStorage,
  type ResolvedStorageLimits,
  STORAGE_LIMIT_DEFAULTS,
} from '../storage/index.ts';
import {
  ExtensionController,
  type ExtensionStateChange,
  type RuntimeExitEvent,
} from './controller.ts';
import { FRONTEND_INBOX_LIMIT, FrontendInbox } from './frontend-inbox.ts';
import { RUNTIME_LIMIT_DEFAULTS, type RuntimeLimits } from './limits.ts';
import { procAvailable } from './memory-cap.ts';
import {
  launchProcessRuntime,
  type ProcessRuntimePlanSpec,
  planProcessRuntime,
} from './process-runtime.ts';
import { RuntimeRouter } from './router.ts';
import { RuntimeGuard } from './runtime-guard.ts';
import { createRuntimeLog } from './runtime-log.ts';
import type { RuntimeTimingOptions } from './timing.ts';
import { type RuntimeInstance, realTimers, type Timers } from './types.ts';
import { launchWorkerRuntime } from './worker-runtime.ts';

export { FRONTEND_INBOX_LIMIT };

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
  log(level: LogLevel, message: string, source: 'runtime' | 'stdout' | 'stderr' | 'host'): void;
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
}

/** One extension's controller and its inbound frontend hook. */
export interface ExtensionRuntime {
  readonly controller: ExtensionController;
  /**
   * Hands a frontend's `sendToBackend` payload to the runtime (scope enforced). While the
   * runtime is starting or restarting, payloads wait in a queue bounded in count and bytes and
   * are delivered once it is running. Returns why a payload was refused, for the sender's error
   * frame: `RUNTIME_BUSY` (its inbound queue is at `inboundQueueBytes`, or the waiting queue is
   * full), `EXTENSION_INACTIVE` (not running nor starting), `FORBIDDEN` (another user's).
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
}

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
    post,
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
        if (!registry) {
          throw new SpindleError(
            'SERVICE_UNAVAILABLE',
            `${request.namespace}.${request.method} is not a registered service method`,
          );
        }
        return callService(registry, caller, request, timers, calls.signal, o.serviceLimits);
      },
      granted,
    },
  });
  const refused = (reason: string) =>
    runtimeLog.warning('warn', `rejected a message from the runtime: ${reason}`);
  const warn = (message: string) => runtimeLog.warning('warn', message);

  // One launch plan per extension, made at its first start and reused by restarts: nothing in
  // it changes between starts (the `init` is added at each one). A failed plan is not kept.
  let plan: Promise<LaunchPlan> | undefined;
  const planOnce = (spec: ProcessRuntimePlanSpec): Promise<LaunchPlan> => {
    if (plan === undefined) {
      const attempt = planProcessRuntime(spec);
      plan = attempt;
      attempt.catch(() => {
        if (plan === attempt) plan = undefined;
      });
    }
    return plan;
  };

  const launch = async (init: HostToWorker): Promise<RuntimeInstance> => {
    if (!isFileSync(extension.backendEntryPath)) {
      throw new SpindleError(
        'IMPORT_FAILED',
        `backend entry ${extension.backendEntryPath} does not exist`,
      );
    }
    const seeded = await seedStorage({
      manifest: extension.manifest,
      extensionPath: extension.path,
      storage: createStorage(o.storagePath, {
        maxFileBytes: o.storageLimits?.maxFileBytes ?? STORAGE_LIMIT_DEFAULTS.maxFileBytes,
        quotaBytes: o.storageLimits?.quotaBytes ?? STORAGE_LIMIT_DEFAULTS.quotaBytes,
      }),
      statePath: o.seedStatePath,
    });
    if (seeded.copied.length > 0) {
      o.log(
        'info',
        `seeded storage: ${seeded.copied.length} file(s) for version ${extension.manifest.version}`,
        'host',
      );
    }
    if (runtimeMode === 'worker') {
      return launchWorkerRuntime({
        cacheDir: settings.cacheDir,
        onError: (text) => runtimeLog.output('error', `uncaught: ${text}`, 'runtime'),
        onRefused: refused,
        onWarn: warn,
      });
    }
    const planSpec: ProcessRuntimePlanSpec = {
      mode: runtimeMode,
      extensionPath: extension.path,
      storagePath: o.storagePath,
      baseEnv: o.env,
      sandboxCapabilities: o.sandboxCapabilities,
      settings,
    };
    const planned = await planOnce(planSpec);
    if (planned.protections) {
      o.log('info', `process: ${planned.protections.join(' + ') || 'no protections'}`, 'host');
    }
    const runtime = await launchProcessRuntime({
      ...planSpec,
      plan: planned,
      init,
      maxLineBytes: limits.maxLogLineBytes,
      admitLine: () => runtimeLog.admitOutput(),
      onLine: (stream, line) => o.log(stream === 'stderr' ? 'warn' : 'info', line, stream),
      onRefused: refused,
      onWarn: (message) => runtimeLog.warning('error', message),
    });
    if (runtime.sandbox !== undefined) {
      const layers =
        runtime.sandbox === 'unavailable' ? 'unavailable' : runtime.sandbox.join(' + ');
      o.log(runtime.sandbox === 'unavailable' ? 'error' : 'info', `sandbox: ${layers}`, 'host');
    }
    return runtime;
  };

  const inbox = new FrontendInbox(limits.inboundQueueBytes);
  const flushInbox = () => {
    for (const { payload, userId, sessionId } of inbox.take()) {
      router.deliverFrontendMessage(payload, userId, sessionId);
    }
  };
  const dropInbox = (state: string) => {
    if (inbox.size === 0) return;
    o.log(
      'warn',
      `dropped ${inbox.take().length} waiting frontend message(s): the extension is ${state}`,
      'host',
    );
  };

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
      if (change.state === 'running') {
        catchUp();
        flushInbox();
      } else if (change.state !== 'starting' && change.state !== 'restarting')
        dropInbox(change.state);
      const level = change.state === 'failed' || change.state === 'crashed' ? 'error' : 'info';
      const why = change.error ? `: ${change.error}` : '';
      o.log(level, `${change.previousState} → ${change.state}${why}`, 'host');
      o.onStateChange(change);
    },
    onExit: (event) => {
      endingWith = event.reason;
      const how = event.signal ? `signal ${event.signal}` : `code ${event.code ?? '?'}`;
      const level = event.reason === 'stopped' ? 'info' : 'warn';
      o.log(level, `runtime ${event.pid ?? ''} ended: ${event.reason} (${how})`, 'host');
      o.onExit(event);
    },
    // Refusals of invalid messages come through here too, one per message: limited per kind.
    onLog: (level, message) => runtimeLog.warning(level, message),
    onReady: (runtime, startupMs) => {
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
      if (controller.state !== 'running') return;
      if (userId !== undefined && o.scope.kind === 'user' && o.scope.userId !== userId) return;
      post({ type: 'event', event, payload, ...(userId === undefined ? {} : { userId }) });
    },
    deliverFrontendMessage(payload, userId, sessionId) {
      const state = controller.state;
      const id = extension.identifier;
      if (state === 'running') {
        const runtime = controller.runtime;
        const guard = active?.runtime === runtime ? active.guard : undefined;
        if (guard?.inboundFull()) {
          const message = `the backend of ${id} has not taken ${guard.unconfirmedBytes} bytes of earlier messages yet (limit ${limits.inboundQueueBytes}, inboundQueueBytes): message refused, send it again later`;
          runtimeLog.warning('warn', `refused a frontend message: ${message}`);
          return { code: 'RUNTIME_BUSY', message };
        }
        // Sent through `post`, which counts it against the inbound queue.
        const forbidden = router.deliverFrontendMessage(payload, userId, sessionId);
        return forbidden === undefined ? undefined : { code: 'FORBIDDEN', message: forbidden };
      }
      if (state !== 'starting' && state !== 'restarting') {
        const message = `extension ${id} is ${state}: its backend takes no messages`;
        runtimeLog.warning('warn', `dropped a frontend message: the extension is ${state}`);
        return { code: 'EXTENSION_INACTIVE', message };
      }
      const full = inbox.add({ payload, userId, sessionId });
      if (full === undefined) return undefined;
      runtimeLog.warning('warn', `dropped a frontend message: ${full} (${state})`);
      return { code: 'RUNTIME_BUSY', message: `the backend of ${id} is ${state} and ${full}` };
    },
  };
}
