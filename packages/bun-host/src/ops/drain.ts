/**
 * Graceful shutdown (docs/operations.md, "Drain and shutdown"): while draining, new activations
 * and process spawns are refused with `DRAINING`; live processes get up to a deadline to finish
 * by themselves, then the rest are stopped, then every runtime, then sessions are closed with a
 * clear reason. The caller closes everything else afterwards.
 */
import { SpindleError } from '@spindle/types';
import type { Emitter } from 'mitt';
import type { SpindleHostEvents } from '../host-types.ts';
import type { ProcessRequestMessage, ProcessService } from '../processes/service.ts';
import type { Timers } from '../runtime/types.ts';

/** Default time live processes get to finish by themselves. */
export const DEFAULT_DRAIN_DEADLINE_MS = 30_000;

/** Default close reason of sessions at the end of a drain. */
export const DEFAULT_DRAIN_REASON = 'the host is shutting down for maintenance';

const SPAWNS: ReadonlySet<ProcessRequestMessage['type']> = new Set([
  'backend_process_spawn',
  'frontend_process_spawn',
]);

/** `service`, refusing spawns with `DRAINING` while `draining()` says so. */
export function refuseSpawnsWhileDraining(
  service: ProcessService,
  draining: () => boolean,
): ProcessService {
  return {
    handle(ext, message) {
      if (draining() && SPAWNS.has(message.type)) {
        return Promise.reject(
          new SpindleError(
            'DRAINING',
            `cannot spawn a process of ${ext.extensionId}: the host is draining`,
            { details: { extensionId: ext.extensionId } },
          ),
        );
      }
      return service.handle(ext, message);
    },
    unloadExtension: (extensionId) => service.unloadExtension(extensionId),
    close: () => service.close(),
    ...(service.liveCount ? { liveCount: service.liveCount.bind(service) } : {}),
  };
}

/** What a drain works on. */
export interface DrainParts {
  /** Extensions that may have processes or a runtime. */
  extensionIds(): string[];
  /** Live processes of an extension. */
  liveProcesses(extensionId: string): number;
  /** Stops every runtime (each stop ends its processes first). */
  stopRuntimes(): Promise<void>;
  /** Closes every session with `reason` (and stops accepting new ones). */
  closeSessions(reason: string): Promise<void>;
  events: Emitter<SpindleHostEvents>;
  timers: Timers;
  log(message: string, data: Record<string, unknown>): void;
}

/** Runs the drain steps in order; resolves once sessions are closed. */
export async function drainHost(
  parts: DrainParts,
  deadlineMs: number,
  reason: string,
): Promise<void> {
  const started = parts.timers.now();
  parts.events.emit('drain', { phase: 'start', at: started });
  const live = () => parts.extensionIds().reduce((sum, id) => sum + parts.liveProcesses(id), 0);
  const before = live();
  parts.log(`draining: ${before} live process(es) get ${deadlineMs} ms to finish`, {
    liveProcesses: before,
    deadlineMs,
  });
  if (before > 0) await waitForProcesses(parts, live, deadlineMs);
  const left = live();
  parts.log(
    left === 0
      ? 'draining: every process finished'
      : `draining: ${left} process(es) still live after ${deadlineMs} ms: stopping them`,
    { liveProcesses: left },
  );
  parts.events.emit('drain', { phase: 'processes', at: parts.timers.now() });
  await parts.stopRuntimes();
  parts.events.emit('drain', { phase: 'runtimes', at: parts.timers.now() });
  await parts.closeSessions(reason);
  parts.events.emit('drain', { phase: 'sessions', at: parts.timers.now() });
  parts.log(`drained in ${parts.timers.now() - started} ms`, {
    ms: parts.timers.now() - started,
  });
}

/** How often the drain looks at the live processes besides their lifecycle events. */
const DRAIN_POLL_MS = 100;

/** Resolves when no process is live, or at the deadline. */
function waitForProcesses(parts: DrainParts, live: () => number, deadlineMs: number) {
  return new Promise<void>((resolve) => {
    let done = false;
    let poll: unknown;
    const finish = () => {
      if (done) return;
      done = true;
      parts.events.off('process', check);
      parts.timers.clearTimeout(deadline);
      parts.timers.clearTimeout(poll);
      resolve();
    };
    const check = () => {
      // A lifecycle event may be posted before the supervisor's table forgets the process.
      queueMicrotask(() => {
        if (live() === 0) finish();
      });
    };
    const tick = () => {
      check();
      if (!done) poll = parts.timers.setTimeout(tick, DRAIN_POLL_MS);
    };
    const deadline = parts.timers.setTimeout(finish, deadlineMs);
    parts.events.on('process', check);
    tick();
  });
}
