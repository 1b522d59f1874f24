/**
 * A whole frontend-process world in one test process: the real frontend SDK in "tabs", each
 * linked to the real `FrontendHub` through the SDK's in-memory transport (standing in for the
 * WebSocket), and the real process service with frontend supervision behind the hub. Timers are
 * read at call time, so `vi.useFakeTimers()` drives every deadline on both sides.
 */

import {
  createFrontendSupervision,
  createProcessService,
  type ExtensionProcessContext,
  FrontendHub,
  type FrontendSupervisor,
  type SessionConnection,
} from '@spindle/bun-host';
import {
  createExtensionHost,
  createMemoryTransport,
  type ExtensionHost,
} from '@spindle/frontend-sdk';
import type {
  FrontendProcessLifecycleEventDTO,
  HostToWorker,
  ServerFrame,
  SpindleFrontendContext,
  SpindleManifest,
} from '@spindle/types';

export const EXT = 'demo';

const manifest: SpindleManifest = {
  version: '1.0.0',
  name: 'Demo',
  identifier: EXT,
  author: 't',
  github: '',
  homepage: '',
  permissions: [],
};

const callTimeTimers = {
  now: () => Date.now(),
  setTimeout: (cb: () => void, ms: number) => globalThis.setTimeout(cb, ms),
  clearTimeout: (h: unknown) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** How a test handler behaves, chosen by the spawn payload. */
export type JobMode =
  | 'ok'
  | 'throw'
  | 'reject'
  | 'cleanup-throws'
  | 'hang'
  | 'stall'
  | 'ignore-stop'
  | 'complete-now';

/** The frontend half used by every tab: one `job` kind driven by the payload. */
export function demoModule(counters: { runs: Map<string, number>; cleanups: number }) {
  return {
    setup(ctx: SpindleFrontendContext) {
      ctx.processes.register('job', (p) => {
        const mode = (p.payload as { mode: JobMode }).mode;
        counters.runs.set(p.processId, (counters.runs.get(p.processId) ?? 0) + 1);
        if (mode === 'throw') throw new Error('boom in handler');
        if (mode === 'reject') return Promise.reject(new Error('rejected in handler'));
        if (mode === 'hang') return undefined;
        p.ready();
        if (mode === 'complete-now') {
          p.complete();
          return undefined;
        }
        const beat = setInterval(() => {
          if (mode !== 'stall') p.heartbeat();
        }, 200);
        p.onMessage((payload) => p.send(payload));
        p.onStop(() => {
          if (mode !== 'ignore-stop') p.complete();
        });
        return () => {
          clearInterval(beat);
          counters.cleanups += 1;
          if (mode === 'cleanup-throws') throw new Error('cleanup failed');
        };
      });
    },
  };
}

/** One browser tab: an SDK extension host linked to the hub. */
export interface Tab {
  host: ExtensionHost;
  sessionId: string;
  connection: SessionConnection;
  /** Drops the link (like a WebSocket drop); the session stays resumable. */
  drop(): void;
  /** Reconnects and resumes the same session. */
  resume(): void;
  close(): void;
}

/** Builds the world. */
export function createWorld(options: { disconnectGraceMs?: number } = {}) {
  const hubErrors: unknown[] = [];
  const hub = new FrontendHub({
    extensionExists: (id) => id === EXT,
    isEnabled: (id) => id === EXT,
    reportError: (error) => hubErrors.push(error),
  });
  let supervisor: FrontendSupervisor | undefined;
  const service = createProcessService({
    frontendGateway: hub,
    timers: callTimeTimers,
    logger: () => {},
    limits: {
      stopGraceMs: 500,
      deadlines: {
        startup: { min: 10, max: 120_000 },
        startupDefault: 15_000,
        heartbeat: { min: 0, max: 120_000 },
        heartbeatDefault: 15_000,
      },
    },
    frontend: (deps) => {
      supervisor = createFrontendSupervision({
        disconnectGraceMs: options.disconnectGraceMs ?? 2000,
      })(deps);
      return supervisor;
    },
  });
  hub.setProcessAuthorizer((session, processId, message) =>
    supervisor!.authorizeProcessFrame(session, processId, message),
  );
  const posts: HostToWorker[] = [];
  const ext: ExtensionProcessContext = {
    extensionId: EXT,
    manifest,
    extensionPath: '/nonexistent',
    storagePath: '/nonexistent',
    scope: { kind: 'operator' },
    runtimeMode: 'process',
    post: (message) => posts.push(message),
  };
  const counters = { runs: new Map<string, number>(), cleanups: 0 };
  const tabs: Tab[] = [];

  function openTab(userId = 'alice'): Tab {
    const { transport, remote } = createMemoryTransport({ state: 'connecting' });
    let seq = 0;
    let lastServerSeq = 0;
    let connection!: SessionConnection;
    let sessionId = '';
    const sink = (frame: ServerFrame) => {
      if (frame.type === 'ack' || !('seq' in frame) || typeof frame.seq !== 'number') return;
      const frameSeq = frame.seq;
      if (frameSeq <= lastServerSeq) return;
      lastServerSeq = frameSeq;
      const { seq: _drop, ...downlink } = frame;
      if (transport.state === 'open') remote.send(downlink as Parameters<typeof remote.send>[0]);
      connection.receive({ type: 'ack', seq: frameSeq });
    };
    const attach = (resume: boolean) => {
      const opened = hub.open(
        {
          userId,
          ...(resume ? { resumeSessionId: sessionId, lastServerSeq } : {}),
        },
        (frame) => {
          // Downlinks replayed during `open` arrive before the link is marked open again.
          queueMicrotask(() => sink(frame));
        },
      );
      if (!opened.ok) throw new Error(opened.reason);
      connection = opened.connection;
      sessionId = opened.sessionId;
      remote.setState('open');
    };
    remote.onMessage((uplink) => {
      seq += 1;
      connection.receive({ ...uplink, seq } as Parameters<SessionConnection['receive']>[0]);
    });
    attach(false);
    const host = createExtensionHost({
      transport,
      document: null,
      loader: async () => demoModule(counters),
      yieldToBrowser: () => Promise.resolve(),
    });
    host.load({ manifest, source: 'export {}', hash: 'demo-1' });
    const tab: Tab = {
      host,
      get sessionId() {
        return sessionId;
      },
      get connection() {
        return connection;
      },
      drop() {
        remote.setState('connecting');
        connection.detach();
      },
      resume() {
        attach(true);
      },
      close() {
        host.close();
        remote.setState('closed');
        connection.detach();
      },
    };
    tabs.push(tab);
    return tab;
  }

  return {
    hub,
    /** Errors the hub reported (refused downlinks and the like). */
    hubErrors,
    service,
    ext,
    posts,
    counters,
    openTab,
    get supervisor() {
      return supervisor!;
    },
    /** Lifecycle events of one process, as the backend runtime would receive them. */
    events(processId: string): FrontendProcessLifecycleEventDTO[] {
      return posts.flatMap((p) =>
        p.type === 'frontend_process_lifecycle' && p.event.processId === processId ? [p.event] : [],
      );
    },
    spawn(opts: {
      mode: JobMode;
      key?: string;
      replaceExisting?: boolean;
      frontendSessionId?: string;
      heartbeatTimeoutMs?: number;
      userId?: string;
    }) {
      const { mode, ...rest } = opts;
      const promise = service.handle(ext, {
        type: 'frontend_process_spawn',
        requestId: 'r',
        options: {
          kind: 'job',
          userId: rest.userId ?? 'alice',
          startupTimeoutMs: 1000,
          heartbeatTimeoutMs: rest.heartbeatTimeoutMs ?? 1000,
          payload: { mode },
          ...rest,
        },
      }) as Promise<{ processId: string; state: string }>;
      promise.catch(() => undefined);
      return promise;
    },
    async close() {
      for (const tab of tabs) tab.close();
      await service.close();
    },
  };
}

/** Lets promise callbacks and microtasks run (fake timers do not advance). */
export async function settle(rounds = 10): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}
