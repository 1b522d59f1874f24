/**
 * `spindle.frontendProcesses`, host side. A spawn is routed to exactly one frontend session,
 * runs through the shared state machine, and the host keeps the deadlines: startup, heartbeat,
 * stop grace (the process can never stay `stopping`), and a disconnect window. While the owning
 * session is disconnected the heartbeat watchdog is held (heartbeats queue on the frontend side)
 * and a disconnect deadline runs instead: the process continues on resume, or ends `failed` /
 * `frontend_unloaded`. Whenever the host ends a process the frontend did not end itself, the
 * session is told (`process_terminated`), so neither side keeps an orphan.
 */
import {
  type FrontendProcessInfoDTO,
  type FrontendProcessListOptionsDTO,
  type FrontendProcessStopOptionsDTO,
  isSpindleError,
  PROCESS_DEFAULTS,
  SpindleError,
  validateFrontendProcessSpawnOptions,
} from '@spindle/types';
import type { ProcessAuthorization, ProcessUplink } from '../../frontend/authority.ts';
import type { FrontendGateway, FrontendSessionInfo } from '../../frontend/gateway.ts';
import { assertAccess, resolveUser } from '../authority.ts';
import type {
  FrontendProcessMessage,
  FrontendProcessSupervision,
  FrontendSupervisionDeps,
} from '../frontend-hook.ts';
import {
  clampHeartbeatTimeoutMs,
  clampStartupTimeoutMs,
  ProcessMachine,
  ProcessTable,
} from '../machine/index.ts';
import type { ExtensionProcessContext } from '../service.ts';
import { clearDisconnectTimer, type FrontendEntry } from './entry.ts';
import { listenToSessions } from './session-events.ts';
import { routeSpawn } from './session-routing.ts';

/** Options of `createFrontendSupervision`. */
export interface FrontendSupervisionOptions {
  /**
   * How long a process waits for its disconnected session to resume when its heartbeat watchdog
   * is off (`heartbeatTimeoutMs: 0`). With a watchdog, the heartbeat deadline is the window.
   * @default 30000
   */
  disconnectGraceMs?: number;
  /** Live frontend processes per extension. @default 64 */
  maxProcessesPerExtension?: number;
  /** Graceful stop → forced end. @default 5000 (or the service's `stopGraceMs` when smaller) */
  stopGraceMs?: number;
}

let sequence = 0;
function nextProcessId(): string {
  sequence += 1;
  return `fp-${sequence.toString(36)}-${crypto.randomUUID().slice(0, 8)}`;
}

/** The frontend process supervision of one host, with the pieces the host wiring needs. */
export interface FrontendSupervisor extends FrontendProcessSupervision {
  /** Ownership check for the hub: a session may report only on processes it runs. */
  authorizeProcessFrame(
    session: FrontendSessionInfo,
    processId: string,
    message: ProcessUplink,
  ): ProcessAuthorization;
  /** Every live and recently ended process, with its extension (operator views). */
  snapshot(): Array<FrontendProcessInfoDTO & { extensionId: string; sessionId: string }>;
}

/** Factory for `createProcessService({ frontend })`. */
export function createFrontendSupervision(options: FrontendSupervisionOptions = {}) {
  return (deps: FrontendSupervisionDeps): FrontendSupervisor =>
    buildFrontendSupervisor(deps, options);
}

