/**
 * The contract of `ExtensionController`: the transition table of an extension's state, the
 * events it reports and what it needs from the host.
 */
import type { ExtensionStateDTO, HostToWorker, WorkerToHost } from '@spindle/types';
import type { RuntimeTimingOptions } from './timing.ts';
import type { RuntimeExitReason, RuntimeExitStatus, RuntimeInstance, Timers } from './types.ts';

/** Allowed transitions of an extension's state. `error` (bad manifest) is never entered here. */
export const EXTENSION_TRANSITIONS: Readonly<
  Record<ExtensionStateDTO, readonly ExtensionStateDTO[]>
> = {
  disabled: ['starting', 'hibernated'],
  starting: ['running', 'failed', 'stopping', 'disabled'],
  running: ['stopping', 'restarting', 'crashed'],
  stopping: ['disabled', 'starting', 'hibernated'],
  restarting: ['starting', 'disabled'],
  failed: ['starting', 'disabled', 'hibernated'],
  crashed: ['starting', 'disabled', 'hibernated'],
  hibernated: ['starting', 'disabled'],
  error: [],
};

/** A state change of an extension. */
export interface ExtensionStateChange {
  extensionId: string;
  state: ExtensionStateDTO;
  previousState: ExtensionStateDTO;
  /** Why the extension is `failed` or `crashed`. */
  error?: string;
  /** How its last runtime ended, on a change to `failed`, `crashed` or `restarting`. */
  exitReason?: RuntimeExitReason;
  /** Clock reading of the change (ms). */
  at: number;
}

/** The end of one runtime, with its structured reason. */
export interface RuntimeExitEvent extends RuntimeExitStatus {
  extensionId: string;
  reason: RuntimeExitReason;
  pid?: number;
  error?: string;
  /** Last stderr lines, for failures. */
  stderrTail?: string;
}

/** What a controller needs from the host. */
export interface ExtensionControllerOptions {
  extensionId: string;
  /**
   * Starts a runtime (the entry is not imported before `init`). A launcher that can hand
   * `init` over at start (a subprocess's environment) does so and says it in
   * `RuntimeInstance.initDelivered`; otherwise the controller sends it as the first message.
   */
  launch(init: HostToWorker): Promise<RuntimeInstance>;
  /** The `init` message for a new runtime. */
  buildInit(): HostToWorker;
  /** Every valid message other than `ready`, `init_failed` and `shutdown_complete`. */
  onMessage(message: WorkerToHost, runtime: RuntimeInstance): void;
  /** Ends the extension's processes (`backend_unloaded`) before `shutdown`. */
  unloadProcesses(): Promise<void>;
  onStateChange(change: ExtensionStateChange): void;
  onExit(event: RuntimeExitEvent): void;
  onLog(level: 'info' | 'warn' | 'error', message: string): void;
  /** A runtime reported `ready` after `startupMs`. */
  onReady?(runtime: RuntimeInstance, startupMs: number): void;
  /** A deliberate stop of a running runtime begins (it is still alive). */
  onStopping?(runtime: RuntimeInstance): void;
  /** A runtime is gone (after `onExit`). */
  onGone?(runtime: RuntimeInstance): void;
  timing?: RuntimeTimingOptions;
  timers?: Timers;
}
