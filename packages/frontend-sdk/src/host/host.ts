/**
 * `createExtensionHost`: the web app's loader for extension frontends. `load()` returns at once;
 * bundles import and mount later in a few lanes, under an import deadline, one load at a time
 * per extension, and a newer load makes an older one stale.
 */
import { type FrontendUplink, SpindleError } from '@spindle/types';
import mitt, { type Emitter } from 'mitt';
import {
  DEFAULT_DRIVER_DEADLINES,
  type DriverDeadlines,
  type LocalProcessInfo,
} from '../process/driver.ts';
import type { SendOutcome } from '../realm/realm.ts';
import { createYieldToBrowser, globalTimers, type Timers, type YieldToBrowser } from '../timers.ts';
import type { Transport } from '../transport.ts';
import type { ContributeContext } from './contributions.ts';
import type {
  DropEvent,
  ExtensionHostEvents,
  ExtensionHostStats,
  ExtensionSnapshot,
  IsolationMode,
} from './events.ts';
import { DEFAULT_LANES, Lanes } from './lanes.ts';
import { createLoadPipeline, DEFAULT_LANE_HOLD_MS } from './load-pipeline.ts';
import { createModuleLoader, type ModuleLoader } from './loader.ts';
import { mainThreadConnector } from './main-realm.ts';
import { DEFAULT_OUTBOUND_LIMIT, OutboundQueue } from './outbound.ts';
import { type ExtensionBundle, type HostCore, LoadRecord, type RealmConnector } from './record.ts';
import { createRouter } from './routing.ts';
import { DEFAULT_STARTUP_QUEUE_LIMIT } from './startup-gate.ts';

/** Import deadline of a bundle. @default 10000 */
export const DEFAULT_IMPORT_TIMEOUT_MS = 10_000;
/** How long `deferReady()` may defer readiness before it is automatic. @default 10000 */
export const DEFAULT_READY_TIMEOUT_MS = 10_000;
/** A forced reload of an identical bundle within this window is a no-op. @default 1000 */
export const DEFAULT_RELOAD_WINDOW_MS = 1_000;
/** How long an async `setup` may take before the load ends in error. @default 30000 */
export const DEFAULT_SETUP_TIMEOUT_MS = 30_000;

/** Options of `createExtensionHost`. */
export interface ExtensionHostOptions {
  /** Connection to the host (the host bridge's WebSocket transport, or a memory one). */
  transport: Transport;
  /** Bundles importing/mounting at once. @default 4 */
  lanes?: number;
  /** Import deadline per bundle; a hung import frees its lane then. @default 10000 */
  importTimeoutMs?: number;
  /** Deadline of an async `setup` (a stuck one would leave the extension loading). @default 30000 */
  setupTimeoutMs?: number;
  /** A pending import gives its lane to the next bundle after this long. @default 100 */
  laneHoldMs?: number;
  /** Deadline of `deferReady()`; the extension becomes ready when it passes. @default 10000 */
  readyTimeoutMs?: number;
  /** Forced reloads of an identical bundle within this window are no-ops. @default 1000 */
  reloadWindowMs?: number;
  queueLimits?: {
    /** Uplinks kept while the transport is not open, per host. @default 1000 */
    outbound?: number;
    /** Backend messages and process spawns/messages held per load until ready. @default 256 */
    startup?: number;
  };
  /** Timer functions; every deadline uses them. @default the global timers */
  timers?: Timers;
  /** Yield between two mounts of a lane. @default requestAnimationFrame, timer fallback when hidden */
  yieldToBrowser?: YieldToBrowser;
  /** Turns a bundle into a module namespace. @default createModuleLoader() */
  loader?: ModuleLoader;
  /** Document of `ctx.dom`; `null` leaves `ctx.dom` undefined. @default globalThis.document */
  document?: Document | null;
  /** Local process deadlines (stop grace, margin over host deadlines). */
  processDeadlines?: Partial<DriverDeadlines>;
  /** Realm connector of `isolation: 'worker'` loads (see `@spindle/frontend-sdk` isolation). */
  workerConnector?: RealmConnector;
  /**
   * The app's members for each extension's `ctx` (`ui`, `events`, `toast`, …), asked once per
   * main-thread load; worker-isolated loads get none. See `ContributeContext`.
   */
  contributeContext?: ContributeContext;
}

/** Options of `load`. */
export interface LoadOptions {
  /** Load again even when an identical bundle is loaded (outside the reload window). */
  force?: boolean;
  /** Where the bundle runs. @default 'main' */
  isolation?: IsolationMode;
}

/** What `load` returns at once. */
export interface LoadTicket extends ExtensionSnapshot {
  /** True when the call changed nothing (identical bundle already loaded or loading). */
  noop: boolean;
  /** Resolves when this load is mounted, ready, failed, superseded or unloaded. Never rejects. */
  settled: Promise<ExtensionSnapshot>;
}

