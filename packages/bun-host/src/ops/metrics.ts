/**
 * The host's Prometheus metrics (docs/operations.md, "Metrics"), built with prom-client on a
 * registry of their own. Counters follow the host's events; gauges and `/proc` figures are read
 * when scraped. Label values are bounded: extension identifiers (installed extensions), states,
 * triggers, exit reasons (whatever reason a runtime ends with is counted under its own name),
 * and service names only for registered service methods.
 */
import { readFileSync } from 'node:fs';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { FrontendSessionInfo } from '../frontend/gateway.ts';
import type { SpindleHost } from '../host-types.ts';
import type { WireCounters } from '../server/counters.ts';
import type { ReadProc } from '../stats/proc.ts';
import { registerProcMetrics } from './proc-metrics.ts';

/** What the metrics read besides the host. */
export interface HostMetricsOptions {
  host: SpindleHost;
  /** Traffic counters and open connections of the server, when there is one. */
  wire?: () => { counters: WireCounters; connections: number } | undefined;
  /** Sessions now (connected and resumable). @default the host's gateway */
  sessions?: () => FrontendSessionInfo[];
  /** Activations waiting for room, runtimes holding a slot, and the cap. */
  capacity?: () => { waiting: number; occupied: number; max: number };
  /** Reader of `/proc` files. @default fs.readFileSync(path, 'utf8') */
  readProc?: ReadProc;
  /** The host's pid. @default process.pid */
  pid?: number;
}

/** The metrics of one host. */
export interface HostMetrics {
  readonly registry: Registry;
  /** `Content-Type` of `text()`. */
  readonly contentType: string;
  /** Every metric in the Prometheus text format. */
  text(): Promise<string>;
  /** Stops following the host's events. */
  close(): void;
}

