/**
 * The seam between backend runtimes and process supervision. A runtime's process requests
 * (`frontend_process_*`, `backend_process_*`) are handed to a `ProcessService`; the service
 * posts lifecycle events and messages back through `ExtensionProcessContext.post`.
 */
import type {
  ExtensionScope,
  HostToWorker,
  SpindleManifest,
  SpindleRuntimeMode,
  WorkerToHost,
} from '@spindle/types';
import type { LaunchSettings } from '../sandbox/settings.ts';

/** Process messages a runtime may send: requests (with `requestId`) and fire-and-forget sends. */
export type ProcessRequestMessage = Extract<
  WorkerToHost,
  { type: `frontend_process_${string}` | `backend_process_${string}` }
>;

/** What process supervision knows of the extension that asks. */
export interface ExtensionProcessContext {
  readonly extensionId: string;
  readonly manifest: SpindleManifest;
  /** Absolute path of the extension folder. */
  readonly extensionPath: string;
  /** Absolute path of the extension's storage folder. */
  readonly storagePath: string;
  readonly scope: ExtensionScope;
  readonly runtimeMode: SpindleRuntimeMode;
  /**
   * The host's launch settings (runtime user, cache folder, …), so its backend processes start
   * like its runtime. @default resolved from `process.env`
   */
  readonly launch?: LaunchSettings;
  /** Posts to the extension's runtime; dropped when the runtime is gone. */
  post(message: HostToWorker): void;
}

/** Process supervision as the runtime layer sees it. */
export interface ProcessService {
  /**
   * Handles one process message. For requests the promise resolves with the `response` result
   * or rejects with a `SpindleError`; for sends it resolves with `undefined`.
   */
  handle(ext: ExtensionProcessContext, message: ProcessRequestMessage): Promise<unknown>;
  /**
   * Ends every process of the extension with `backend_unloaded`, emits their lifecycle events
   * and settles their pending spawns; resolves when all of them have ended.
   */
  unloadExtension(extensionId: string): Promise<void>;
  /** Ends everything and settles every pending request (`HOST_CLOSING`). */
  close(): Promise<void>;
  /**
   * Processes of the extension (both kinds) that have not ended: a runtime with one is not idle.
   * @default 0
   */
  liveCount?(extensionId: string): number;
}
