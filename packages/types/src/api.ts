/**
 * The extension-facing API: the frontend `ctx`, the backend global `spindle`, and the contexts
 * handed to process handlers. Names and shapes follow `lumiverse-spindle-types`.
 *
 * Only the members listed in DESIGN.md section 4 are implemented. The rest of the upstream
 * surface (chats, characters, generation, UI registries, …) is deliberately absent: such a
 * member is `undefined` at run time, so extensions that feature-detect with optional chaining
 * (`spindle.on?.(...)`) keep working.
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
import type { SpindleManifest } from './manifest.ts';

/** A function that removes what registered it. Calling it twice is harmless. */
export type Unsubscribe = () => void;

/** What a process handler may return: nothing, a cleanup, or a promise of either. */
export type ProcessCleanup = void | (() => void | Promise<void>);

/** Argument of `onStop` handlers. */
export interface ProcessStopRequest {
  /** The `reason` given to `stop()`, when there was one. */
  reason?: string;
}

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
  /** Ends the process `failed`. */
  fail(error: unknown): void;
  /** Called on a graceful stop request; without any handler the process completes at once. */
  onStop(handler: (request: ProcessStopRequest) => void | Promise<void>): Unsubscribe;
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
  readonly userId?: string;
  ready(): void;
  heartbeat(): void;
  send(payload: unknown): void;
  onMessage(handler: (payload: unknown) => void): Unsubscribe;
  complete(result?: unknown): void;
  fail(error: unknown): void;
  onStop(handler: (request: ProcessStopRequest) => void | Promise<void>): Unsubscribe;
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
  /** Snapshot taken when the handle was last refreshed. */
  readonly info: FrontendProcessInfoDTO;
  send(payload: unknown): void;
  stop(options?: FrontendProcessStopOptionsDTO): Promise<FrontendProcessInfoDTO | null>;
  /** Fetches a fresh snapshot and stores it in `info`. */
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
  stop(options?: BackendProcessStopOptionsDTO): Promise<BackendProcessInfoDTO | null>;
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

/** Options of `sendToFrontend` in its object form. */
export interface SendToFrontendTarget {
  userId?: string;
  frontendSessionId?: string;
}

/** Options of `storage.getJson`. */
export interface StorageGetJsonOptions<T> {
  fallback?: T;
}

/** Options of `storage.setJson`. */
export interface StorageSetJsonOptions {
  /** Spaces of indentation; compact JSON when absent. */
  indent?: number;
}

/** Per-extension file storage. Paths are relative and confined to the extension's folder. */
export interface SpindleStorage {
  read(path: string): Promise<string>;
  write(path: string, data: string): Promise<void>;
  delete(path: string): Promise<void>;
  exists(path: string): Promise<boolean>;
  /** Entries of a folder (names, folders end in `/`); the root when `path` is absent. */
  list(path?: string): Promise<string[]>;
  getJson<T = unknown>(path: string, options?: StorageGetJsonOptions<T>): Promise<T>;
  setJson(path: string, value: unknown, options?: StorageSetJsonOptions): Promise<void>;
}

/** Options of every `userStorage` call: operator-scoped extensions name the user. */
export interface UserStorageScope {
  userId?: string;
}

/** Per-extension, per-user storage. */
export interface SpindleUserStorage {
  read(path: string, options?: UserStorageScope): Promise<string>;
  write(path: string, data: string, options?: UserStorageScope): Promise<void>;
  delete(path: string, options?: UserStorageScope): Promise<void>;
  exists(path: string, options?: UserStorageScope): Promise<boolean>;
  list(path?: string, options?: UserStorageScope): Promise<string[]>;
  getJson<T = unknown>(
    path: string,
    options?: StorageGetJsonOptions<T> & UserStorageScope,
  ): Promise<T>;
  setJson(
    path: string,
    value: unknown,
    options?: StorageSetJsonOptions & UserStorageScope,
  ): Promise<void>;
}

/** `spindle.frontendProcesses`. */
export interface SpindleFrontendProcessesAPI {
  spawn(options: FrontendProcessSpawnOptionsDTO): Promise<FrontendProcessHandle>;
  list(filter?: FrontendProcessListOptionsDTO): Promise<FrontendProcessInfoDTO[]>;
  get(processId: string): Promise<FrontendProcessInfoDTO | null>;
  stop(
    processId: string,
    options?: FrontendProcessStopOptionsDTO,
  ): Promise<FrontendProcessInfoDTO | null>;
  send(processId: string, payload: unknown, options?: { userId?: string }): void;
  onLifecycle(handler: (event: FrontendProcessLifecycleEventDTO) => void): Unsubscribe;
  onMessage(handler: (processId: string, payload: unknown, userId: string) => void): Unsubscribe;
}

/** `spindle.backendProcesses`. */
export interface SpindleBackendProcessesAPI {
  spawn(options: BackendProcessSpawnOptionsDTO): Promise<BackendProcessHandle>;
  list(filter?: BackendProcessListOptionsDTO): Promise<BackendProcessInfoDTO[]>;
  get(processId: string): Promise<BackendProcessInfoDTO | null>;
  stop(
    processId: string,
    options?: BackendProcessStopOptionsDTO,
  ): Promise<BackendProcessInfoDTO | null>;
  onLifecycle(handler: (event: BackendProcessLifecycleEventDTO) => void): Unsubscribe;
  onMessage(handler: (processId: string, payload: unknown, userId: string) => void): Unsubscribe;
}

/** `spindle.log`: lines go to the host log, tagged with the extension identifier. */
export interface SpindleLog {
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

/** The global `spindle` of a backend runtime (the implemented subset of upstream `SpindleAPI`). */
export interface SpindleAPI {
  readonly manifest: SpindleManifest;
  onFrontendMessage(
    handler: (payload: unknown, userId: string, frontendSessionId?: string) => void,
  ): Unsubscribe;
  sendToFrontend(payload: unknown, target?: string | SendToFrontendTarget): void;
  readonly frontendProcesses: SpindleFrontendProcessesAPI;
  readonly backendProcesses: SpindleBackendProcessesAPI;
  readonly log: SpindleLog;
  readonly storage: SpindleStorage;
  readonly userStorage: SpindleUserStorage;
}
