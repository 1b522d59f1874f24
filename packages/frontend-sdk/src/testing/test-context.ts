/**
 * `createTestContext`: a real extension host on a memory transport, with a fake backend at the
 * other end, so an extension author can unit-test a frontend half without a server.
 */
import type {
  FrontendDownlink,
  FrontendProcessOutcome,
  FrontendUplink,
  SpindleFrontendContext,
  SpindleHostDescriptorV1,
  SpindleManifest,
} from '@spindle/types';
import type { ExtensionSnapshot, ExtensionState } from '../host/events.ts';
import { createExtensionHost, type ExtensionHost } from '../host/host.ts';
import type { DriverDeadlines, LocalProcessInfo } from '../process/driver.ts';
import { type Timers, yieldMicrotask } from '../timers.ts';
import { createMemoryTransport, type MemoryTransportRemote } from '../transport.ts';

/** Options of `createTestContext`. */
export interface TestContextOptions {
  /** Manifest fields; the rest get test defaults. @default { identifier: 'test_extension', … } */
  manifest?: Partial<SpindleManifest>;
  /** The extension's `setup(ctx)`; it runs exactly as it would from a bundle. @default none */
  setup?: (ctx: SpindleFrontendContext) => unknown;
  /** The bundle's exported `teardown`. */
  teardown?: () => unknown;
  /** Timers of every deadline. @default the global timers (so `vi.useFakeTimers()` applies) */
  timers?: Timers;
  /** `deferReady()` deadline. @default 10000 */
  readyTimeoutMs?: number;
  /** Local process deadlines. */
  processDeadlines?: Partial<DriverDeadlines>;
  /** Document of `ctx.dom`; `null` leaves `ctx.dom` undefined. @default globalThis.document */
  document?: Document | null;
  /** `ctx.host`. @default defaultHostDescriptor(identifier) */
  host?: SpindleHostDescriptorV1;
  /** `ctx.frontendSessionId`. @default 'test-session' */
  frontendSessionId?: string;
}

/** Options of `backend.spawn`. */
export interface TestSpawnOptions {
  key?: string;
  payload?: unknown;
  metadata?: Record<string, unknown>;
  /** @default 15000 */
  startupTimeoutMs?: number;
  /** @default 15000 */
  heartbeatTimeoutMs?: number;
  /** @default `p-<n>` */
  processId?: string;
}

/** How a process ended, as the backend was told. */
export interface TestProcessEnd {
  outcome: FrontendProcessOutcome;
  error?: string;
}

/** A frontend process the fake backend spawned. */
export interface TestProcess {
  readonly processId: string;
  /** The SDK's view: state, exit reason, error. */
  readonly info: LocalProcessInfo;
  /** Heartbeats the backend received. */
  readonly heartbeats: number;
  /** Payloads of the process's `send()` calls, in order. */
  readonly messages: unknown[];
  /** What `process_ended` said, once it arrived (absent when ended silently). */
  readonly ended: TestProcessEnd | undefined;
  /** Resolves when the process called `ready()`; rejects when it ended first. */
  whenReady(): Promise<void>;
  /** Resolves with the local terminal info once the process ended. */
  whenEnded(): Promise<LocalProcessInfo>;
  /** `frontendProcesses.send()`. */
  send(payload: unknown): void;
  /** `frontendProcesses.stop()`: graceful unless `force`. */
  stop(options?: { reason?: string; force?: boolean }): void;
}

/** The backend half, faked. */
export interface FakeBackend {
  /** `spindle.sendToFrontend(payload)`. */
  send(payload: unknown): void;
  /** Payloads the extension sent with `ctx.sendToBackend`, in order (from `setup` on). */
  readonly messages: unknown[];
  /** Every uplink the SDK handed to the transport. */
  readonly uplinks: FrontendUplink[];
  /** Spawns a frontend process of `kind`. */
  spawn(kind: string, options?: TestSpawnOptions): TestProcess;
  /** The raw transport end (go offline with `setState('closed')`, send any downlink). */
  readonly remote: MemoryTransportRemote;
}

/** What `createTestContext` resolves with. */
export interface TestContext {
  /** The `ctx` the extension got (the same one `setup` received). */
  readonly ctx: SpindleFrontendContext;
  readonly backend: FakeBackend;
  /** The extension host underneath (events, stats). */
  readonly host: ExtensionHost;
  readonly extensionId: string;
  /** Current state of the extension. */
  readonly state: ExtensionState | undefined;
  /** Snapshot after mounting (carries `error` when setup failed). */
  readonly mount: ExtensionSnapshot;
  /** Unloads the extension (ordered, as in the app). */
  unload(): void;
  /** Unloads and closes the host. Call it in `afterEach`. */
  dispose(): void;
}

const TEST_MANIFEST: SpindleManifest = {
  version: '0.0.0',
  name: 'Test extension',
  identifier: 'test_extension',
  author: 'test',
  github: '',
  homepage: '',
  permissions: [],
};