/** The web app's handle on extension frontends of one tab. */
export interface ExtensionHost {
  /** State changes, drops, process changes, host notifications (see `ExtensionHostEvents`). */
  readonly events: Emitter<ExtensionHostEvents>;
  /** Starts loading; returns at once with the extension `loading`. Throws `INVALID_OPTIONS`. */
  load(bundle: ExtensionBundle, options?: LoadOptions): LoadTicket;
  /** Unloads now (ordered, idempotent); a no-op for an unknown id. */
  unload(extensionId: string): void;
  /** Forced load of the current bundle; `undefined` when the extension is unknown. */
  reload(extensionId: string): LoadTicket | undefined;
  /** Snapshot of every extension this host knows (never awaits a bundle). */
  list(): ExtensionSnapshot[];
  get(extensionId: string): ExtensionSnapshot | undefined;
  /** Live frontend processes, optionally of one extension. */
  processes(extensionId?: string): LocalProcessInfo[];
  stats(): ExtensionHostStats;
  /** Unloads everything and detaches from the transport; later loads throw `HOST_CLOSING`. */
  close(): void;
}

interface Entry {
  current: LoadRecord | undefined;
  generation: number;
  chain: Promise<void>;
}

function sameBundle(a: ExtensionBundle, b: ExtensionBundle): boolean {
  if (a.hash !== undefined && b.hash !== undefined) return a.hash === b.hash;
  return a.url === b.url && a.source === b.source;
}

function checkOptions(options: ExtensionHostOptions): void {
  const transport = options?.transport as Partial<Transport> | undefined;
  if (
    typeof transport?.send !== 'function' ||
    typeof transport.onMessage !== 'function' ||
    typeof transport.onStateChange !== 'function'
  ) {
    throw new SpindleError(
      'INVALID_OPTIONS',
      'createExtensionHost: options.transport must be a Transport',
    );
  }
  const durations = {
    importTimeoutMs: options.importTimeoutMs,
    setupTimeoutMs: options.setupTimeoutMs,
    readyTimeoutMs: options.readyTimeoutMs,
    reloadWindowMs: options.reloadWindowMs,
    laneHoldMs: options.laneHoldMs,
    'queueLimits.outbound': options.queueLimits?.outbound,
    'queueLimits.startup': options.queueLimits?.startup,
  };
  for (const [name, value] of Object.entries(durations)) {
    if (
      value !== undefined &&
      !(typeof value === 'number' && Number.isFinite(value) && value >= 0)
    ) {
      throw new SpindleError(
        'INVALID_OPTIONS',
        `createExtensionHost: ${name} must be a finite number >= 0, got ${String(value)}`,
      );
    }
  }
}

