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
import type { SpindleManifest } from './manifest.ts';
import type { SpindleRuntimeMode } from './runtime.ts';

/** Log levels of `spindle.log`. */
export type LogLevel = 'info' | 'warn' | 'error';

/** Who an extension serves (DESIGN.md section 5). */
export type ExtensionScope =
  | { kind: 'operator' }
  | {
      kind: 'user';
      /** The installing user; implicit in every user-directed call. */
      userId: string;
    };

/** Storage operations, shared by `storage_*` and `user_storage_*` requests. */
export type StorageOp = 'read' | 'write' | 'delete' | 'exists' | 'list';

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
      path: string;
      /** Data for `write`. */
      data?: string;
    }
  | {
      type: 'user_storage';
      requestId: string;
      op: StorageOp;
      path: string;
      data?: string;
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
  | { type: 'backend_process_send'; processId: string; payload: unknown; userId?: string };

/** `type` values of `WorkerToHost`. */
export type WorkerToHostType = WorkerToHost['type'];
/** `type` values of `HostToWorker`. */
export type HostToWorkerType = HostToWorker['type'];
