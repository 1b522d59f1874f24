/**
 * A real `ProcessService` (the one `createSpindleHost` is given) driven directly, with a fake
 * `ExtensionProcessContext` over a temp extension, as a runtime would drive it. The pids of
 * children not yet stopped are remembered; `close()` closes the service, waits until none of
 * them is still a live descendant of this process (see `reap.ts`) and deletes the temp
 * extension. Bun-only: import lazily.
 */

import { join } from 'node:path';
import type {
  BackendProcessInfoDTO,
  BackendProcessLifecycleEventDTO,
  HostToWorker,
  SpindleRuntimeMode,
} from '@spindle/types';
import { withDeadline } from '../../harness/deadline.ts';
import { BENCH_USER } from './bare-children.ts';
import {
  createProcessService,
  DEFAULT_PIDS_MAX,
  type ExtensionProcessContext,
  type ProcessServiceOptions,
  type SpindleProcessService,
} from './bun-host.ts';
import { waitGone } from './reap.ts';
import { createTempExtensions, type TempExtensions } from './temp-extensions.ts';

/** Bound on one spawn → ready. */
export const SPAWN_DEADLINE_MS = 20_000;
/** Bound on one stop, and on the children being gone after `close()`. */
export const STOP_DEADLINE_MS = 15_000;

/** What `openBackendRig` builds. */
export interface BackendRigOptions {
  /** `sandbox` starts every process inside the launch plan's sandbox. */
  mode: SpindleRuntimeMode;
  /** Process entries written to the temp extension's `dist/`, by file name. */
  entries: Record<string, string>;
  /** Passed to `createProcessService` (limits, timers). */
  service?: Omit<ProcessServiceOptions, 'logger'>;
  /** Diagnostics (warnings and errors of the service). */
  log(message: string): void;
}

/** An opened rig. */
export interface BackendRig {
  readonly service: SpindleProcessService;
  readonly ext: ExtensionProcessContext;
  /** Receives every lifecycle event, with `performance.now()` at the moment it was posted. */
  onLifecycle(
    listener: ((event: BackendProcessLifecycleEventDTO, at: number) => void) | undefined,
  ): void;
  /** Spawns `dist/<entry>` and resolves with its info once it called `ready()`. */
  spawn(entry: string, extra?: Record<string, unknown>): Promise<BackendProcessInfoDTO>;
  /** Stops a process and resolves once its child is reaped. */
  stop(processId: string): Promise<void>;
  /** Pids of the children started and not yet stopped through `stop`. */
  readonly pids: Set<number>;
  /** Closes the service, waits until every child is gone, deletes the temp extension. */
  close(): Promise<void>;
}

let requestSeq = 0;

/** Builds a rig; throws (having cleaned up) when the temp extension cannot be made. */
export function openBackendRig(options: BackendRigOptions): BackendRig {
  const temp: TempExtensions = createTempExtensions(1, options.entries);
  const identifier = temp.identifiers[0]!;
  const path = temp.paths.get(identifier)!;
  let warnings = 0;
  const service = createProcessService({
    ...options.service,
    logger: (record) => {
      // Child output and refusals would flood a 10,000-process run: the first few are enough.
      if (record.level === 'info' || warnings >= 20) return;
      warnings += 1;
      options.log(`[process service ${record.level}] ${record.message}`);
    },
  });
  let listener: ((event: BackendProcessLifecycleEventDTO, at: number) => void) | undefined;
  const ext: ExtensionProcessContext = {
    extensionId: identifier,
    manifest: {
      version: '1.0.0',
      name: 'bench',
      identifier,
      author: 'spindle bench',
      github: '',
      homepage: '',
      permissions: [],
    },
    extensionPath: path,
    storagePath: temp.dataDir,
    scope: { kind: 'operator' },
    runtimeMode: options.mode,
    // As a host would resolve them: on a root machine, a runtime user, like the floors.
    launch: {
      cacheDir: join(temp.dataDir, 'cache'),
      ...(BENCH_USER ? { runtimeUser: BENCH_USER } : {}),
      allowRootRuntimes: false,
      allowWeakerSandbox: false,
      pidsMax: DEFAULT_PIDS_MAX,
    },
    post(message: HostToWorker) {
      if (message.type === 'backend_process_lifecycle')
        listener?.(message.event, performance.now());
    },
  };
  const pids = new Set<number>();
  const request = () => `bench-${++requestSeq}`;
  return {
    service,
    ext,
    pids,
    onLifecycle(next) {
      listener = next;
    },
    async spawn(entry, extra = {}) {
      const spawning = service.handle(ext, {
        type: 'backend_process_spawn',
        requestId: request(),
        options: { entry: `dist/${entry}`, ...extra },
      }) as Promise<BackendProcessInfoDTO>;
      const info = await withDeadline(spawning, SPAWN_DEADLINE_MS, `spawn of ${entry}`);
      const pid = service.backend.pidOf(info.processId);
      if (pid !== undefined) pids.add(pid);
      return info;
    },
    async stop(processId) {
      const pid = service.backend.pidOf(processId);
      if (pid !== undefined) pids.add(pid);
      await withDeadline(
        service.handle(ext, { type: 'backend_process_stop', requestId: request(), processId }),
        STOP_DEADLINE_MS,
        `stop of ${processId}`,
      );
      // Reaped by now (stop resolves after the exit): its number may be reused by anyone.
      if (pid !== undefined) pids.delete(pid);
    },
    async close() {
      try {
        for (const pid of service.backend.pids()) pids.add(pid);
        await withDeadline(service.close(), STOP_DEADLINE_MS, 'process service close');
      } finally {
        try {
          await waitGone(pids, STOP_DEADLINE_MS, 'backend rig close');
        } finally {
          temp.remove();
        }
      }
    },
  };
}
