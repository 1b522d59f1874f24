/**
 * States, exit reasons and the transition table of a supervised process (docs/architecture.md, "Process lifecycle").
 * Both process kinds (backend subprocesses and frontend processes) follow this one table.
 */
import type { FrontendProcessExitReasonDTO, FrontendProcessStateDTO } from '@spindle/types';
import { SpindleError } from '@spindle/types';

/** State of a supervised process. */
export type ProcessState = FrontendProcessStateDTO;

/** Why a process ended (the union of both kinds; backend processes never use `frontend_unloaded`). */
export type ProcessExitReason = FrontendProcessExitReasonDTO;

/** A terminal state: nothing happens to the process after it. */
export type TerminalProcessState = Extract<
  ProcessState,
  'stopped' | 'completed' | 'failed' | 'timed_out'
>;

/** Exit reasons that end a process through a stop request (the host's or the extension's). */
export type StopExitReason = Extract<
  ProcessExitReason,
  'stopped' | 'replaced' | 'backend_unloaded' | 'frontend_unloaded'
>;

/** Which states may follow each state. Terminal states have no successor. */
export const PROCESS_TRANSITIONS: Readonly<Record<ProcessState, readonly ProcessState[]>> = {
  starting: ['running', 'stopping', 'stopped', 'completed', 'failed', 'timed_out'],
  running: ['stopping', 'stopped', 'completed', 'failed', 'timed_out'],
  // `complete()` after a stop request ends `stopped`, so `completed` cannot follow `stopping`.
  stopping: ['stopped', 'failed', 'timed_out'],
  stopped: [],
  completed: [],
  failed: [],
  timed_out: [],
};

/** Which exit reasons each terminal state may carry. */
export const TERMINAL_EXIT_REASONS: Readonly<
  Record<TerminalProcessState, readonly ProcessExitReason[]>
> = {
  completed: ['completed'],
  stopped: ['stopped', 'replaced', 'backend_unloaded', 'frontend_unloaded'],
  failed: ['failed', 'frontend_unloaded', 'backend_unloaded'],
  timed_out: ['timed_out'],
};

/** True for `stopped`, `completed`, `failed` and `timed_out`. */
export function isTerminalState(state: ProcessState): state is TerminalProcessState {
  return PROCESS_TRANSITIONS[state].length === 0;
}

/** True when the table allows `from → to`. */
export function canTransition(from: ProcessState, to: ProcessState): boolean {
  return PROCESS_TRANSITIONS[from].includes(to);
}

/**
 * Throws `INTERNAL` when the table forbids `from → to` or `reason` does not fit the terminal
 * state: both are bugs of the supervisor, never of an extension.
 */
export function assertTransition(
  processId: string,
  from: ProcessState,
  to: ProcessState,
  reason?: ProcessExitReason,
): void {
  if (!canTransition(from, to)) {
    throw new SpindleError('INTERNAL', `process ${processId}: no transition ${from} → ${to}`, {
      details: { processId, state: from, to },
    });
  }
  if (
    isTerminalState(to) &&
    (reason === undefined || !TERMINAL_EXIT_REASONS[to].includes(reason))
  ) {
    throw new SpindleError(
      'INTERNAL',
      `process ${processId}: exit reason ${String(reason)} does not fit state ${to}`,
      { details: { processId, state: from, to, exitReason: reason } },
    );
  }
}
