/**
 * What frontend sessions tell the frontend supervisor: a session dropped (hold the heartbeat
 * watchdog, run the disconnect window), resumed (release it), closed for good (end its
 * processes), and the uplinks of its processes (ready, heartbeat, messages, ends). A session may
 * report only on processes it runs; a report on a process the host does not know, or has ended,
 * is answered with `process_terminated` so the tab drops it.
 */
import type { FrontendDownlink, FrontendUplink } from '@spindle/types';
import type { FrontendGateway, FrontendSessionInfo } from '../../frontend/gateway.ts';
import type { ProcessTable, SupervisorTimers } from '../machine/index.ts';
import { clearDisconnectTimer, endFromFrontend, type FrontendEntry } from './entry.ts';

/** What the session listener needs from the supervisor. */
export interface SessionEventsContext {
  gateway: FrontendGateway | undefined;
  table: ProcessTable<FrontendEntry>;
  timers: SupervisorTimers;
  /** Disconnect window of a process whose heartbeat watchdog is off. */
  disconnectGraceMs: number;
  log(level: 'info' | 'warn' | 'error', message: string, entry?: FrontendEntry): void;
}

/** Subscribes to the gateway's session events; `stop()` unsubscribes. */
export function listenToSessions(ctx: SessionEventsContext): { stop(): void } {
  const { gateway, table, timers, disconnectGraceMs, log } = ctx;
  const clearDisconnect = (entry: FrontendEntry) => clearDisconnectTimer(entry, timers);
  const send = (entry: FrontendEntry, message: FrontendDownlink) =>
    gateway?.send(entry.sessionId, message) ?? false;

  function onDetached(session: FrontendSessionInfo): void {
    for (const entry of table.live()) {
      if (entry.sessionId !== session.sessionId || entry.machine.isTerminal) continue;
      entry.machine.holdHeartbeat();
      clearDisconnect(entry);
      const windowMs = entry.heartbeatTimeoutMs > 0 ? entry.heartbeatTimeoutMs : disconnectGraceMs;
      entry.disconnectTimer = timers.setTimeout(() => {
        entry.disconnectTimer = undefined;
        entry.machine.fail(
          `frontend session ${session.sessionId} disconnected and did not resume within ${windowMs} ms`,
          'frontend_unloaded',
        );
      }, windowMs);
    }
  }

  function onResumed(session: FrontendSessionInfo): void {
    for (const entry of table.live()) {
      if (entry.sessionId !== session.sessionId) continue;
      clearDisconnect(entry);
      entry.machine.releaseHeartbeat();
    }
  }

  function onClosed(session: FrontendSessionInfo): void {
    for (const entry of table.live()) {
      if (entry.sessionId !== session.sessionId || entry.machine.isTerminal) continue;
      clearDisconnect(entry);
      // Nobody is left to tell: the session is gone for good.
      endFromFrontend(entry, () =>
        entry.machine.fail(`frontend session ${session.sessionId} closed`, 'frontend_unloaded'),
      );
    }
  }

  function onUplink({
    session,
    message,
  }: {
    session: FrontendSessionInfo;
    message: FrontendUplink;
  }): void {
    if (message.type === 'extension_unmounted') {
      for (const entry of table.live(message.extensionId)) {
        if (entry.sessionId !== session.sessionId || entry.machine.isTerminal) continue;
        endFromFrontend(entry, () =>
          entry.machine.stop({ exitReason: 'frontend_unloaded', graceMs: 0 }),
        );
      }
      return;
    }
    if (!('processId' in message)) return;
    const entry = table.get(message.processId);
    if (entry === undefined) {
      // A process the host does not know (ended long ago, or before a host restart): end it there.
      gateway?.send(session.sessionId, {
        type: 'process_terminated',
        processId: message.processId,
        state: 'failed',
        exitReason: 'failed',
        error: 'the host does not know this process',
      });
      return;
    }
    if (entry.sessionId !== session.sessionId) {
      log('warn', `session ${session.sessionId} reported on a process it does not own`, entry);
      return;
    }
    const m = entry.machine;
    if (m.isTerminal) {
      m.acceptFromProcess();
      if (message.type !== 'process_ended') {
        send(entry, {
          type: 'process_terminated',
          processId: entry.processId,
          state: m.state,
          exitReason: m.info().exitReason ?? 'failed',
          ...(m.info().error === undefined ? {} : { error: m.info().error }),
        });
      }
      return;
    }
    switch (message.type) {
      case 'process_ready':
        m.ready();
        return;
      case 'process_heartbeat':
        m.heartbeat();
        return;
      case 'process_message':
        if (m.acceptFromProcess()) {
          entry.ext.post({
            type: 'frontend_process_message',
            processId: entry.processId,
            payload: message.payload,
            userId: m.userId ?? session.userId,
          });
        }
        return;
      case 'process_ended':
        endFromFrontend(entry, () => {
          switch (message.outcome) {
            case 'completed':
              m.complete();
              return;
            case 'failed':
              m.fail(message.error ?? 'failed');
              return;
            case 'stopped':
              m.stopped();
              return;
            case 'frontend_unloaded':
              m.stop({ exitReason: 'frontend_unloaded', graceMs: 0 });
              return;
          }
        });
        return;
    }
  }

  if (gateway !== undefined) {
    gateway.events.on('session_detached', onDetached);
    gateway.events.on('session_resumed', onResumed);
    gateway.events.on('session_closed', onClosed);
    gateway.events.on('uplink', onUplink);
  }
  return {
    stop() {
      if (gateway === undefined) return;
      gateway.events.off('session_detached', onDetached);
      gateway.events.off('session_resumed', onResumed);
      gateway.events.off('session_closed', onClosed);
      gateway.events.off('uplink', onUplink);
    },
  };
}