/** Mounts an extension against a fake backend; resolves once it is mounted (or failed). */
export async function createTestContext(options: TestContextOptions = {}): Promise<TestContext> {
  const manifest: SpindleManifest = { ...TEST_MANIFEST, ...options.manifest };
  const extensionId = manifest.identifier;
  const { transport, remote } = createMemoryTransport({
    frontendSessionId: options.frontendSessionId ?? 'test-session',
  });
  let captured: SpindleFrontendContext | undefined;
  const module: Record<string, unknown> = {
    setup(ctx: SpindleFrontendContext) {
      captured = ctx;
      return options.setup?.(ctx);
    },
  };
  if (options.teardown) module.teardown = options.teardown;
  // Recorded from the start: what `setup` sends goes out while the bundle mounts.
  const messages: unknown[] = [];
  remote.onMessage((uplink) => {
    if (uplink.type === 'backend_message') messages.push(uplink.payload);
  });
  const host = createExtensionHost({
    transport,
    lanes: 1,
    yieldToBrowser: yieldMicrotask,
    loader: async () => module,
    ...(options.timers ? { timers: options.timers } : {}),
    ...(options.readyTimeoutMs === undefined ? {} : { readyTimeoutMs: options.readyTimeoutMs }),
    ...(options.processDeadlines ? { processDeadlines: options.processDeadlines } : {}),
    ...(options.document === undefined ? {} : { document: options.document }),
  });
  const mount = await host.load({
    manifest,
    source: '/* @spindle/frontend-sdk/testing */',
    ...(options.host ? { host: options.host } : {}),
  }).settled;
  if (captured === undefined) {
    host.close();
    throw new Error(`[spindle] test context: setup never ran (${mount.error ?? mount.state})`);
  }
  const ctx = captured;
  let nextId = 0;
  const backend: FakeBackend = {
    send: (payload) => remote.send({ type: 'backend_message', extensionId, payload }),
    messages,
    uplinks: remote.received,
    spawn: (kind, spawnOptions = {}) =>
      spawnTestProcess(host, remote, extensionId, kind, spawnOptions, ++nextId),
    remote,
  };
  return {
    ctx,
    backend,
    host,
    extensionId,
    get state() {
      return host.get(extensionId)?.state;
    },
    mount,
    unload: () => host.unload(extensionId),
    dispose: () => host.close(),
  };
}

function spawnTestProcess(
  host: ExtensionHost,
  remote: MemoryTransportRemote,
  extensionId: string,
  kind: string,
  options: TestSpawnOptions,
  n: number,
): TestProcess {
  const processId = options.processId ?? `p-${n}`;
  let info: LocalProcessInfo = { processId, extensionId, kind, state: 'starting' };
  let heartbeats = 0;
  const messages: unknown[] = [];
  let ended: TestProcessEnd | undefined;
  let readyFlag = false;
  const waiters: {
    ready: Array<[() => void, (e: Error) => void]>;
    ended: Array<(i: LocalProcessInfo) => void>;
  } = {
    ready: [],
    ended: [],
  };
  const isTerminal = () => ['stopped', 'completed', 'failed', 'timed_out'].includes(info.state);
  const settle = () => {
    if (readyFlag) for (const [resolve] of waiters.ready.splice(0)) resolve();
    if (isTerminal()) {
      for (const [, reject] of waiters.ready.splice(0)) {
        reject(
          new Error(
            `[spindle] process ${processId} ended ${info.state} before ready${info.error ? `: ${info.error}` : ''}`,
          ),
        );
      }
      for (const resolve of waiters.ended.splice(0)) resolve(info);
    }
  };
  const offProcess = (event: { info: LocalProcessInfo }) => {
    if (event.info.processId !== processId) return;
    info = event.info;
    settle();
    if (isTerminal()) host.events.off('process', offProcess);
  };
  host.events.on('process', offProcess);
  remote.onMessage((uplink) => {
    if (!('processId' in uplink) || uplink.processId !== processId) return;
    if (uplink.type === 'process_ready') readyFlag = true;
    else if (uplink.type === 'process_heartbeat') heartbeats += 1;
    else if (uplink.type === 'process_message') messages.push(uplink.payload);
    else if (uplink.type === 'process_ended') {
      ended =
        uplink.error === undefined
          ? { outcome: uplink.outcome }
          : { outcome: uplink.outcome, error: uplink.error };
    }
    settle();
  });
  const spawn: FrontendDownlink = {
    type: 'process_spawn',
    extensionId,
    processId,
    kind,
    startupTimeoutMs: options.startupTimeoutMs ?? 15_000,
    heartbeatTimeoutMs: options.heartbeatTimeoutMs ?? 15_000,
  };
  if (options.key !== undefined) spawn.key = options.key;
  if (options.payload !== undefined) spawn.payload = options.payload;
  if (options.metadata !== undefined) spawn.metadata = options.metadata;
  remote.send(spawn);
  return {
    processId,
    get info() {
      return info;
    },
    get heartbeats() {
      return heartbeats;
    },
    messages,
    get ended() {
      return ended;
    },
    whenReady: () =>
      new Promise<void>((resolve, reject) => {
        waiters.ready.push([resolve, reject]);
        settle();
      }),
    whenEnded: () =>
      new Promise<LocalProcessInfo>((resolve) => {
        waiters.ended.push(resolve);
        settle();
      }),
    send: (payload) => remote.send({ type: 'process_message', processId, payload }),
    stop: (stopOptions = {}) => {
      const stop: FrontendDownlink = {
        type: 'process_stop',
        processId,
        force: stopOptions.force ?? false,
      };
      if (stopOptions.reason !== undefined) stop.reason = stopOptions.reason;
      remote.send(stop);
    },
  };
}