/** Creates the metrics of `host`. */
export function createHostMetrics(options: HostMetricsOptions): HostMetrics {
  const { host } = options;
  const read = options.readProc ?? ((path: string) => readFileSync(path, 'utf8'));
  const hostPid = options.pid ?? process.pid;
  const registry = new Registry();
  const registers = [registry];

  const activations = new Counter({
    name: 'spindle_activations_total',
    help: 'Runtime activations by extension, trigger and outcome (ok or the error code)',
    labelNames: ['extension', 'trigger', 'outcome'] as const,
    registers,
  });
  const activationSeconds = new Histogram({
    name: 'spindle_activation_duration_seconds',
    help: 'Time from the need to the running runtime (wake latency), successful activations',
    labelNames: ['trigger'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const hibernations = new Counter({
    name: 'spindle_hibernations_total',
    help: 'Runtimes hibernated, by extension and reason (idle, evicted, hibernated)',
    labelNames: ['extension', 'reason'] as const,
    registers,
  });
  const exits = new Counter({
    name: 'spindle_runtime_exits_total',
    help: 'Runtime ends by extension and exit reason',
    labelNames: ['extension', 'reason'] as const,
    registers,
  });
  const restarts = new Counter({
    name: 'spindle_runtime_restarts_total',
    help: 'Runtime restarts by extension and cause (crash: the crash policy; operator: restart)',
    labelNames: ['extension', 'cause'] as const,
    registers,
  });
  const spawns = new Counter({
    name: 'spindle_process_spawns_total',
    help: 'Processes spawned, by side (backend, frontend)',
    labelNames: ['side'] as const,
    registers,
  });
  const ends = new Counter({
    name: 'spindle_process_ends_total',
    help: 'Processes ended, by side and exit reason',
    labelNames: ['side', 'reason'] as const,
    registers,
  });
  const serviceSeconds = new Histogram({
    name: 'spindle_service_call_duration_seconds',
    help: 'App service calls of runtimes, by namespace, method and outcome (ok or the error code)',
    labelNames: ['namespace', 'method', 'outcome'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  });

  new Gauge({
    name: 'spindle_runtimes',
    help: 'Extensions by state (running: runtimes that run now)',
    labelNames: ['state'] as const,
    registers,
    collect() {
      this.reset();
      const counts = new Map<string, number>();
      for (const info of host.list()) counts.set(info.state, (counts.get(info.state) ?? 0) + 1);
      for (const [state, count] of counts) this.set({ state }, count);
    },
  });
  new Gauge({
    name: 'spindle_extension_state',
    help: 'State of each extension (1 for its current state)',
    labelNames: ['extension', 'state', 'policy'] as const,
    registers,
    collect() {
      this.reset();
      for (const info of host.list()) {
        this.set(
          {
            extension: info.identifier,
            state: info.state,
            policy: info.activation?.policy ?? 'none',
          },
          1,
        );
      }
    },
  });
  new Gauge({
    name: 'spindle_activation_queue_depth',
    help: 'Frontend messages and app events waiting for a runtime to start, per extension',
    labelNames: ['extension'] as const,
    registers,
    collect() {
      this.reset();
      for (const info of host.list()) {
        if (info.waiting !== undefined) this.set({ extension: info.identifier }, info.waiting);
      }
    },
  });
  if (options.capacity) {
    const capacity = options.capacity;
    new Gauge({
      name: 'spindle_capacity',
      help: 'Runtimes holding a slot (occupied), the cap (max; +Inf without one) and activations waiting for room',
      labelNames: ['what'] as const,
      registers,
      collect() {
        const now = capacity();
        this.set({ what: 'occupied' }, now.occupied);
        this.set({ what: 'max' }, now.max);
        this.set({ what: 'waiting' }, now.waiting);
      },
    });
  }
  new Gauge({
    name: 'spindle_draining',
    help: '1 while the host drains (new activations and spawns are refused)',
    registers,
    collect() {
      this.set(host.draining ? 1 : 0);
    },
  });
  const sessions = options.sessions ?? (() => host.frontendGateway.listSessions());
  new Gauge({
    name: 'spindle_sessions',
    help: 'Frontend sessions, connected or waiting to be resumed',
    labelNames: ['connected'] as const,
    registers,
    collect() {
      this.reset();
      let connected = 0;
      let detached = 0;
      for (const session of sessions()) {
        if (session.connected) connected += 1;
        else detached += 1;
      }
      this.set({ connected: 'true' }, connected);
      this.set({ connected: 'false' }, detached);
    },
  });
  if (options.wire) {
    const wire = options.wire;
    const fromWire = (name: string, help: string, pick: (c: WireCounters) => number) =>
      new Counter({
        name,
        help,
        registers,
        collect() {
          const now = wire();
          this.reset();
          if (now) this.inc(pick(now.counters));
        },
      });
    fromWire(
      'spindle_wire_frames_received_total',
      'WebSocket messages read',
      (c) => c.framesReceived,
    );
    fromWire('spindle_wire_frames_sent_total', 'Frames written to sockets', (c) => c.framesSent);
    fromWire(
      'spindle_wire_frames_dropped_total',
      'Messages dropped by the rate limiter',
      (c) => c.framesDropped,
    );
    fromWire(
      'spindle_wire_frames_rejected_total',
      'Messages answered with an error frame',
      (c) => c.framesRejected,
    );
    fromWire(
      'spindle_wire_backpressure_closes_total',
      'Connections closed because the client read too slowly',
      (c) => c.backpressureCloses,
    );
    fromWire(
      'spindle_wire_rate_limit_closes_total',
      'Connections closed for flooding',
      (c) => c.rateLimitCloses,
    );
    fromWire(
      'spindle_admission_auth_failures_total',
      'Authentications refused (WebSocket hello and API bearer tokens)',
      (c) => c.authFailures ?? 0,
    );
    fromWire(
      'spindle_admission_backoff_refusals_total',
      'Upgrades and API calls refused because their address was in backoff',
      (c) => c.backoffRefusals ?? 0,
    );
    fromWire(
      'spindle_admission_pending_refusals_total',
      'Upgrades refused for too many unauthenticated connections',
      (c) => c.pendingRefusals ?? 0,
    );
    new Gauge({
      name: 'spindle_wire_connections',
      help: 'Open WebSocket connections (handshaking ones included)',
      registers,
      collect() {
        this.set(wire()?.connections ?? 0);
      },
    });
  }

  registerProcMetrics(registry, host, read, hostPid);

  // Counters that follow the host's events.
  const onActivation = (e: { id: string; trigger: string; outcome: string; ms: number }) => {
    activations.inc({ extension: e.id, trigger: e.trigger, outcome: e.outcome });
    if (e.outcome === 'ok') activationSeconds.observe({ trigger: e.trigger }, e.ms / 1000);
  };
  const onHibernation = (e: { id: string; reason: string }) =>
    hibernations.inc({ extension: e.id, reason: e.reason });
  const onExit = (e: { extensionId: string; reason: string }) =>
    exits.inc({ extension: e.extensionId, reason: e.reason });
  const onState = (e: { extensionId: string; state: string; previousState: string }) => {
    if (e.state === 'restarting') restarts.inc({ extension: e.extensionId, cause: 'crash' });
    else if (e.state === 'starting' && e.previousState === 'stopping') {
      restarts.inc({ extension: e.extensionId, cause: 'operator' });
    }
  };
  const onProcess = (e: {
    side: string;
    state: string;
    previousState?: string;
    exitReason?: string;
  }) => {
    if (e.previousState === undefined) spawns.inc({ side: e.side });
    if (e.exitReason !== undefined) ends.inc({ side: e.side, reason: e.exitReason });
  };
  const onServiceCall = (e: { namespace: string; method: string; outcome: string; ms: number }) => {
    // Names a runtime made up would grow the series without bound: only registered ones count.
    const known = host.services
      .list()
      .some((s) => s.namespace === e.namespace && s.methods.includes(e.method));
    serviceSeconds.observe(
      {
        namespace: known ? e.namespace : '_unregistered',
        method: known ? e.method : '_unregistered',
        outcome: e.outcome,
      },
      e.ms / 1000,
    );
  };
  host.events.on('activation', onActivation);
  host.events.on('hibernation', onHibernation);
  host.events.on('exit', onExit);
  host.events.on('state', onState);
  host.events.on('process', onProcess);
  host.events.on('service_call', onServiceCall);

  return {
    registry,
    contentType: registry.contentType,
    text: () => registry.metrics(),
    close() {
      host.events.off('activation', onActivation);
      host.events.off('hibernation', onHibernation);
      host.events.off('exit', onExit);
      host.events.off('state', onState);
      host.events.off('process', onProcess);
      host.events.off('service_call', onServiceCall);
    },
  };
}
