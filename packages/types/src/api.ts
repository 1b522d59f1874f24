/**
 * The extension-facing API: the frontend `ctx`, the backend global `spindle`, and the contexts
 * handed to process handlers. Names, argument shapes and return types follow
 * `lumiverse-spindle-types` 0.6.20 for every member declared here; where this file adds to a
 * member (an extra option, a wider parameter type) the addition is one an upstream-typed caller
 * cannot trip over. docs/compatibility.md lists what is implemented and what is not.
 *
 * Upstream members not declared here (chats, characters, generation, UI registries, …) are
 * `undefined` at run time unless the embedding app supplies them, so extensions that
 * feature-detect with optional chaining (`spindle.chat?.getMessages(...)`) keep working.
 */
import type {
  BackendProcessInfoDTO,
  BackendProcessLifecycleEventDTO,
  BackendProcessListOptionsDTO,
  BackendProcessSpawnOptionsDTO,
  BackendProcessStopOptionsDTO,
  FrontendProcessInfoDTO,
  FrontendProcessLifecycleEventDTO,
  FrontendProcessListOptionsDTO,
  FrontendProcessSpawnOptionsDTO,
  FrontendProcessStopOptionsDTO,
} from './dto.ts';
import type { FrontendSessionClosedPayload, SpindleHostDescriptorV1 } from './host.ts';
import type { SpindleManifest } from './manifest.ts';
import type { PermissionChangedDetail, SpindlePermissionsAPI } from './services.ts';

/** A function that removes what registered it. Calling it twice is harmless. */
export type Unsubscribe = () => void;

/** What a process handler may return: nothing, a cleanup, or a promise of either. */
export type ProcessCleanup = void | (() => void | Promise<void>);

/** Argument of `onStop` handlers. */
export interface ProcessStopRequest {
  /** The `reason` given to `stop()`, when there was one. */
  reason?: string;
}

/**
 * An `onStop` handler. Returning (or resolving) is not an acknowledgement: the process keeps
 * running until it calls `complete()` or `fail()`, or the stop grace passes and the host ends it.
 */
export type ProcessStopHandler = (request: ProcessStopRequest) => void | Promise<void>;

/** Context handed to a frontend process handler. */
export interface SpindleFrontendProcessContext {
  readonly processId: string;
  readonly kind: string;
  readonly key?: string;
  readonly payload: unknown;
  readonly metadata?: Record<string, unknown>;
  /** Reports startup success; resolves the backend's `spawn()`. Only the first call counts. */
  ready(): void;
  /** Feeds the heartbeat watchdog. Ignored after the process ended. */
  heartbeat(): void;
  /** Sends a message to the backend half (`frontendProcesses.onMessage`). */
  send(payload: unknown): void;
  /** Receives messages from `frontendProcesses.send()`. */
  onMessage(handler: (payload: unknown) => void): Unsubscribe;
  /** Ends the process `completed` (or `stopped` after a stop request). */
  complete(result?: unknown): void;
  /** Ends the process `failed` (upstream takes a string; anything is accepted). */
  fail(error: unknown): void;
  /**
   * Called on a graceful stop request. Without any handler the process ends `stopped` at once;
   * with handlers it runs on until `complete()`/`fail()` or the stop grace passes.
   */
  onStop(handler: ProcessStopHandler): Unsubscribe;
}

/** A frontend process handler; its returned cleanup runs exactly once when the process ends. */
export type SpindleFrontendProcessHandler = (
  ctx: SpindleFrontendProcessContext,
) => ProcessCleanup | Promise<ProcessCleanup>;

/** `ctx.processes` of the frontend half. */
export interface SpindleFrontendProcessRegistry {
  /** Registers the handler for `kind` (trimmed, non-empty). The last registration wins. */
  register(kind: string, handler: SpindleFrontendProcessHandler): Unsubscribe;
}

