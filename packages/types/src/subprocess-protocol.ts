/**
 * Host ↔ backend subprocess protocol (`spindle.backendProcesses`), over Bun IPC.
 * Variant names follow upstream. Terminal messages (`complete`, `fail`, `stopped`) are the
 * child's last word: the host reads the outcome from them, not from the exit code, and a
 * terminal message that races the exit event still wins.
 */

/** What the child needs to run its handler. */
export interface BackendProcessRuntimeInit {
  processId: string;
  /** Entry relative to the extension root (as given to `spawn`). */
  entry: string;
  /** Absolute path of the entry, resolved and checked by the host. */
  entryPath: string;
  kind: string;
  key?: string;
  payload?: unknown;
  metadata?: Record<string, unknown>;
  userId?: string;
}

/** Host → subprocess. */
export type HostToBackendProcess =
  | { type: 'init'; process: BackendProcessRuntimeInit }
  | { type: 'stop'; reason?: string }
  | { type: 'message'; payload: unknown };

/** Subprocess → host. */
export type BackendProcessToHost =
  | { type: 'ready' }
  | { type: 'heartbeat' }
  | { type: 'message'; payload: unknown }
  | { type: 'complete'; result?: unknown }
  | { type: 'fail'; error: string }
  | {
      /** Answer to `stop`: the handler honoured the stop request. */
      type: 'stopped';
    };

/** `type` values of `BackendProcessToHost`. */
export type BackendProcessToHostType = BackendProcessToHost['type'];
