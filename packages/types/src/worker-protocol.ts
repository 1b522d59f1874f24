/**
 * Backend runtime ↔ host protocol: the messages a backend runtime (a Bun subprocess over IPC,
 * or a Bun Worker over postMessage) exchanges with the host. Variant names follow upstream
 * `WorkerToHost` / `HostToWorker`. Requests carry a `requestId` and are answered by one
 * `response` with the same id.
 *
 * Every message on this channel is branded with `__spindle: 1` by the adapters, so a runtime
 * that posts its own data on the same channel is told apart and refused.
 */
import type {
  BackendProcessLifecycleEventDTO,
  BackendProcessListOptionsDTO,
  BackendProcessSpawnOptionsDTO,
  BackendProcessStopOptionsDTO,
  FrontendProcessLifecycleEventDTO,
  FrontendProcessListOptionsDTO,
  FrontendProcessSpawnOptionsDTO,
  FrontendProcessStopOptionsDTO,
} from './dto.ts';
import type { SerializedError } from './errors.ts';
import type { SpindleHostDescriptorV1 } from './host.ts';
import type { SpindleManifest } from './manifest.ts';
import type { SpindleRuntimeMode } from './runtime.ts';
import type { ServiceDescriptor } from './services.ts';

/** Log levels of `spindle.log`. */
export type LogLevel = 'info' | 'warn' | 'error';

/** Who an extension serves (docs/architecture.md, "Scope"). */
export type ExtensionScope =
  | { kind: 'operator' }
  | {
      kind: 'user';
      /** The installing user; implicit in every user-directed call. */
      userId: string;
    };

/**
 * Storage operations, shared by `storage` and `user_storage` requests. Binary data travels as
 * base64 text (`data` of `write_binary`, the result of `read_binary`), since every runtime
 * channel carries JSON.
 */
export type StorageOp =
  | 'read'
  | 'write'
  | 'read_binary'
  | 'write_binary'
  | 'delete'
  | 'exists'
  | 'list'
  | 'mkdir'
  | 'move'
  | 'stat';

/** Host → runtime. */
export type HostToWorker =
  | {
      /** First message: who the runtime is and where its files live. */
      type: 'init';
      manifest: SpindleManifest;
      /** Absolute path of the extension folder. */
      extensionPath: string;
      /** Absolute path of the backend entry to import. */
      entryPath: string;
      /** Absolute path of the extension's storage folder. */
      storagePath: string;
      runtimeMode: SpindleRuntimeMode;
      scope: ExtensionScope;
      /** `spindle.host`. */
      host: SpindleHostDescriptorV1;
      /** App services registered now: each becomes `spindle.<namespace>`. */
      services: ServiceDescriptor[];
      /** Permissions granted now (`spindle.permissions`). */
      grantedPermissions: string[];
    }
  | {
      /** The set of app services changed: namespaces appear and disappear at once. */
      type: 'services';
      services: ServiceDescriptor[];
    }
  | {
      /** The extension's grants changed (`permissions.onChanged`, `PERMISSION_CHANGED`). */
      type: 'permissions';
      granted: string[];
      /** The permission whose change caused this update. */
      permission: string;
      /** Whether `permission` is granted now. */
      nowGranted: boolean;
    }
  | {
      /** Graceful shutdown; the runtime answers `shutdown_complete` and exits. */
      type: 'shutdown';
      reason?: string;
    }
  | {
      /** A frontend half called `sendToBackend(payload)`. */
      type: 'frontend_message';
      payload: unknown;
      userId: string;
      frontendSessionId?: string;
    }
  | {
      /** Answer to a request of the runtime. Exactly one of `result` and `error`. */
      type: 'response';
      requestId: string;
      result?: unknown;
      error?: SerializedError;
    }
  | {
      /** An event for `spindle.on(event, handler)` handlers (the runtime's own or the app's). */
      type: 'event';
      event: string;
      payload: unknown;
      /** The user the event concerns, when it concerns one. */
      userId?: string;
    }
  | {
      /**
       * Liveness and flow-control probe: the runtime answers `pong` with the same `id` as soon as
       * its event loop reaches it, which also proves that every message sent before it was
       * handed to the extension.
       */
      type: 'ping';
      id: number;
    }
  | { type: 'frontend_process_lifecycle'; event: FrontendProcessLifecycleEventDTO }
  | { type: 'frontend_process_message'; processId: string; payload: unknown; userId: string }
  | { type: 'backend_process_lifecycle'; event: BackendProcessLifecycleEventDTO }
  | { type: 'backend_process_message'; processId: string; payload: unknown; userId: string };

