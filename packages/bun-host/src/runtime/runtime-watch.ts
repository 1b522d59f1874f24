/**
 * What watches one extension's running runtime, from `ready` until it stops: its guard (ping
 * watchdog, inbound byte budget, memory cap: `runtime-guard.ts`) and, with stats on, its stats
 * sampler. At most one runtime of an extension runs; the running one's guard is kept at hand for
 * the hot path of every message sent to it.
 */
import {
  errorMessage,
  type LogLevel,
  type RuntimeExitReason,
  type RuntimeStatsEvent,
  type SpindleRuntimeMode,
} from '@spindle/types';
import { createStatsSampler, type StatsConfig, type StatsSampler } from '../stats/index.ts';
import type { RuntimeLimits } from './limits.ts';
import { procAvailable } from './memory-cap.ts';
import { isBackendless } from './no-backend.ts';
import { type LimitReason, RuntimeGuard } from './runtime-guard.ts';
import type { RuntimeInstance, Timers } from './types.ts';

/** What the watch of one extension needs. */
export interface RuntimeWatchOptions {
  extension: { identifier: string; name: string };
  runtimeMode: SpindleRuntimeMode;
  limits: RuntimeLimits;
  timers: Timers;
  stats: StatsConfig;
  onStats(event: RuntimeStatsEvent): void;
  /** A line of the host about the extension. */
  log(level: LogLevel, message: string): void;
  /** A limit of `runtime`'s guard was broken: it must end for `reason`. */
  onLimit(runtime: RuntimeInstance, reason: LimitReason, message: string): void;
}

/** The watch of one extension's runtimes. */
export interface RuntimeWatch {
  /** The runtime reported ready after `startupMs`: guard it and, with stats on, sample it. */
  ready(runtime: RuntimeInstance, startupMs: number): void;
  /** The guard of `runtime`, while it is watched. */
  guardOf(runtime: RuntimeInstance): RuntimeGuard | undefined;
  /** Something was sent to `runtime` (the hot path: the running guard without a map lookup). */
  sent(runtime: RuntimeInstance): void;
  /**
   * Stops watching `runtime`; `exitReason` goes into the stats `shutdown` event (absent while it
   * is still stopping, so that event is measured while it is alive). Idempotent.
   */
  end(runtime: RuntimeInstance, exitReason?: RuntimeExitReason): void;
}

/** Creates the watch of one extension. */
export function createRuntimeWatch(o: RuntimeWatchOptions): RuntimeWatch {
  const samplers = new WeakMap<RuntimeInstance, StatsSampler>();
  const guards = new WeakMap<RuntimeInstance, RuntimeGuard>();
  let active: { runtime: RuntimeInstance; guard: RuntimeGuard } | undefined;
  let capChecked = false;

  const guard = (runtime: RuntimeInstance) => {
    const created = new RuntimeGuard({
      runtime,
      limits: o.limits,
      timers: o.timers,
      procAvailable: runtime.mode === 'worker' || procAvailable(),
      onLimit: (reason, message) => o.onLimit(runtime, reason, message),
    });
    if (!capChecked && o.limits.memoryLimitMb > 0 && !created.memoryCapped) {
      o.log('error', 'MEMORY CAP NOT ENFORCED: /proc is not readable on this system');
    }
    capChecked = true;
    guards.set(runtime, created);
    active = { runtime, guard: created };
    created.start();
  };

  const sample = (runtime: RuntimeInstance, startupMs: number) => {
    try {
      const sampler = createStatsSampler({
        extension: o.extension.identifier,
        name: o.extension.name,
        runtimeMode: o.runtimeMode,
        pid: runtime.pid,
        ...(runtime.sandbox === undefined ? {} : { sandbox: runtime.sandbox }),
        intervalMs: o.stats.sampleIntervalMs,
        emit: o.onStats,
      });
      samplers.set(runtime, sampler);
      sampler.startup(startupMs);
    } catch (error) {
      o.log('warn', `runtime stats unavailable: ${errorMessage(error)}`);
    }
  };

  return {
    ready(runtime, startupMs) {
      // A frontend-only extension has no runtime of its own to watch or measure.
      if (isBackendless(runtime)) return;
      guard(runtime);
      if (o.stats.enabled) sample(runtime, startupMs);
    },
    guardOf: (runtime) => (active?.runtime === runtime ? active.guard : guards.get(runtime)),
    sent(runtime) {
      if (active?.runtime === runtime) active.guard.sent();
    },
    end(runtime, exitReason) {
      guards.get(runtime)?.stop();
      guards.delete(runtime);
      if (active?.runtime === runtime) active = undefined;
      samplers.get(runtime)?.stop(exitReason);
      samplers.delete(runtime);
    },
  };
}
