/** What the frontend supervisor keeps per process, and helpers shared by its parts. */
import type { SupervisorTimers, TableEntry, TimerHandle } from '../machine/index.ts';
import type { ExtensionProcessContext } from '../service.ts';

/** A frontend process in the supervisor's table. */
export interface FrontendEntry extends TableEntry {
  readonly ext: ExtensionProcessContext;
  readonly processId: string;
  readonly userId: string | undefined;
  readonly sessionId: string;
  readonly heartbeatTimeoutMs: number;
  /** The frontend reported the end itself: no `process_terminated` back. */
  endedByFrontend: boolean;
  disconnectTimer: TimerHandle | undefined;
}

/** Clears the disconnect window of a process, if one is running. */
export function clearDisconnectTimer(entry: FrontendEntry, timers: SupervisorTimers): void {
  if (entry.disconnectTimer !== undefined) timers.clearTimeout(entry.disconnectTimer);
  entry.disconnectTimer = undefined;
}

/** Ends a process as its tab reported (or on its behalf), without telling the tab back. */
export function endFromFrontend(entry: FrontendEntry, end: () => void): void {
  entry.endedByFrontend = true;
  end();
}