/** Context handed to a backend subprocess handler. */
export interface SpindleBackendProcessContext {
  readonly processId: string;
  /** Entry the subprocess was started from, relative to the extension root. */
  readonly entry: string;
  readonly kind: string;
  readonly key?: string;
  readonly payload: unknown;
  readonly metadata?: Record<string, unknown>;
  /** Target user of an operator-scoped spawn (the installer for a user-scoped extension). */
  readonly userId?: string;
  ready(): void;
  heartbeat(): void;
  send(payload: unknown): void;
  onMessage(handler: (payload: unknown) => void): Unsubscribe;
  complete(result?: unknown): void;
  fail(error: unknown): void;
  /** As for frontend processes: handlers run, then the process runs on until it ends itself. */
  onStop(handler: ProcessStopHandler): Unsubscribe;
}

/** A backend subprocess handler. */
export type SpindleBackendProcessHandler = (
  ctx: SpindleBackendProcessContext,
) => ProcessCleanup | Promise<ProcessCleanup>;

/** Shape of a backend subprocess entry module: the handler is `default` or `run`. */
export interface SpindleBackendProcessModule {
  default?: SpindleBackendProcessHandler;
  run?: SpindleBackendProcessHandler;
}

/** Handle returned by `spindle.frontendProcesses.spawn()`. */
export interface FrontendProcessHandle {
  readonly processId: string;
  readonly kind: string;
  readonly key?: string;
  /** Snapshot taken when the handle was created or last refreshed. */
  readonly info: FrontendProcessInfoDTO;
  /** Sends a process-scoped message to the frontend instance. */
  send(payload: unknown): void;
  /** Requests a graceful stop; resolves once the host accepted the request. */
  stop(options?: FrontendProcessStopOptionsDTO): Promise<void>;
  /** Fetches a fresh snapshot and stores it in `info`; `null` once the process is gone. */
  refresh(): Promise<FrontendProcessInfoDTO | null>;
}

/** Handle returned by `spindle.backendProcesses.spawn()`. */
export interface BackendProcessHandle {
  readonly processId: string;
  readonly entry: string;
  readonly kind: string;
  readonly key?: string;
  readonly info: BackendProcessInfoDTO;
  send(payload: unknown): void;
  stop(options?: BackendProcessStopOptionsDTO): Promise<void>;
  refresh(): Promise<BackendProcessInfoDTO | null>;
}

/** `ctx.dom` of the frontend half. */
export interface SpindleFrontendDom {
  /** Adds a `<style>` owned by the extension; returns its remover. */
  addStyle(css: string): () => void;
  /** Removes every element the extension added through `ctx.dom`. */
  cleanup(): void;
}

/** The `ctx` handed to a frontend bundle's `setup(ctx)`. */
export interface SpindleFrontendContext {
  readonly manifest: SpindleManifest;
  /** The host descriptor (the same one the backend half sees as `spindle.host`). */
  readonly host: SpindleHostDescriptorV1;
  /**
   * The frontend session (browser tab) this bundle runs in, as the backend half sees it in
   * `onFrontendMessage` and can target with `sendToFrontend`; `undefined` until the first
   * handshake with the host.
   */
  readonly frontendSessionId: string | undefined;
  readonly processes: SpindleFrontendProcessRegistry;
  /** Sends a message to the backend half's `onFrontendMessage` handlers. */
  sendToBackend(payload: unknown): void;
  onBackendMessage(handler: (payload: unknown) => void): Unsubscribe;
  /** Marks the extension ready (replays queued messages and spawns). Idempotent. */
  ready(): void;
  /** Defers automatic readiness after `setup` until `ready()` (with a deadline). */
  deferReady(): void;
  /** DOM helpers; `undefined` in worker isolation. */
  readonly dom: SpindleFrontendDom | undefined;
}

/** Third argument of `sendToFrontend`: frontend-session routing. */
export interface SendToFrontendOptions {
  /** Deliver to this one session only (it must belong to the user named, if any). */
  frontendSessionId?: string;
}

