/**
 * Glue between `createSpindleHost` and the frontend side: one call gives the hub to pass as
 * `frontendGateway` and the factory to pass as `server`. The factory reads extensions and
 * bundles from the host it is handed, so nothing needs to exist before the host does.
 *
 * ```ts
 * const frontend = createFrontendSide({ authenticate, port: 7700 });
 * const processService = createProcessService({ frontendGateway: frontend.hub, … });
 * frontend.hub.setProcessAuthorizer(frontendSupervisor.authorizeProcessFrame);
 * const host = await createSpindleHost({ …, frontendGateway: frontend.hub, processService, server: frontend.server });
 * ```
 */
import { realpathSync, statSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import {
  DEFAULT_ENTRY_FRONTEND,
  type ExtensionInfoDTO,
  type ExtensionStateDTO,
} from '@spindle/types';
import { FrontendHub } from '../frontend/hub.ts';
import type { FrontendHubOptions } from '../frontend/hub-types.ts';
import { type HostExtensionInfo, type SpindleHost, toExtensionInfoDTO } from '../host.ts';
import { createHostMetrics, type HostMetrics } from '../ops/metrics.ts';
import { createOpsRoutes, type MetricsAccess } from '../ops/routes.ts';
import type { BundleFile } from './bundle.ts';
import type { WireCounters } from './counters.ts';
import { createHostHandlers, type HostHandlers } from './handlers.ts';
import { createHostServer, type HostServerOptions, type RunningHostServer } from './server.ts';

/** Options of `createFrontendSide`: the server's, minus what the host provides. */
export type FrontendSideOptions = Omit<
  HostServerOptions,
  'hub' | 'getExtensions' | 'resolveBundle' | 'ops'
> & {
  /** Options of the hub it creates (limits, clock, …). */
  hub?: FrontendHubOptions;
  /**
   * Who may read `GET /metrics` (read at each request). @default "loopback-or-admin"
   */
  metricsAccess?: MetricsAccess | (() => MetricsAccess | undefined);
};

/** The frontend side, ready to hand to `createSpindleHost`. */
export interface FrontendSide {
  /** Pass as `frontendGateway`. */
  hub: FrontendHub;
  /** Pass as `server`; the host calls it once extensions are discovered. */
  server(host: SpindleHost): RunningHostServer;
  /**
   * The same, as handlers to mount on the app's own `Bun.serve` (no server of its own); pass
   * `(host) => mounted(side.handlers(host))` as `server`.
   */
  handlers(host: SpindleHost): HostHandlers;
  /** The metrics of the host, once `server` or `handlers` built them. */
  readonly metrics: HostMetrics | undefined;
}

/** A `HostServer` for handlers mounted on the app's server: no port; stopping closes sessions. */
export function mounted(handlers: HostHandlers): {
  port: undefined;
  stop(reason?: string): Promise<void>;
} {
  return { port: undefined, stop: (reason) => handlers.close(reason) };
}

/** Builds the hub and the server factory for a host. */
export function createFrontendSide(options: FrontendSideOptions): FrontendSide {
  const { hub: hubOptions, metricsAccess, ...serverOptions } = options;
  const hub = new FrontendHub(hubOptions);
  let metrics: HostMetrics | undefined;
  let traffic: { counters(): WireCounters; readonly connectionCount: number } | undefined;
  const ops = (host: SpindleHost) => {
    metrics = createHostMetrics({
      host,
      sessions: () => hub.listSessions(),
      wire: () => traffic && { counters: traffic.counters(), connections: traffic.connectionCount },
      capacity: () => host.capacity(),
    });
    return createOpsRoutes({
      host,
      metrics,
      authenticate: options.authenticate,
      metricsAccess: typeof metricsAccess === 'function' ? metricsAccess : () => metricsAccess,
    });
  };
  const wire = (host: SpindleHost) => {
    // Both checks run on every uplink: remember what `host.get` (a full info object per call)
    // said. Extensions are discovered once, before this runs; states follow the `state` events.
    const existing = new Set<string>();
    const states = new Map<string, ExtensionStateDTO>();
    host.events.on('state', (change) => {
      states.set(change.extensionId, change.state);
    });
    hub.setExtensionPolicy({
      extensionExists: (id) => {
        if (existing.has(id)) return true;
        // Unknown ids are not kept: a client naming random ids must not grow the set.
        if (host.get(id)?.manifest === undefined) return false;
        existing.add(id);
        return true;
      },
      isEnabled: (id) => {
        let state = states.get(id);
        if (state === undefined) {
          state = host.get(id)?.state;
          if (state !== undefined) states.set(id, state);
        }
        return state !== undefined && state !== 'disabled';
      },
    });
    return {
      hub,
      ops: ops(host),
      getExtensions: () => host.list().flatMap((info) => toWireExtension(info)),
      resolveBundle: (id: string) => {
        const info = host.get(id);
        if (!info?.manifest) return null;
        return resolveBundleFile(info.path, info.manifest.entry_frontend ?? DEFAULT_ENTRY_FRONTEND);
      },
    };
  };
  return {
    hub,
    server: (host) => {
      const server = createHostServer({
        ...serverOptions,
        hostname: serverOptions.hostname ?? host.hostname,
        ...wire(host),
      });
      traffic = server;
      return server;
    },
    handlers: (host) => {
      const handlers = createHostHandlers({ ...serverOptions, ...wire(host) });
      traffic = handlers;
      return handlers;
    },
    get metrics() {
      return metrics;
    },
  };
}

/** The wire form of a host extension; none for one whose manifest could not be read. */
export function toWireExtension(info: HostExtensionInfo): ExtensionInfoDTO[] {
  const dto = toExtensionInfoDTO(info);
  return dto ? [dto] : [];
}

/**
 * The built frontend file `entry` of the extension in `extensionPath`, or null when it is
 * missing, not a `.js`/`.mjs` file, or resolves (through `..` or a symlink) outside the folder.
 */
export function resolveBundleFile(extensionPath: string, entry: string): BundleFile | null {
  try {
    const root = realpathSync(extensionPath);
    const requested = resolve(root, entry);
    if (!requested.startsWith(root + sep)) return null;
    const real = realpathSync(requested);
    if (!real.startsWith(root + sep) || !/\.m?js$/.test(real)) return null;
    const stat = statSync(real);
    if (!stat.isFile()) return null;
    return { path: real, size: stat.size, mtimeMs: stat.mtimeMs };
  } catch {
    return null;
  }
}
