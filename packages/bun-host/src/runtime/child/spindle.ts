/**
 * Builds the global `spindle` of a backend runtime (docs/compatibility.md). Only the listed
 * members exist; everything else of the upstream surface is `undefined`, so feature detection
 * with optional chaining keeps working.
 */
import type {
  BackendProcessLifecycleEventDTO,
  FrontendProcessLifecycleEventDTO,
  HostToWorker,
  LogLevel,
  SendToFrontendOptions,
  SendToFrontendTarget,
  ServiceDescriptor,
  SpindleAPI,
  SpindleHostDescriptorV1,
  SpindleManifest,
  WorkerToHost,
} from '@spindle/types';
import { withServiceCapabilities } from '@spindle/types/host';
import { HandlerSet } from '../channel.ts';
import type { ActivityTracker } from './activity.ts';
import {
  createBackendProcessesClient,
  createFrontendProcessesClient,
  ProcessEvents,
} from './processes-client.ts';
import type { RequestTable } from './rpc.ts';
import { createPermissionsClient, serviceNamespace } from './services-client.ts';
import { createStorageClient, createUserStorageClient } from './storage-client.ts';

type FrontendHandler = (payload: unknown, userId: string, frontendSessionId?: string) => void;
type EventHandler = (payload: unknown, userId?: string) => void;

/** The `spindle` object and the hook that feeds it the host's messages. */
export interface SpindleRuntime {
  readonly api: SpindleAPI;
  /** Delivers a host message meant for the API (frontend messages, process events, events). */
  deliver(message: HostToWorker): void;
}

let inspect: typeof import('node:util').inspect | undefined;

/** Formats log arguments the way `console.log` would. */
export function formatLogArgs(args: unknown[]): string {
  return args
    .map((arg) => {
      if (typeof arg === 'string') return arg;
      // Loaded on first use: importing `node:util` up front costs ~5 ms of every runtime start.
      inspect ??= process.getBuiltinModule('node:util').inspect;
      return inspect(arg, { breakLength: Number.POSITIVE_INFINITY });
    })
    .join(' ');
}

/** Reads `sendToFrontend`'s second and third arguments, in either form. */
function target(
  second: string | SendToFrontendTarget | undefined,
  third: SendToFrontendOptions | undefined,
): { userId?: unknown; frontendSessionId?: unknown } {
  if (second !== null && typeof second === 'object') return second;
  return {
    userId: second,
    frontendSessionId:
      third !== null && typeof third === 'object' ? third.frontendSessionId : undefined,
  };
}

/** What the runtime knows about itself from `init`. */
export interface SpindleIdentity {
  manifest: SpindleManifest;
  host: SpindleHostDescriptorV1;
  /** App services registered when the runtime started. */
  services?: ServiceDescriptor[];
  /** Permissions granted when the runtime started. */
  grantedPermissions?: string[];
}