/**
 * Object form of `sendToFrontend`'s second argument (an addition of this runtime; the upstream
 * form is `sendToFrontend(payload, userId, { frontendSessionId })`).
 */
export interface SendToFrontendTarget {
  userId?: string;
  frontendSessionId?: string;
}

/** Options of `storage.getJson`. */
export interface StorageGetJsonOptions<T> {
  /** Returned when the file does not exist (a corrupt file still throws). */
  fallback?: T;
}

/** Options of `storage.setJson`. */
export interface StorageSetJsonOptions {
  /** Spaces of indentation (0–10); compact JSON when absent. */
  indent?: number;
}

/** What `stat` reports; a missing path is `exists: false` with zero size and the epoch. */
export interface SpindleStorageStat {
  exists: boolean;
  isFile: boolean;
  isDirectory: boolean;
  sizeBytes: number;
  /** ISO time of the last modification. */
  modifiedAt: string;
}

/** Per-extension file storage. Paths are relative and confined to the extension's folder. */
export interface SpindleStorage {
  /** UTF-8 text of a file. */
  read(path: string): Promise<string>;
  /** Replaces a file atomically, creating missing folders. */
  write(path: string, data: string): Promise<void>;
  readBinary(path: string): Promise<Uint8Array>;
  writeBinary(path: string, data: Uint8Array): Promise<void>;
  /** Removes a file or a folder with its contents; removing nothing is not an error. */
  delete(path: string): Promise<void>;
  /**
   * Every file under `prefix` (a folder; the root when absent), recursively, as paths relative
   * to that folder, files only, sorted.
   */
  list(prefix?: string): Promise<string[]>;
  exists(path: string): Promise<boolean>;
  /** Creates a folder and its missing parents; an existing folder is not an error. */
  mkdir(path: string): Promise<void>;
  /** Renames a file or folder, creating the destination's missing folders. */
  move(from: string, to: string): Promise<void>;
  stat(path: string): Promise<SpindleStorageStat>;
  getJson<T = unknown>(path: string, options?: StorageGetJsonOptions<T>): Promise<T>;
  setJson(path: string, value: unknown, options?: StorageSetJsonOptions): Promise<void>;
}

/**
 * Per-extension, per-user storage. Operator-scoped extensions name the user with the trailing
 * `userId` (in the options of `getJson`/`setJson`); user-scoped ones act for their installer.
 */
export interface SpindleUserStorage {
  read(path: string, userId?: string): Promise<string>;
  write(path: string, data: string, userId?: string): Promise<void>;
  readBinary(path: string, userId?: string): Promise<Uint8Array>;
  writeBinary(path: string, data: Uint8Array, userId?: string): Promise<void>;
  delete(path: string, userId?: string): Promise<void>;
  list(prefix?: string, userId?: string): Promise<string[]>;
  exists(path: string, userId?: string): Promise<boolean>;
  mkdir(path: string, userId?: string): Promise<void>;
  move(from: string, to: string, userId?: string): Promise<void>;
  stat(path: string, userId?: string): Promise<SpindleStorageStat>;
  getJson<T = unknown>(
    path: string,
    options?: StorageGetJsonOptions<T> & { userId?: string },
  ): Promise<T>;
  setJson(
    path: string,
    value: unknown,
    options?: StorageSetJsonOptions & { userId?: string },
  ): Promise<void>;
}

/** What `frontendProcesses.onMessage` / `backendProcesses.onMessage` handlers receive. */
export interface SpindleProcessMessageEvent {
  processId: string;
  payload: unknown;
  /** The user the process runs for. */
  userId: string;
}

