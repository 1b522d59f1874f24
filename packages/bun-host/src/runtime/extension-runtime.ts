/**
 * Wires one extension: its lifecycle controller, the launcher for the chosen mode, the router
 * for its traffic, its process context and its runtime stats.
 */
import { resolve } from 'node:path';
import {
  DEFAULT_ENTRY_FRONTEND,
  type ExtensionScope,
  errorMessage,
  type HostToWorker,
  type LogLevel,
  type RuntimeStatsEvent,
  SpindleError,
  type SpindleHostDescriptorV1,
  type SpindleManifest,
  type SpindleRuntimeMode,
} from '@spindle/types';
import { isFileSync } from '../extensions/discovery.ts';
import { seedStorage } from '../extensions/seed.ts';
import type { FrontendGateway } from '../frontend/gateway.ts';
import type { SandboxCapabilities } from '../launch/index.ts';
import type { LaunchPlan } from '../launch/types.ts';
import type { ExtensionProcessContext, ProcessService } from '../processes/service.ts';
import { callService, type ServiceCaller, type ServiceCallLimits } from '../services/call.ts';
import type { ServiceRegistry } from '../services/registry.ts';
import { createStatsSampler, type StatsConfig } from '../stats/index.ts';
import { createStorage } from '../storage/index.ts';
import {
  ExtensionController,
  type ExtensionStateChange,
  type RuntimeExitEvent,
} from './controller.ts';
import { launchWithoutBackend } from './no-backend.ts';
import {
  launchProcessRuntime,
  type ProcessRuntimePlanSpec,
  planProcessRuntime,
} from './process-runtime.ts';
import { RuntimeRouter } from './router.ts';
import type { RuntimeTimingOptions } from './timing.ts';
import { type RuntimeInstance, realTimers, type Timers } from './types.ts';
import { launchWorkerRuntime } from './worker-runtime.ts';

/** Frontend messages kept per extension while its runtime starts. */
export const FRONTEND_INBOX_LIMIT = 256;

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
  timers?: Timers | undefined;
  sandboxCapabilities?: SandboxCapabilities | undefined;
}

/** One extension's controller and its inbound frontend hook. */
export interface ExtensionRuntime {
  readonly controller: ExtensionController;
  /**
   * Hands a frontend's `sendToBackend` payload to the runtime (scope enforced). While the
   * runtime is starting or restarting, payloads wait in a bounded queue and are delivered once
   * it is running; otherwise (and past the bound) they are dropped with a warning.
   */
  deliverFrontendMessage(payload: unknown, userId: string, frontendSessionId: string): void;
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
  const samplers = new WeakMap<RuntimeInstance, { stop(): void }>();
  let controller: ExtensionController;
  const post = (message: HostToWorker) => controller.runtime?.channel.send(message);
  const processContext: ExtensionProcessContext = {
    extensionId: extension.identifier,
    manifest: extension.manifest,
    extensionPath: extension.path,
    storagePath: o.storagePath,
    scope: o.scope,
    runtimeMode,
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
  const timers = o.timers ?? realTimers;
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
    log: o.log,
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
    o.log('warn', `rejected a message from the runtime: ${reason}`, 'host');
  const warn = (message: string) => o.log('warn', message, 'host');

  // One launch plan per extension, made at its first start and reused by restarts: nothing in
  // it changes between starts (the `init` is added at each one). A failed plan is not kept.
  let plan: Promise<LaunchPlan> | undefined;

  /**
   * A frontend-only extension: no `entry_backend` in its manifest and a frontend bundle (its
   * default backend entry is missing; checked by the caller). See `no-backend.ts`.
   */
  const frontendOnly = (): boolean =>
    extension.manifest.entry_backend === undefined &&
    isFileSync(
      resolve(extension.path, extension.manifest.entry_frontend ?? DEFAULT_ENTRY_FRONTEND),
    );
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
      if (frontendOnly()) {
        o.log('info', 'no backend half: the frontend half runs alone', 'host');
        return launchWithoutBackend({
          mode: runtimeMode,
          onDropped: () =>
            o.log('warn', 'dropped a frontend message: this extension has no backend half', 'host'),
        });
      }
      throw new SpindleError(
        'IMPORT_FAILED',
        `backend entry ${extension.backendEntryPath} does not exist`,
      );
    }
    const seeded = await seedStorage({
      manifest: extension.manifest,
      extensionPath: extension.path,
      storage: createStorage(o.storagePath),
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
        onError: (text) => o.log('error', `uncaught: ${text}`, 'runtime'),
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
    };
    const runtime = await launchProcessRuntime({
      ...planSpec,
      plan: await planOnce(planSpec),
      init,
      onLine: (stream, line) => o.log(stream === 'stderr' ? 'warn' : 'info', line, stream),
      onRefused: refused,
      onWarn: (message) => o.log('error', message, 'host'),
    });
    if (runtime.sandbox !== undefined) {
      const layers =
        runtime.sandbox === 'unavailable' ? 'unavailable' : runtime.sandbox.join(' + ');
      o.log(runtime.sandbox === 'unavailable' ? 'error' : 'info', `sandbox: ${layers}`, 'host');
    }
    return runtime;
  };

  const inbox: [unknown, string, string][] = [];
  const flushInbox = () => {
    for (const [payload, userId, sessionId] of inbox.splice(0)) {
      router.deliverFrontendMessage(payload, userId, sessionId);
    }
  };
  const dropInbox = (state: string) => {
    if (inbox.length === 0) return;
    o.log(
      'warn',
      `dropped ${inbox.splice(0).length} waiting frontend message(s): the extension is ${state}`,
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

  const stopSampler = (runtime: RuntimeInstance) => {
    samplers.get(runtime)?.stop();
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
    onMessage: (message) => router.handle(message),
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
      const how = event.signal ? `signal ${event.signal}` : `code ${event.code ?? '?'}`;
      const level = event.reason === 'stopped' ? 'info' : 'warn';
      o.log(level, `runtime ${event.pid ?? ''} ended: ${event.reason} (${how})`, 'host');
      o.onExit(event);
    },
    onLog: (level, message) => o.log(level, message, 'host'),
    onReady: (runtime, startupMs) => {
      // A frontend-only extension has no runtime of its own to measure.
      if (!stats.enabled || !isFileSync(extension.backendEntryPath)) return;
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
      stopSampler(runtime);
      endCalls();
    },
    onGone: (runtime) => {
      stopSampler(runtime);
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
      if (state === 'running') {
        router.deliverFrontendMessage(payload, userId, sessionId);
      } else if (state !== 'starting' && state !== 'restarting') {
        o.log('warn', `dropped a frontend message: the extension is ${state}`, 'host');
      } else if (inbox.length >= FRONTEND_INBOX_LIMIT) {
        o.log(
          'warn',
          `dropped a frontend message: ${FRONTEND_INBOX_LIMIT} already wait for the runtime (${state})`,
          'host',
        );
      } else {
        inbox.push([payload, userId, sessionId]);
      }
    },
  };
}