/** Creates an extension host on `options.transport`; throws `INVALID_OPTIONS` on bad options. */
export function createExtensionHost(options: ExtensionHostOptions): ExtensionHost {
  checkOptions(options);
  const timers = options.timers ?? globalTimers;
  const reloadWindowMs = options.reloadWindowMs ?? DEFAULT_RELOAD_WINDOW_MS;
  const events = mitt<ExtensionHostEvents>();
  const entries = new Map<string, Entry>();
  const stats: ExtensionHostStats = {
    uplinkQueued: 0,
    uplinkDropped: 0,
    backendMessagesDropped: 0,
    processMessagesDropped: 0,
    processSpawnsRefused: 0,
  };
  const document =
    options.document === null ? undefined : (options.document ?? globalThis.document);
  const mainConnector = mainThreadConnector(
    options.loader ?? createModuleLoader(),
    document,
    options.contributeContext,
  );
  const lanes = new Lanes(
    options.lanes ?? DEFAULT_LANES,
    options.yieldToBrowser ?? createYieldToBrowser({ timers, ...(document ? { document } : {}) }),
  );
  let closed = false;

  // mitt stops at the first listener that throws; one app listener must not break the SDK.
  const emit: HostCore['emit'] = (type, event) => {
    const call = (fn: () => void) => {
      try {
        fn();
      } catch (error) {
        console.error(`[spindle] a '${String(type)}' event listener threw`, error);
      }
    };
    for (const handler of [...(events.all.get(type) ?? [])]) {
      call(() => (handler as (e: unknown) => void)(event));
    }
    for (const handler of [...(events.all.get('*') ?? [])]) {
      call(() => (handler as (t: unknown, e: unknown) => void)(type, event));
    }
  };

  const drop = (event: DropEvent) => {
    if (event.what === 'uplink') stats.uplinkDropped += 1;
    else if (event.what === 'backend_message') stats.backendMessagesDropped += 1;
    else if (event.what === 'process_message') stats.processMessagesDropped += 1;
    else stats.processSpawnsRefused += 1;
    emit('dropped', event);
  };

  const outbound = new OutboundQueue(
    options.transport,
    options.queueLimits?.outbound ?? DEFAULT_OUTBOUND_LIMIT,
    {
      onDrop: (message, reason) => {
        const event: DropEvent = { what: 'uplink', reason, direction: 'out', message };
        if ('extensionId' in message) event.extensionId = message.extensionId;
        if ('processId' in message) event.processId = message.processId;
        drop(event);
      },
      onReopen: (send) => {
        for (const entry of entries.values()) {
          if (entry.current?.isAnnounced) {
            send({ type: 'extension_mounted', extensionId: entry.current.extensionId });
          }
        }
      },
    },
  );

  const core: HostCore = {
    timers,
    deadlines: { ...DEFAULT_DRIVER_DEADLINES, ...options.processDeadlines },
    readyTimeoutMs: options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS,
    startupQueueLimit: options.queueLimits?.startup ?? DEFAULT_STARTUP_QUEUE_LIMIT,
    uplink: (message: FrontendUplink): SendOutcome => outbound.send(message),
    emit,
    drop,
    processes: new Map(),
    isCurrent: (record) => entries.get(record.extensionId)?.current === record,
    frontendSessionId: () => options.transport.frontendSessionId,
  };

  // `ctx.frontendSessionId` is read live on the main thread; worker realms are told of a change.
  let lastSessionId = options.transport.frontendSessionId;
  const unwatchSession = options.transport.onStateChange(() => {
    const id = options.transport.frontendSessionId;
    if (id === lastSessionId) return;
    lastSessionId = id;
    for (const entry of entries.values()) entry.current?.connection?.sessionChanged?.(id);
  });

  const runLoad = createLoadPipeline({
    timers,
    lanes,
    importTimeoutMs: options.importTimeoutMs ?? DEFAULT_IMPORT_TIMEOUT_MS,
    setupTimeoutMs: options.setupTimeoutMs ?? DEFAULT_SETUP_TIMEOUT_MS,
    laneHoldMs: options.laneHoldMs ?? DEFAULT_LANE_HOLD_MS,
    isCurrent: core.isCurrent,
  });

  const ticket = (record: LoadRecord, noop: boolean): LoadTicket => ({
    ...record.snapshot(),
    noop,
    settled: record.settled,
  });

  const host: ExtensionHost = {
    events,
    load(bundle, loadOptions = {}) {
      if (closed) throw new SpindleError('HOST_CLOSING', 'the extension host is closed');
      const extensionId = bundle?.manifest?.identifier;
      if (typeof extensionId !== 'string' || extensionId === '') {
        throw new SpindleError(
          'INVALID_OPTIONS',
          'load(bundle): bundle.manifest.identifier is required',
        );
      }
      if (typeof bundle.url !== 'string' && typeof bundle.source !== 'string') {
        throw new SpindleError(
          'INVALID_OPTIONS',
          `load(bundle): extension ${extensionId} needs a url or a source string`,
        );
      }
      const isolation = loadOptions.isolation ?? 'main';
      const connector = isolation === 'worker' ? options.workerConnector : mainConnector;
      if (connector === undefined) {
        throw new SpindleError(
          'INVALID_OPTIONS',
          `load(bundle, { isolation: 'worker' }): this host has no workerConnector`,
        );
      }
      let entry = entries.get(extensionId);
      if (entry === undefined) {
        entry = { current: undefined, generation: 0, chain: Promise.resolve() };
        entries.set(extensionId, entry);
      }
      const previous = entry.current;
      if (
        previous !== undefined &&
        previous.state !== 'error' &&
        previous.state !== 'unloaded' &&
        previous.isolation === isolation &&
        sameBundle(previous.bundle, bundle) &&
        (!loadOptions.force || timers.now() - previous.startedAt < reloadWindowMs)
      ) {
        return ticket(previous, true);
      }
      entry.generation += 1;
      const record = new LoadRecord(bundle, entry.generation, isolation, core);
      entry.current = record;
      previous?.cancel();
      emit('state', record.snapshot());
      entry.chain = entry.chain.then(() => {
        previous?.unload();
        return runLoad(record, connector);
      });
      return ticket(record, false);
    },
    unload(extensionId) {
      const entry = entries.get(extensionId);
      const record = entry?.current;
      if (entry === undefined || record === undefined) return;
      entry.current = undefined;
      entry.generation += 1;
      record.unload();
    },
    reload(extensionId) {
      const record = entries.get(extensionId)?.current;
      if (record === undefined) return undefined;
      return host.load(record.bundle, { force: true, isolation: record.isolation });
    },
    list: () =>
      [...entries.values()].flatMap((entry) => (entry.current ? [entry.current.snapshot()] : [])),
    get: (extensionId) => entries.get(extensionId)?.current?.snapshot(),
    processes: (extensionId) =>
      [...core.processes.values()]
        .filter((p) => extensionId === undefined || p.record.extensionId === extensionId)
        .map((p) => p.driver.info()),
    stats: () => ({ ...stats, uplinkQueued: outbound.size }),
    close() {
      if (closed) return;
      closed = true;
      for (const id of [...entries.keys()]) host.unload(id);
      lanes.close();
      unsubscribe();
      unwatchSession();
      outbound.close();
    },
  };

  const route = createRouter(core, (extensionId) => entries.get(extensionId)?.current);
  const unsubscribe = options.transport.onMessage(route);
  return host;
}
