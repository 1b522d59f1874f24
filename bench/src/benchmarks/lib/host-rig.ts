/**
 * A real `createSpindleHost` over a temp folder of minimal extensions, for the runtime
 * benchmarks: timed enable → `running`, the pids of runtime children, and a `close()` that
 * closes the host and then checks in /proc that no child of this process survived (any survivor
 * is SIGKILLed and reported as an error). Bun-only: import lazily.
 */
import type { SpindleRuntimeMode } from '@spindle/types';
import { SpindleError } from '@spindle/types';
import { withDeadline } from '../../harness/deadline.ts';
import { BENCH_USER } from './bare-children.ts';
import { createSpindleHost, type SpindleHost, type SpindleHostOptions } from './bun-host.ts';
import { liveDescendants } from './procfs.ts';
import { waitGone } from './reap.ts';
import { createTempExtensions, type TempExtensions } from './temp-extensions.ts';

/** Bound on one enable (the host's own ready deadline is 10 s by default). */
export const ENABLE_DEADLINE_MS = 60_000;
/** Bound on `host.close()` and on the children being gone after it. */
export const CLOSE_DEADLINE_MS = 60_000;

/** An opened host rig. */
export interface HostRig {
  readonly host: SpindleHost;
  readonly identifiers: readonly string[];
  /** Enables one extension; resolves with the milliseconds until it was `running`. */
  enable(identifier: string): Promise<number>;
  /** Enables every extension, `concurrency` at a time. */
  enableAll(concurrency: number): Promise<void>;
  /** Disables one extension (waits until `disabled`). */
  disable(identifier: string): Promise<void>;
  /** Pid of a running runtime child (undefined in `worker` mode: it is the host itself). */
  runtimePid(identifier: string): number | undefined;
  /** Closes the host, checks no child survived, deletes the temp tree. */
  close(): Promise<void>;
}

/** Starts a host (nothing enabled unless `options` say so) over `count` minimal extensions. */
export async function openHostRig(
  mode: SpindleRuntimeMode,
  count: number,
  log: (message: string) => void,
  /** More host options (activation settings, what to enable). @default none */
  options: Partial<SpindleHostOptions> = {},
): Promise<HostRig> {
  const before = new Set(liveDescendants(process.pid));
  const temp: TempExtensions = createTempExtensions(count);
  const seen = new Set<number>();
  let warnings = 0;
  let host: SpindleHost;
  try {
    host = await createSpindleHost({
      extensionsDir: temp.extensionsDir,
      dataDir: temp.dataDir,
      runtimeMode: mode,
      enable: [],
      // A root machine runs the runtimes as a runtime user, like the floors' children.
      ...(BENCH_USER ? { runtimeUser: BENCH_USER.name } : {}),
      logger: (entry) => {
        if (entry.level === 'info' || warnings >= 20) return;
        warnings += 1;
        log(`[host ${entry.level}] ${entry.extensionId ?? ''} ${entry.message}`);
      },
      ...options,
    });
  } catch (error) {
    temp.remove();
    throw error;
  }
  const runtimePid = (identifier: string) => {
    const info = host.get(identifier);
    return mode === 'worker' || info?.pid === undefined || info.pid === process.pid
      ? undefined
      : info.pid;
  };
  const enable = async (identifier: string) => {
    const t0 = performance.now();
    const info = await withDeadline(
      host.enable(identifier),
      ENABLE_DEADLINE_MS,
      `enable ${identifier}`,
    );
    const ms = performance.now() - t0;
    if (info.state !== 'running') {
      throw new SpindleError(
        'INTERNAL',
        `${identifier} is ${info.state}, not running: ${info.error ?? ''}`,
      );
    }
    const pid = runtimePid(identifier);
    if (pid !== undefined) seen.add(pid);
    return ms;
  };
  return {
    host,
    identifiers: temp.identifiers,
    enable,
    async enableAll(concurrency) {
      let next = 0;
      const lane = async () => {
        while (next < temp.identifiers.length) {
          const id = temp.identifiers[next++]!;
          await enable(id);
        }
      };
      await Promise.all(
        Array.from({ length: Math.min(concurrency, temp.identifiers.length) }, lane),
      );
    },
    async disable(identifier) {
      const info = await withDeadline(
        host.disable(identifier),
        ENABLE_DEADLINE_MS,
        `disable ${identifier}`,
      );
      if (info.state !== 'disabled') {
        throw new SpindleError('INTERNAL', `${identifier} is ${info.state} after disable`);
      }
    },
    runtimePid,
    async close() {
      try {
        await withDeadline(host.close(), CLOSE_DEADLINE_MS, 'host close');
      } finally {
        try {
          const survivors = liveDescendants(process.pid).filter((pid) => !before.has(pid));
          await waitGone([...seen, ...survivors], CLOSE_DEADLINE_MS, 'runtimes after host.close()');
        } finally {
          temp.remove();
        }
      }
    },
  };
}