/** Builds the API over the runtime's channel. */
export function createSpindle(
  identity: SpindleIdentity,
  rpc: RequestTable,
  post: (message: WorkerToHost) => void,
  activity?: Pick<ActivityTracker, 'subscription'>,
): SpindleRuntime {
  const frontendHandlers = new HandlerSet<[unknown, string, string | undefined]>();
  const frontendEvents = new ProcessEvents<FrontendProcessLifecycleEventDTO>();
  const backendEvents = new ProcessEvents<BackendProcessLifecycleEventDTO>();
  const eventHandlers = new Map<string, HandlerSet<[unknown, string | undefined]>>();
  const log = (level: LogLevel, args: unknown[]) =>
    post({ type: 'log', level, message: formatLogArgs(args) });
  const report = (error: unknown) => log('error', ['an event handler threw:', error]);
  const permissions = createPermissionsClient(rpc, identity.grantedPermissions ?? [], report);
  let services: ServiceDescriptor[] = identity.services ?? [];
  let host = withServiceCapabilities(identity.host, services);
  const emitEvent = (event: string, payload: unknown, userId?: string) =>
    eventHandlers.get(event)?.emit([payload, userId], report);

  const members = {
    manifest: Object.freeze({ ...identity.manifest }),
    onFrontendMessage: (handler: FrontendHandler) =>
      frontendHandlers.add(([payload, userId, sessionId]) =>
        sessionId === undefined ? handler(payload, userId) : handler(payload, userId, sessionId),
      ),
    sendToFrontend(
      payload: unknown,
      second?: string | SendToFrontendTarget,
      third?: SendToFrontendOptions,
    ) {
      const { userId, frontendSessionId } = target(second, third);
      // A wrong type travels as it is: the host refuses the message and says why in its log.
      post({
        type: 'send_to_frontend',
        payload,
        ...(userId === undefined ? {} : { userId }),
        ...(frontendSessionId === undefined ? {} : { frontendSessionId }),
      } as WorkerToHost);
    },
    on(event: string, handler: EventHandler) {
      if (typeof handler !== 'function') {
        throw new TypeError('[spindle] spindle.on(event, handler): handler must be a function');
      }
      const name = String(event);
      let set = eventHandlers.get(name);
      if (set === undefined) {
        set = new HandlerSet();
        eventHandlers.set(name, set);
      }
      const remove = set.add(([payload, userId]) =>
        userId === undefined ? handler(payload) : handler(payload, userId),
      );
      activity?.subscription(name, 1);
      let removed = false;
      return () => {
        if (removed) return;
        removed = true;
        remove();
        activity?.subscription(name, -1);
      };
    },
    frontendProcesses: createFrontendProcessesClient(rpc, post, frontendEvents),
    backendProcesses: createBackendProcessesClient(rpc, post, backendEvents),
    log: Object.freeze({
      info: (...args: unknown[]) => log('info', args),
      warn: (...args: unknown[]) => log('warn', args),
      error: (...args: unknown[]) => log('error', args),
    }),
    storage: createStorageClient(rpc),
    userStorage: createUserStorageClient(rpc),
    permissions: permissions.api,
  };
  // Not frozen: app service namespaces come and go while the runtime runs. The runtime's own
  // members can be neither replaced nor removed.
  const api = {} as SpindleAPI;
  for (const [name, value] of Object.entries(members)) {
    Object.defineProperty(api, name, { value, enumerable: true });
  }
  Object.defineProperty(api, 'host', { get: () => host, enumerable: true });
  const applyServices = (next: ServiceDescriptor[]) => {
    for (const old of services) {
      if (Object.getOwnPropertyDescriptor(api, old.namespace)?.configurable) {
        delete (api as unknown as Record<string, unknown>)[old.namespace];
      }
    }
    services = next;
    host = withServiceCapabilities(identity.host, services);
    for (const service of services) {
      if (Object.hasOwn(members, service.namespace) || service.namespace === 'host') continue;
      Object.defineProperty(api, service.namespace, {
        value: serviceNamespace(rpc, service, permissions),
        enumerable: true,
        configurable: true,
      });
    }
  };
  applyServices(services);

  return {
    api,
    deliver(message) {
      switch (message.type) {
        case 'frontend_message':
          frontendHandlers.emit(
            [message.payload, message.userId, message.frontendSessionId],
            report,
          );
          return;
        case 'event':
          emitEvent(message.event, message.payload, message.userId);
          return;
        case 'services':
          applyServices(message.services);
          return;
        case 'permissions': {
          const detail = {
            extensionId: identity.manifest.identifier,
            permission: message.permission,
            granted: message.nowGranted,
            allGranted: [...message.granted],
          };
          permissions.update(message.granted, detail);
          emitEvent('PERMISSION_CHANGED', detail);
          return;
        }
        case 'frontend_process_lifecycle':
          frontendEvents.lifecycle.emit(message.event, report);
          return;
        case 'frontend_process_message':
          frontendEvents.messages.emit(
            { processId: message.processId, payload: message.payload, userId: message.userId },
            report,
          );
          return;
        case 'backend_process_lifecycle':
          backendEvents.lifecycle.emit(message.event, report);
          return;
        case 'backend_process_message':
          backendEvents.messages.emit(
            { processId: message.processId, payload: message.payload, userId: message.userId },
            report,
          );
          return;
        default:
          return;
      }
    },
  };
}
