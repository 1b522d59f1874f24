/**
 * Events of an extension host (a mitt emitter). Listeners that throw are isolated: the SDK
 * catches and logs them, and keeps going.
 */
import type {
  ExtensionInfoDTO,
  FrontendProcessStateDTO,
  FrontendUplink,
  RuntimeStatsEvent,
  SpindleErrorCode,
} from '@spindle/types';
import type { LocalProcessInfo } from '../process/driver.ts';

/** Lifecycle of one extension load in this tab. */
export type ExtensionState = 'loading' | 'mounted' | 'ready' | 'error' | 'unloaded';

/** Where an extension's code or bundle runs. */
export type IsolationMode = 'main' | 'worker';

/** Snapshot of an extension in this host. */
export interface ExtensionSnapshot {
  extensionId: string;
  /** Increases with every load of this extension; older loads are stale. */
  generation: number;
  state: ExtensionState;
  isolation: IsolationMode;
  /** Message of the `error` state. */
  error?: string;
  /** Stable code of the `error` state (`IMPORT_FAILED`, `IMPORT_TIMEOUT`, `SETUP_FAILED`, …). */
  code?: SpindleErrorCode;
}

/** An extension changed state. */
export interface ExtensionStateEvent extends ExtensionSnapshot {
  previousState?: ExtensionState;
  /** Set on `ready` when the `deferReady()` deadline made it ready. */
  readyTimedOut?: boolean;
}

/** What was dropped. */
export type DropKind = 'uplink' | 'backend_message' | 'process_message' | 'process_spawn';

/** Something was not delivered. */
export interface DropEvent {
  what: DropKind;
  reason:
    | 'queue_full'
    | 'transport_error'
    | 'host_closed'
    | 'startup_queue_full'
    | 'not_loaded'
    | 'process_ended'
    | 'unknown_process'
    | 'duplicate_process';
  direction: 'in' | 'out';
  extensionId?: string;
  processId?: string;
  /** The uplink that was dropped (`what: 'uplink'`). */
  message?: FrontendUplink;
}

/** A frontend process changed state in this tab. */
export interface ProcessEvent {
  info: LocalProcessInfo;
  previousState?: FrontendProcessStateDTO;
}

/** An extension callback threw without ending anything (reported, then ignored). */
export interface ExtensionErrorEvent {
  extensionId: string;
  processId?: string;
  phase: 'backend_message_handler' | 'teardown' | 'process_cleanup' | 'contribution';
  message: string;
}

/** Every event of an extension host. */
export type ExtensionHostEvents = {
  state: ExtensionStateEvent;
  dropped: DropEvent;
  process: ProcessEvent;
  error: ExtensionErrorEvent;
  /** `extension_state` from the host: the app decides whether to load or unload. */
  extension_state: ExtensionInfoDTO;
  /** `extension_removed` from the host. */
  extension_removed: { extensionId: string };
  /** `runtime_stats` from the host (admin sessions that subscribed). */
  runtime_stats: RuntimeStatsEvent;
};

/** Counters of an extension host. */
export interface ExtensionHostStats {
  /** Uplinks waiting for the transport. */
  uplinkQueued: number;
  /** Uplinks dropped (queue full, transport error, host closed). */
  uplinkDropped: number;
  /** Backend messages with no loaded extension to go to, or refused by a full startup queue. */
  backendMessagesDropped: number;
  /** Process messages to or from ended or unknown processes. */
  processMessagesDropped: number;
  /** Process spawns refused (extension not loaded, startup queue full). */
  processSpawnsRefused: number;
}
