/**
 * Wires one extension: its lifecycle controller, the launcher for the chosen mode, the router
 * for its traffic, its process context, its way into the app services (`service-bridge.ts`) and
 * the watch of its running runtime (`runtime-watch.ts`).
 */
import {
  type BackendProcessInfoDTO,
  type HostToWorker,
  jsonByteSize,
  type LogLevel,
  type RuntimeExitReason,
  SpindleError,
} from '@spindle/types';
import { ActivationInbox } from '../activation/inbox.ts';
import type { ExtensionProcessContext } from '../processes/service.ts';
import { resolveLaunchSettings } from '../sandbox/index.ts';
import { STORAGE_LIMIT_DEFAULTS } from '../storage/index.ts';
import { ExtensionController } from './controller.ts';
import type { ExtensionRuntime, ExtensionRuntimeOptions } from './extension-runtime-types.ts';
import { RUNTIME_LIMIT_DEFAULTS } from './limits.ts';
import { isBackendless } from './no-backend.ts';
import { RuntimeRouter } from './router.ts';
import { createRuntimeLauncher } from './runtime-launcher.ts';
import { createRuntimeLog } from './runtime-log.ts';
import { createRuntimeWatch } from './runtime-watch.ts';
import { createServiceBridge } from './service-bridge.ts';
import { realTimers } from './types.ts';

/** Frontend messages kept per extension while its runtime starts. */
export const FRONTEND_INBOX_LIMIT = 256;

/** App events (listed in `activationEvents`) kept per extension while its runtime starts. */
export const EVENT_INBOX_LIMIT = 256;

export type {
  ExtensionRuntime,
  ExtensionRuntimeOptions,
  FrontendRefusal,
} from './extension-runtime-types.ts';

/** Exit reasons of a runtime that ended as asked (logged at `info`). */
const CLEAN_EXITS: ReadonlySet<string> = new Set(['stopped', 'idle', 'evicted', 'hibernated']);

/** Creates the controller of one extension (disabled until `enable()`). */
export function createExtensionRuntime(o: ExtensionRuntimeOptions): ExtensionRuntime {
  const { extension, runtimeMode } = o;
  const limits = o.limits ?? RUNTIME_LIMIT_DEFAULTS;
  const timers = o.timers ?? realTimers;
  /** The exit reason of the runtime that is ending, for its stats `shutdown` event. */
  let endingWith: RuntimeExitReason | undefined;
  let controller: ExtensionController;
  const hooks = o.activation;
  const runtimeLog = createRuntimeLog(limits, timers, o.log);
  const hostLine = (level: LogLevel, message: string) => o.log(level, message, 'host');
  const watch = createRuntimeWatch({
    extension: { identifier: extension.identifier, name: extension.manifest.name },
    runtimeMode,
    limits,
    timers,
    stats: o.stats,
    onStats: o.onStats,
    log: hostLine,
    onLimit: (runtime, reason, message) => controller.endForLimit(runtime, reason, message),
  });
  const post = (message: HostToWorker) => {
    const runtime = controller.runtime;
    if (!runtime) return;
    runtime.channel.send(message);
    watch.sent(runtime);
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
  const registry = o.services;
  const services = createServiceBridge({
    extensionId: extension.identifier,
    manifest: extension.manifest,
    scope: o.scope,
    registry,
    limits: o.serviceLimits,
    granted,
    timers,
    log: hostLine,
    onCall: o.onServiceCall,
  });
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
      call: (request) => services.call(request),
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
      if (message.type === 'pong') watch.guardOf(runtime)?.pong(message);
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
    onReady: (runtime, startupMs) => watch.ready(runtime, startupMs),
    // The shutdown event is measured while a stopping runtime is still alive.
    onStopping: (runtime) => {
      watch.end(runtime);
      services.endCalls();
    },
    onGone: (runtime) => {
      watch.end(runtime, endingWith);
      endingWith = undefined;
      runtimeLog.flush();
      services.endCalls();
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
        const guard = runtime ? watch.guardOf(runtime) : undefined;
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
