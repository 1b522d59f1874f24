/**
 * Frontend process supervision on the real `FrontendHub` with fake timers: a service whose
 * gateway is the hub, fake extension contexts that record what the runtime would receive, and
 * recording frontend connections that can answer like the SDK would.
 */
import type {
  ExtensionScope,
  FrontendProcessLifecycleEventDTO,
  FrontendUplink,
  HostToWorker,
  ServerFrame,
} from '@spindle/types';
import { vi } from 'vitest';
import type { FrontendHub } from '../../../src/frontend/hub.ts';
import { createFrontendSupervision } from '../../../src/processes/frontend/index.ts';
import type { ProcessRequestMessage } from '../../../src/processes/service.ts';
import { createProcessService } from '../../../src/processes/service-impl.ts';
import { connect, makeHub, type RecordingConnection } from '../../frontend/harness.ts';

/** Timers that read globalThis at call time, so vi.useFakeTimers() drives them. */
const fakeAwareTimers = {
  now: () => Date.now(),
  setTimeout: (cb: () => void, ms: number) => globalThis.setTimeout(cb, ms),
  clearTimeout: (h: unknown) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** A fake runtime context that records what the host posts back to it. */
export function fakeExt(scope: ExtensionScope = { kind: 'operator' }, extensionId = 'ext_a') {
  const posts: HostToWorker[] = [];
  return {
    posts,
    ctx: {
      extensionId,
      manifest: {
        version: '1.0.0',
        name: extensionId,
        identifier: extensionId,
        author: 't',
        github: '',
        homepage: '',
        permissions: [],
      },
      extensionPath: '/nonexistent',
      storagePath: '/nonexistent',
      scope,
      runtimeMode: 'process' as const,
      post: (message: HostToWorker) => posts.push(message),
    },
    /** Lifecycle events posted so far, for one process. */
    events(processId?: string): FrontendProcessLifecycleEventDTO[] {
      return posts.flatMap((p) =>
        p.type === 'frontend_process_lifecycle' &&
        (processId === undefined || p.event.processId === processId)
          ? [p.event]
          : [],
      );
    },
  };
}

/** A frontend connection that can mount extensions and report like the SDK. */
export interface Tab extends RecordingConnection {
  seq: number;
  up(message: FrontendUplink): void;
  spawns(): Array<Extract<ServerFrame, { type: 'process_spawn' }>>;
}

export function openTab(
  hub: FrontendHub,
  userId = 'alice',
  mount: string[] = ['ext_a'],
  resume?: { sessionId: string; lastServerSeq: number },
): Tab {
  const rec = connect(hub, {
    userId,
    ...(resume ? { resumeSessionId: resume.sessionId, lastServerSeq: resume.lastServerSeq } : {}),
  }) as Tab;
  rec.seq = 0;
  rec.up = (message) => {
    rec.seq += 1;
    rec.send({ ...message, seq: rec.seq } as Parameters<Tab['send']>[0]);
  };
  rec.spawns = () => rec.ofType('process_spawn');
  for (const extensionId of mount) rec.up({ type: 'extension_mounted', extensionId });
  return rec;
}

/** A hub plus a process service with frontend supervision, compressed deadlines. */
export function setup(options: { disconnectGraceMs?: number; stopGraceMs?: number } = {}) {
  vi.useFakeTimers();
  const hub = makeHub();
  const service = createProcessService({
    frontendGateway: hub,
    timers: fakeAwareTimers,
    logger: () => {},
    limits: {
      stopGraceMs: options.stopGraceMs ?? 500,
      deadlines: {
        startup: { min: 10, max: 120_000 },
        startupDefault: 15_000,
        heartbeat: { min: 0, max: 120_000 },
        heartbeatDefault: 15_000,
      },
    },
    frontend: createFrontendSupervision({ disconnectGraceMs: options.disconnectGraceMs ?? 2000 }),
  });
  const request = (ext: ReturnType<typeof fakeExt>, message: ProcessRequestMessage) =>
    service.handle(ext.ctx, message);
  return { hub, service, request };
}

/** Lets queued promise callbacks run. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}