/** `spindle.frontendProcesses`. */
export interface SpindleFrontendProcessesAPI {
  /** Resolves when the process calls `ready()`; rejects with a typed error otherwise. */
  spawn(options: FrontendProcessSpawnOptionsDTO): Promise<FrontendProcessHandle>;
  list(filter?: FrontendProcessListOptionsDTO): Promise<FrontendProcessInfoDTO[]>;
  /** `null` when the process does not exist (or is not this extension's). */
  get(processId: string): Promise<FrontendProcessInfoDTO | null>;
  /** Sends a process-scoped message (operator-scoped extensions may name the user). */
  send(processId: string, payload: unknown, userId?: string): void;
  /** Requests a graceful stop; resolves once the host accepted it. */
  stop(processId: string, options?: FrontendProcessStopOptionsDTO): Promise<void>;
  onLifecycle(handler: (event: FrontendProcessLifecycleEventDTO) => void): Unsubscribe;
  onMessage(handler: (event: SpindleProcessMessageEvent) => void): Unsubscribe;
}

/** `spindle.backendProcesses`. */
export interface SpindleBackendProcessesAPI {
  spawn(options: BackendProcessSpawnOptionsDTO): Promise<BackendProcessHandle>;
  list(filter?: BackendProcessListOptionsDTO): Promise<BackendProcessInfoDTO[]>;
  get(processId: string): Promise<BackendProcessInfoDTO | null>;
  send(processId: string, payload: unknown, userId?: string): void;
  stop(processId: string, options?: BackendProcessStopOptionsDTO): Promise<void>;
  onLifecycle(handler: (event: BackendProcessLifecycleEventDTO) => void): Unsubscribe;
  onMessage(handler: (event: SpindleProcessMessageEvent) => void): Unsubscribe;
}

/** `spindle.log`: lines go to the host log, tagged with the extension identifier. */
export interface SpindleLog {
  /** Upstream takes one string; any values are accepted and formatted like `console.log`. */
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

/**
 * The global `spindle` of a backend runtime (the implemented subset of upstream `SpindleAPI`).
 * App services the embedding app registers appear as further namespaces (`spindle.chat`); an app
 * types them for its extension authors by declaration merging on this interface.
 */
export interface SpindleAPI {
  readonly manifest: SpindleManifest;
  /** The host descriptor: version, capabilities, installation id. */
  readonly host: SpindleHostDescriptorV1;
  /**
   * Receives `ctx.sendToBackend` payloads with the sending user and frontend session (a handler
   * written for upstream's two arguments works as well).
   */
  onFrontendMessage(
    handler: (payload: unknown, userId: string, frontendSessionId?: string) => void,
  ): Unsubscribe;
  /**
   * Sends to frontend halves: without a user, every session that has the extension mounted (an
   * operator-scoped extension; a user-scoped one always reaches its installer); with `userId`,
   * every session of that user; with `{ frontendSessionId }`, exactly that session.
   */
  sendToFrontend(payload: unknown, userId?: string, options?: SendToFrontendOptions): void;
  /** The object form: `sendToFrontend(payload, { userId, frontendSessionId })`. */
  sendToFrontend(payload: unknown, target: SendToFrontendTarget): void;
  /**
   * Subscribes to an event: the runtime's own (`FRONTEND_SESSION_CLOSED`) or one the embedding
   * app fires. Unknown names are accepted and simply never fire.
   */
  on(
    event: 'FRONTEND_SESSION_CLOSED',
    handler: (payload: FrontendSessionClosedPayload, userId?: string) => void,
  ): Unsubscribe;
  on(event: 'PERMISSION_CHANGED', handler: (payload: PermissionChangedDetail) => void): Unsubscribe;
  on(event: string, handler: (payload: unknown, userId?: string) => void): Unsubscribe;
  readonly frontendProcesses: SpindleFrontendProcessesAPI;
  readonly backendProcesses: SpindleBackendProcessesAPI;
  readonly log: SpindleLog;
  readonly storage: SpindleStorage;
  readonly userStorage: SpindleUserStorage;
  /** The extension's grants: `has` (sync), `getGranted`, `onChanged`, `onDenied`. */
  readonly permissions: SpindlePermissionsAPI;
}
