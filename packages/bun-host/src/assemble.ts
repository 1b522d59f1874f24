/**
 * `startSpindleHost`: the whole host in one call. It builds the frontend side (hub + WebSocket
 * server), process supervision for both kinds (backend subprocesses and frontend processes, the
 * latter routed through the hub), and the host core, and wires them together:
 * the hub asks supervision who owns a process, and the server's admin process list reads both
 * supervisors. `createSpindleHost` alone stays available for embedding without a server.
 */

import type { FrontendHub } from './frontend/hub.ts';
import { createSpindleHost, type SpindleHost, type SpindleHostOptions } from './host.ts';
import type { HostMetrics } from './ops/metrics.ts';
import { createFrontendSupervision, type FrontendSupervisor } from './processes/frontend/index.ts';
import type { FrontendSupervisionOptions } from './processes/frontend/supervisor.ts';
import {
  createProcessService,
  type ProcessServiceOptions,
  type SpindleProcessService,
} from './processes/service-impl.ts';
import type { Authenticate } from './server/auth.ts';
import { createWireCounters, type WireCounters } from './server/counters.ts';
import type { HostHandlers } from './server/handlers.ts';
import { createFrontendSide, type FrontendSideOptions, mounted } from './server/host-wiring.ts';
import type { RunningHostServer } from './server/server.ts';

/** Options of `startSpindleHost`. */
export interface StartSpindleHostOptions
  extends Omit<SpindleHostOptions, 'frontendGateway' | 'processService' | 'server'> {
  /** Resolves tokens of `hello` and of `Authorization: Bearer` to a user (see `server/auth.ts`). */
  authenticate: Authenticate;
  /** Server options (limits, CORS origins, timeouts), minus what the host provides. */
  serverOptions?: Omit<FrontendSideOptions, 'authenticate' | 'port' | 'hostname' | 'listProcesses'>;
  /** Process supervision options (limits, logger, timers). */
  processOptions?: Omit<ProcessServiceOptions, 'frontendGateway' | 'frontend'>;
  /** Frontend process options (disconnect grace, limits). */
  frontendProcessOptions?: FrontendSupervisionOptions;
  /**
   * Mount the host on the app's own server instead of starting one: no port is opened and
   * `StartedSpindleHost.handlers` holds the `fetch` / `websocket` handlers to serve (their routes
   * under `basePath`). See docs/embedding.md.
   * @default undefined (the host starts its own `Bun.serve` on `port`)
   */
  mount?: { basePath?: string };
}

/** One row of the operator's process list (`GET /api/processes`). */
export interface ProcessRow {
  side: 'frontend' | 'backend';
  extensionId: string;
  processId: string;
  kind: string;
  key?: string;
  userId?: string;
  state: string;
  exitReason?: string;
  error?: string;
  startedAt: string;
  readyAt?: string;
  lastHeartbeatAt?: string;
  endedAt?: string;
  /** Frontend processes: the session that runs it. */
  sessionId?: string;
  /** Backend processes: the entry it runs. */
  entry?: string;
}

/** A running host with its parts. */
export interface StartedSpindleHost {
  host: SpindleHost;
  hub: FrontendHub;
  processService: SpindleProcessService;
  frontendProcesses: FrontendSupervisor;
  /** Every supervised process, newest last. */
  listProcesses(): ProcessRow[];
  /** The handlers to serve, when started with `mount` (else `undefined`). */
  handlers: HostHandlers | undefined;
  /** The server's traffic and admission counters since start (a snapshot). */
  counters(): WireCounters;
  /**
   * The host's Prometheus metrics (`GET /metrics`); its `registry` takes the app's own metrics
   * too (docs/operations.md, "Metrics").
   */
  metrics: HostMetrics;
  /** Stops the server, every runtime and every process. Idempotent. */
  close(): Promise<void>;
}

/** Starts the host, its server and process supervision. */
export async function startSpindleHost(
  options: StartSpindleHostOptions,
): Promise<StartedSpindleHost> {
  const {
    authenticate,
    serverOptions,
    processOptions,
    frontendProcessOptions,
    mount,
    ...hostOptions
  } = options;
  let handlers: HostHandlers | undefined;
  let frontendProcesses: FrontendSupervisor | undefined;
  let processService: SpindleProcessService | undefined;
  const listProcesses = (): ProcessRow[] => [
    ...(processService?.backend.snapshot() ?? []).map(
      (p): ProcessRow => ({ ...p, side: 'backend' }),
    ),
    ...(frontendProcesses?.snapshot() ?? []).map((p): ProcessRow => ({ ...p, side: 'frontend' })),
  ];
  const side = createFrontendSide({
    ...serverOptions,
    ...(mount?.basePath === undefined ? {} : { basePath: mount.basePath }),
    authenticate,
    ...(hostOptions.port === undefined ? {} : { port: hostOptions.port }),
    ...(hostOptions.hostname === undefined ? {} : { hostname: hostOptions.hostname }),
    listProcesses,
  });
  processService = createProcessService({
    ...processOptions,
    frontendGateway: side.hub,
    frontend: (deps) => {
      frontendProcesses = createFrontendSupervision(frontendProcessOptions)(deps);
      return frontendProcesses;
    },
  });
  const supervisor = frontendProcesses as FrontendSupervisor | undefined;
  if (supervisor === undefined) throw new Error('frontend supervision was not built');
  side.hub.setProcessAuthorizer((session, processId, message) =>
    supervisor.authorizeProcessFrame(session, processId, message),
  );
  let running: RunningHostServer | undefined;
  const host = await createSpindleHost({
    ...hostOptions,
    frontendGateway: side.hub,
    processService,
    server: mount
      ? (built) => {
          handlers = side.handlers(built);
          return mounted(handlers);
        }
      : (created) => {
          running = side.server(created);
          return running;
        },
  });
  const service = processService;
  return {
    host,
    hub: side.hub,
    processService: service,
    frontendProcesses: supervisor,
    listProcesses,
    handlers,
    counters: () => running?.counters() ?? handlers?.counters() ?? createWireCounters(),
    metrics: side.metrics as HostMetrics,
    close: () => host.close(),
  };
}