/** Runtime → host. */
export type WorkerToHost =
  | {
      /** The entry imported successfully. */
      type: 'ready';
    }
  | {
      /** The entry failed to import (or `init` was unusable). The runtime exits after it. */
      type: 'init_failed';
      error: SerializedError;
    }
  | {
      /** Answer to `shutdown`: the runtime is about to exit. */
      type: 'shutdown_complete';
    }
  | {
      /** Answer to `ping`. */
      type: 'pong';
      id: number;
      /**
       * Bytes of the runtime's JavaScript heap (`worker` runtimes, which share the host's
       * process and so cannot be measured from /proc).
       */
      heapBytes?: number;
    }
  | { type: 'log'; level: LogLevel; message: string }
  | {
      type: 'send_to_frontend';
      payload: unknown;
      userId?: string;
      frontendSessionId?: string;
    }
  | {
      type: 'storage';
      requestId: string;
      op: StorageOp;
      /** The path acted on (`move`: the source; `list`: the prefix, `''` for the root). */
      path: string;
      /** Text of `write`, base64 of `write_binary`. */
      data?: string;
      /** Destination of `move`. */
      to?: string;
    }
  | {
      type: 'user_storage';
      requestId: string;
      op: StorageOp;
      path: string;
      data?: string;
      to?: string;
      userId?: string;
    }
  | { type: 'frontend_process_spawn'; requestId: string; options: FrontendProcessSpawnOptionsDTO }
  | { type: 'frontend_process_list'; requestId: string; filter?: FrontendProcessListOptionsDTO }
  | { type: 'frontend_process_get'; requestId: string; processId: string }
  | {
      type: 'frontend_process_stop';
      requestId: string;
      processId: string;
      options?: FrontendProcessStopOptionsDTO;
    }
  | { type: 'frontend_process_send'; processId: string; payload: unknown; userId?: string }
  | { type: 'backend_process_spawn'; requestId: string; options: BackendProcessSpawnOptionsDTO }
  | { type: 'backend_process_list'; requestId: string; filter?: BackendProcessListOptionsDTO }
  | { type: 'backend_process_get'; requestId: string; processId: string }
  | {
      type: 'backend_process_stop';
      requestId: string;
      processId: string;
      options?: BackendProcessStopOptionsDTO;
    }
  | { type: 'backend_process_send'; processId: string; payload: unknown; userId?: string }
  | {
      /** `spindle.<namespace>.<method>(...args)` of an app service. */
      type: 'service_call';
      requestId: string;
      namespace: string;
      method: string;
      args: unknown[];
    }
  | {
      /** `spindle.permissions.getGranted()`. */
      type: 'permissions_get';
      requestId: string;
    }
  | {
      /**
       * What keeps the runtime busy on its own side, sent when it changes (at most once per
       * microtask checkpoint): the host hibernates only an idle runtime (docs/operations.md).
       */
      type: 'activity';
      /** Pending timers and intervals the runtime set (unref'ed ones excluded). */
      timers: number;
      /** Event names with at least one `spindle.on` handler. */
      events: string[];
    };

/** `type` values of `WorkerToHost`. */
export type WorkerToHostType = WorkerToHost['type'];
/** `type` values of `HostToWorker`. */
export type HostToWorkerType = HostToWorker['type'];
