/**
 * Builds the global `spindle` of a backend runtime (DESIGN.md section 4). Only the listed
 * members exist; everything else of the upstream surface is `undefined`, so feature detection
 * with optional chaining keeps working.
 */
import type {
  BackendProcessLifecycleEventDTO,
  FrontendProcessLifecycleEventDTO,
  HostToWorker,
  LogLevel,
  SendToFrontendTarget,
  SpindleAPI,
  SpindleManifest,
  WorkerToHost,
} from '@spindle/types';
import { HandlerSet } from '../channel.ts';
import {
  createBackendProcessesClient,
  createFrontendProcessesClient,
  ProcessEvents,
} from './processes-client.ts';
import type { RequestTable } from './rpc.ts';
import { createStorageClient, createUserStorageClient } from './storage-client.ts';

type FrontendHandler = (payload: unknown, userId: string, frontendSessionId?: string) => void;

/** The `spindle` object and the hook that feeds it the host's messages. */
export interface SpindleRuntime {
  readonly api: SpindleAPI;
  /** Delivers a host message meant for the API (frontend messages, process events). */
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

/** Builds the API over the runtime's channel. */
export function createSpindle(
  manifest: SpindleManifest,
  rpc: RequestTable,
  post: (message: WorkerToHost) => void,
): SpindleRuntime {
  const frontendHandlers = new HandlerSet<[unknown, string, string | undefined]>();
  const frontendEvents = new ProcessEvents<FrontendProcessLifecycleEventDTO>();
  const backendEvents = new ProcessEvents<BackendProcessLifecycleEventDTO>();
  const log = (level: LogLevel, args: unknown[]) =>
    post({ type: 'log', level, message: formatLogArgs(args) });
  const report = (error: unknown) => log('error', ['an event handler threw:', error]);

  const api: SpindleAPI = Object.freeze({
    manifest: Object.freeze({ ...manifest }),
    onFrontendMessage: (handler: FrontendHandler) =>
      frontendHandlers.add(([payload, userId, sessionId]) =>
        sessionId === undefined ? handler(payload, userId) : handler(payload, userId, sessionId),
      ),
    sendToFrontend(payload: unknown, target?: string | SendToFrontendTarget) {
      const { userId, frontendSessionId } =
        typeof target === 'string'
          ? { userId: target, frontendSessionId: undefined }
          : (target ?? {});
      post({
        type: 'send_to_frontend',
        payload,
        ...(userId === undefined ? {} : { userId }),
        ...(frontendSessionId === undefined ? {} : { frontendSessionId }),
      });
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
  });

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
        case 'frontend_process_lifecycle':
          frontendEvents.lifecycle.emit(message.event, report);
          return;
        case 'frontend_process_message':
          frontendEvents.messages.emit(
            [message.processId, message.payload, message.userId],
            report,
          );
          return;
        case 'backend_process_lifecycle':
          backendEvents.lifecycle.emit(message.event, report);
          return;
        case 'backend_process_message':
          backendEvents.messages.emit([message.processId, message.payload, message.userId], report);
          return;
        default:
          return;
      }
    },
  };
}
