/**
 * Harness of the backend process fault matrix: a real `ProcessService` with compressed limits,
 * driven directly with a fake `ExtensionProcessContext` that records what is posted to it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type {
  BackendProcessInfoDTO,
  BackendProcessLifecycleEventDTO,
  BackendProcessSpawnOptionsDTO,
  ExtensionScope,
  HostToWorker,
  SpindleRuntimeMode,
} from '@spindle/types';
import type { ProcessLogRecord } from '../../../src/processes/logger.ts';
import { DEFAULT_DEADLINE_RULES } from '../../../src/processes/machine/index.ts';
import type { ExtensionProcessContext } from '../../../src/processes/service.ts';
import {
  createProcessService,
  type ProcessServiceOptions,
  type SpindleProcessService,
} from '../../../src/processes/service-impl.ts';

/** The fixture extension with one entry per behaviour. */
export const FIXTURE_EXT = fileURLToPath(
  new URL('../../fixtures/process-entries/ext', import.meta.url),
);

/**
 * Runtime modes of the extension in the matrix. Backend processes are always subprocesses: a
 * `worker` extension launches them like `process`, a `sandbox` one inside the sandbox.
 */
export const MODES: SpindleRuntimeMode[] = ['process', 'sandbox', 'worker'];

/** Compressed limits: fast deadlines, short grace. */
export const FAST: ProcessServiceOptions = {
  limits: {
    stopGraceMs: 400,
    exitSettleMs: 50,
    deadlines: { ...DEFAULT_DEADLINE_RULES, startup: { min: 100, max: 120_000 } },
  },
  terminalLingerMs: 1000,
};

/** A fake extension context that records its posts. */
export interface FakeExt extends ExtensionProcessContext {
  posts: HostToWorker[];
}

/** Builds a fake extension context. */
export function fakeExt(
  runtimeMode: SpindleRuntimeMode,
  options: { extensionId?: string; scope?: ExtensionScope } = {},
): FakeExt {
  const posts: HostToWorker[] = [];
  return {
    extensionId: options.extensionId ?? 'process_fixtures',
    manifest: {
      version: '1.0.0',
      name: 'Process fixtures',
      identifier: options.extensionId ?? 'process_fixtures',
      author: 'spindle',
      github: '',
      homepage: '',
      permissions: [],
    },
    extensionPath: FIXTURE_EXT,
    storagePath: FIXTURE_EXT,
    scope: options.scope ?? { kind: 'operator' },
    runtimeMode,
    posts,
    post(message) {
      posts.push(message);
    },
  };
}

/** A service plus its log. */
export interface Rig {
  service: SpindleProcessService;
  logs: ProcessLogRecord[];
}

const open: Rig[] = [];

/** Closes every service built by `rig` (use in `afterEach`): no child outlives a test. */
export async function closeRigs(): Promise<void> {
  const rigs = open.splice(0);
  await Promise.all(rigs.map((r) => r.service.close()));
}

/** Builds a service with compressed limits; `closeRigs` closes it. */
export function rig(overrides: ProcessServiceOptions = {}): Rig {
  const logs: ProcessLogRecord[] = [];
  const service = createProcessService({
    ...FAST,
    ...overrides,
    limits: { ...FAST.limits, ...overrides.limits },
    logger: (record) => logs.push(record),
  });
  const built = { service, logs };
  open.push(built);
  return built;
}

/** Sends a spawn request; never rejects: returns the settlement. */
export async function spawn(
  r: Rig,
  ext: FakeExt,
  options: Partial<BackendProcessSpawnOptionsDTO>,
): Promise<
  | { ok: true; info: BackendProcessInfoDTO }
  | { ok: false; error: { code?: string; message: string; details?: Record<string, unknown> } }
> {
  try {
    const info = (await r.service.handle(ext, {
      type: 'backend_process_spawn',
      requestId: 'r',
      options: { entry: 'dist/echo.js', ...options } as BackendProcessSpawnOptionsDTO,
    })) as BackendProcessInfoDTO;
    return { ok: true, info };
  } catch (error) {
    return { ok: false, error: error as { code?: string; message: string } };
  }
}

/** Lifecycle events posted for one process. */
export function lifecycle(ext: FakeExt, processId?: string): BackendProcessLifecycleEventDTO[] {
  return ext.posts.flatMap((post) =>
    post.type === 'backend_process_lifecycle' &&
    (processId === undefined || post.event.processId === processId)
      ? [post.event]
      : [],
  );
}

/** The processIds that got lifecycle events, in order of first appearance. */
export function processIds(ext: FakeExt): string[] {
  return [...new Set(lifecycle(ext).map((event) => event.processId))];
}

/** States of one process's lifecycle events; asserts they chain (one event per transition). */
export function statesOf(ext: FakeExt, processId: string): string[] {
  const events = lifecycle(ext, processId);
  events.forEach((event, i) => {
    const expected = i === 0 ? undefined : events[i - 1]?.state;
    if (event.previousState !== expected) {
      throw new Error(
        `event ${i} of ${processId}: previousState ${event.previousState} != ${expected}`,
      );
    }
  });
  return events.map((event) => event.state);
}

/** Waits until `check` holds (polling every 10 ms), or throws after `ms`. */
export async function until(check: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(10);
  }
}

/** True while a process with this pid exists (zombies included). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits for the terminal lifecycle event of a process. */
export async function ended(ext: FakeExt, processId: string, ms = 5000) {
  const terminal = ['stopped', 'completed', 'failed', 'timed_out'];
  await until(
    () => lifecycle(ext, processId).some((e) => terminal.includes(e.state)),
    ms,
    `end of ${processId}`,
  );
  return lifecycle(ext, processId).at(-1) as BackendProcessLifecycleEventDTO;
}

/** Asserts every child the service started is gone. */
export async function assertNoChildren(r: Rig, pids: number[]): Promise<void> {
  await until(() => pids.every((pid) => !pidAlive(pid)), 5000, `pids ${pids.join(',')} to be gone`);
  if (r.service.backend.pids().length > 0)
    throw new Error(`live children left: ${r.service.backend.pids()}`);
}

/** `pid` and all its descendants, read from /proc (Linux); just `[pid]` elsewhere. */
export function treeOf(pid: number): number[] {
  const children = new Map<number, number[]>();
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return [pid];
  }
  for (const name of entries) {
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
    } catch {
      // The process ended while we read.
    }
  }
  const tree: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const next = queue.shift() as number;
    tree.push(next);
    queue.push(...(children.get(next) ?? []));
  }
  return tree;
}