function buildFrontendSupervisor(
  deps: FrontendSupervisionDeps,
  options: FrontendSupervisionOptions,
): FrontendSupervisor {
  const { gateway, timers, logger, limits } = deps;
  const table = new ProcessTable<FrontendEntry>(limits.historyPerExtension);
  const disconnectGraceMs = options.disconnectGraceMs ?? 30_000;
  const maxPerExtension = options.maxProcessesPerExtension ?? 64;
  const stopGraceMs =
    options.stopGraceMs ?? Math.min(PROCESS_DEFAULTS.frontendStopGraceMs, limits.stopGraceMs);
  const unloading = new Set<string>();
  /** Recent processes, live or ended, for operator views (bounded). */
  const recent: FrontendEntry[] = [];
  const RECENT_LIMIT = 200;
  let closing = false;

  const log = (level: 'info' | 'warn' | 'error', message: string, entry?: FrontendEntry) =>
    logger({
      level,
      message,
      ...(entry ? { extensionId: entry.extensionId, processId: entry.processId } : {}),
    });

  const send = (entry: FrontendEntry, message: Parameters<FrontendGateway['send']>[1]) =>
    gateway?.send(entry.sessionId, message) ?? false;

  const sessions = listenToSessions({ gateway, table, timers, disconnectGraceMs, log });
  const clearDisconnect = (entry: FrontendEntry) => clearDisconnectTimer(entry, timers);

  function assertOpen(ext: ExtensionProcessContext): void {
    if (closing) throw new SpindleError('HOST_CLOSING', 'the host is closing');
    if (unloading.has(ext.extensionId)) {
      throw new SpindleError('EXTENSION_UNLOADED', `extension ${ext.extensionId} was unloaded`, {
        details: { extensionId: ext.extensionId },
      });
    }
  }

  function guard<T>(ext: ExtensionProcessContext, check: () => T): T {
    try {
      return check();
    } catch (error) {
      if (isSpindleError(error)) {
        logger({
          level: 'warn',
          extensionId: ext.extensionId,
          message: `refused (${error.code}): ${error.message}`,
        });
      }
      throw error;
    }
  }

  function access(ext: ExtensionProcessContext, processId: string, userId?: string) {
    const entry = table.get(processId);
    guard(ext, () => assertAccess(ext, entry, processId, userId));
    return entry as FrontendEntry;
  }

  async function spawn(
    ext: ExtensionProcessContext,
    raw: unknown,
  ): Promise<FrontendProcessInfoDTO> {
    assertOpen(ext);
    const valid = validateFrontendProcessSpawnOptions(raw);
    if (!valid.ok) {
      throw new SpindleError(
        'INVALID_OPTIONS',
        `invalid frontend process spawn options: ${valid.error.message}`,
        { details: { path: valid.error.path, extensionId: ext.extensionId } },
      );
    }
    const options = valid.value;
    const kind = options.kind.trim();
    const requested = guard(ext, () => resolveUser(ext, options.userId));
    const session = guard(ext, () =>
      routeSpawn(gateway, {
        extensionId: ext.extensionId,
        userId: requested,
        frontendSessionId: options.frontendSessionId,
      }),
    );
    // Routing already checked that a named user owns the session; a user-scoped extension
    // always names its installer (resolveUser).
    const userId = requested ?? session.userId;
    const admission = await table.admit(
      {
        extensionId: ext.extensionId,
        userId,
        kind,
        key: options.key,
        replaceExisting: options.replaceExisting,
        limit: maxPerExtension,
      },
      (old) =>
        old.machine.stop({ exitReason: 'replaced', reason: 'replaced' }).then(() => undefined),
    );
    try {
      assertOpen(ext);
    } catch (error) {
      admission.release();
      throw error;
    }
    const processId = nextProcessId();
    const deadlines = limits.deadlines;
    const startupTimeoutMs = clampStartupTimeoutMs(options.startupTimeoutMs, deadlines);
    const heartbeatTimeoutMs = clampHeartbeatTimeoutMs(options.heartbeatTimeoutMs, deadlines);
    const machine = new ProcessMachine({
      processId,
      kind,
      key: options.key,
      userId,
      metadata: options.metadata,
      startupTimeoutMs,
      heartbeatTimeoutMs,
      stopGraceMs,
      timers,
      noun: 'frontend process',
      onLifecycle: (event) => ext.post({ type: 'frontend_process_lifecycle', event }),
    });
    const entry: FrontendEntry = {
      extensionId: ext.extensionId,
      machine,
      ext,
      processId,
      userId,
      sessionId: session.sessionId,
      heartbeatTimeoutMs,
      endedByFrontend: false,
      disconnectTimer: undefined,
    };
    table.add(entry);
    recent.push(entry);
    if (recent.length > RECENT_LIMIT) recent.splice(0, recent.length - RECENT_LIMIT);
    admission.release();
    machine.start(() => {
      const delivered = send(entry, {
        type: 'process_spawn',
        extensionId: ext.extensionId,
        processId,
        kind,
        ...(options.key === undefined ? {} : { key: options.key }),
        ...('payload' in options ? { payload: options.payload } : {}),
        ...(options.metadata === undefined ? {} : { metadata: options.metadata }),
        startupTimeoutMs,
        heartbeatTimeoutMs,
      });
      if (!delivered) throw new Error(`frontend session ${session.sessionId} is gone`);
      return {
        requestStop: (reason) =>
          send(entry, {
            type: 'process_stop',
            processId,
            force: false,
            ...(reason === undefined ? {} : { reason }),
          }),
        kill: () => {},
        dispose: () => {
          clearDisconnect(entry);
          if (entry.endedByFrontend) return;
          const info = machine.info();
          send(entry, {
            type: 'process_terminated',
            processId,
            state: info.state,
            exitReason: info.exitReason ?? 'failed',
            ...(info.error === undefined ? {} : { error: info.error }),
          });
        },
      };
    });
    return machine.spawned;
  }

  async function endAll(extensionId: string | undefined, exitReason: 'backend_unloaded') {
    await Promise.all(
      table
        .live(extensionId)
        .map((entry) =>
          entry.machine.terminate(exitReason, closing ? 'HOST_CLOSING' : 'EXTENSION_UNLOADED'),
        ),
    );
  }

  return {
    async handle(ext: ExtensionProcessContext, message: FrontendProcessMessage) {
      switch (message.type) {
        case 'frontend_process_spawn':
          return spawn(ext, message.options);
        case 'frontend_process_list': {
          const filter: FrontendProcessListOptionsDTO = message.filter ?? {};
          const userId = guard(ext, () => resolveUser(ext, filter.userId));
          return table.list(ext.extensionId, {
            ...filter,
            ...(userId === undefined ? {} : { userId }),
          });
        }
        case 'frontend_process_get':
          try {
            return access(ext, message.processId).machine.info();
          } catch (error) {
            if (isSpindleError(error, 'PROCESS_NOT_FOUND')) return null;
            throw error;
          }
        case 'frontend_process_stop': {
          const stopOptions: FrontendProcessStopOptionsDTO = message.options ?? {};
          const entry = access(ext, message.processId, stopOptions.userId);
          return entry.machine.stop({
            exitReason: 'stopped',
            ...(stopOptions.reason === undefined ? {} : { reason: stopOptions.reason }),
          });
        }
        case 'frontend_process_send': {
          const entry = access(ext, message.processId, message.userId);
          if (entry.machine.acceptToProcess()) {
            send(entry, {
              type: 'process_message',
              processId: entry.processId,
              payload: message.payload,
            });
          }
          return undefined;
        }
      }
    },
    async unloadExtension(extensionId) {
      unloading.add(extensionId);
      try {
        await endAll(extensionId, 'backend_unloaded');
        table.forgetHistory(extensionId);
      } finally {
        unloading.delete(extensionId);
      }
    },
    async close() {
      closing = true;
      await endAll(undefined, 'backend_unloaded');
      sessions.stop();
    },
    authorizeProcessFrame(session, processId) {
      const entry = table.get(processId);
      if (entry === undefined) return true; // answered with process_terminated by the supervisor
      if (entry.sessionId === session.sessionId) return true;
      return { code: 'PROCESS_NOT_FOUND', message: `process ${processId} not found` };
    },
    liveCount: (extensionId) => table.liveCount(extensionId),
    snapshot() {
      return recent.map((entry) => ({
        ...entry.machine.info(),
        extensionId: entry.extensionId,
        sessionId: entry.sessionId,
      }));
    },
  };
}
