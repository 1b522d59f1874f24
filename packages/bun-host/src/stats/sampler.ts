/**
 * One runtime's stats: a `startup` event when it is ready, a `sample` every interval, a
 * `shutdown` event when it stops. Create a sampler only when stats are enabled
 * (`statsSamplerFor` does that check); a disabled runtime gets `NOOP_STATS_SAMPLER`, which
 * holds no timer and emits nothing.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type {
  RuntimeExitReason,
  RuntimeStatsEvent,
  RuntimeStatsPhase,
  SandboxStatus,
  SpindleRuntimeMode,
} from '@spindle/types';
import type { StatsConfig } from './config.ts';
import { type ReadProc, readProcUsage } from './proc.ts';
import { readTreeMemory } from './smaps.ts';

/** Interval timers; the real ones by default (looked up at call time, so fake timers work). */
export interface StatsTimers {
  setInterval(callback: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

/** Real timers whose handle does not keep the host alive. */
export const realStatsTimers: StatsTimers = {
  setInterval(callback, ms) {
    const handle = globalThis.setInterval(callback, ms);
    (handle as { unref?: () => void }).unref?.();
    return handle;
  },
  clearInterval(handle) {
    globalThis.clearInterval(handle as ReturnType<typeof globalThis.setInterval>);
  },
};

/** Options of `createStatsSampler`. */
export interface StatsSamplerOptions {
  /** Extension identifier. */
  extension: string;
  /** Display name of the extension (`name` of upstream's `SPINDLE_RUNTIME_STATS`). @default extension */
  name?: string;
  runtimeMode: SpindleRuntimeMode;
  /** The runtime's process (bwrap's in `sandbox` mode; the host's in `worker` mode). */
  pid: number;
  /** Active sandbox layers, reported in `sandbox` mode only. */
  sandbox?: SandboxStatus;
  /** Period of `sample` events; 0 disables sampling. */
  intervalMs: number;
  /** Receives every event; a throwing `emit` is reported once and does not stop sampling. */
  emit(event: RuntimeStatsEvent): void;
  /** @default realStatsTimers */
  timers?: StatsTimers;
  /** Reader of /proc files. @default fs.readFileSync(path, 'utf8') */
  readProc?: ReadProc;
  /** Clock of the `at` field. @default Date.now */
  now?: () => number;
  /** @default process.platform */
  platform?: NodeJS.Platform;
  /** Clock ticks per second of /proc CPU times. @default `getconf CLK_TCK` (100 if unknown) */
  clockTicks?: number;
  /** Resident size of a pid in KiB where /proc is absent (macOS). @default `ps -o rss=` */
  readRssKb?: (pid: number) => number | undefined;
}

/** What the runtime layer calls. */
export interface StatsSampler {
  /** Emits `startup` with `startupMs` and starts periodic sampling. Once only. */
  startup(startupMs: number): void;
  /**
   * Emits the final `shutdown` event (with `exitReason` when the runtime ended while running)
   * and clears the timer. Idempotent.
   */
  stop(exitReason?: RuntimeExitReason): void;
}

/** The sampler of a runtime with stats off: no timer, no events. */
export const NOOP_STATS_SAMPLER: StatsSampler = Object.freeze({
  startup() {},
  stop() {},
});

const CPU_FIELDS = ['cpuUserMs', 'cpuSystemMs'];
const MEMORY_FIELDS = ['rssKb', 'pssKb', 'ussKb'];
const ALL_FIELDS = [...MEMORY_FIELDS, ...CPU_FIELDS];

const WORKER_NOTE =
  'worker runtimes run inside the host process: per-worker RSS and CPU time cannot be separated from the host totals';

type Measurement = Pick<
  RuntimeStatsEvent,
  'rssKb' | 'pssKb' | 'ussKb' | 'cpuUserMs' | 'cpuSystemMs' | 'unmeasured' | 'note'
>;

function psRssKb(pid: number): number | undefined {
  const out = spawnSync('ps', ['-o', 'rss=', '-p', String(pid)], {
    encoding: 'utf8',
    timeout: 2000,
  });
  const value = Number.parseInt(out.stdout?.trim() ?? '', 10);
  return Number.isSafeInteger(value) ? value : undefined;
}

/** Creates the sampler of one running runtime (see the module comment). */
export function createStatsSampler(options: StatsSamplerOptions): StatsSampler {
  const timers = options.timers ?? realStatsTimers;
  const read = options.readProc ?? ((path: string) => readFileSync(path, 'utf8'));
  const now = options.now ?? Date.now;
  const platform = options.platform ?? process.platform;
  const readRssKb = options.readRssKb ?? psRssKb;
  let state: 'created' | 'sampling' | 'stopped' = 'created';
  let timer: unknown;
  let emitFailed = false;

  const measure = (): Measurement => {
    if (options.runtimeMode === 'worker') return { unmeasured: ALL_FIELDS, note: WORKER_NOTE };
    if (platform === 'linux') {
      try {
        const usage = readProcUsage(options.pid, read, options.clockTicks);
        const measured: Measurement = {
          rssKb: usage.rssKb,
          cpuUserMs: usage.cpuUserMs,
          cpuSystemMs: usage.cpuSystemMs,
        };
        try {
          const memory = readTreeMemory(options.pid, read);
          measured.pssKb = memory.pssKb;
          measured.ussKb = memory.ussKb;
        } catch {
          // A kernel without smaps_rollup (before 4.14): RSS only.
          measured.unmeasured = ['pssKb', 'ussKb'];
          measured.note = 'this kernel has no /proc/<pid>/smaps_rollup: PSS and USS unmeasured';
        }
        return measured;
      } catch {
        return {
          unmeasured: ALL_FIELDS,
          note: `process ${options.pid} is gone; nothing to measure`,
        };
      }
    }
    const rssKb = readRssKb(options.pid);
    const note = `CPU time, PSS and USS are read from /proc, which ${platform} does not have`;
    return rssKb === undefined
      ? { unmeasured: ALL_FIELDS, note: `${note}; ps did not report process ${options.pid}` }
      : { rssKb, unmeasured: ['pssKb', 'ussKb', ...CPU_FIELDS], note };
  };

  const send = (phase: RuntimeStatsPhase, extra: Partial<RuntimeStatsEvent> = {}) => {
    const event: RuntimeStatsEvent = {
      extension: options.extension,
      extensionId: options.extension,
      identifier: options.extension,
      name: options.name ?? options.extension,
      runtimeMode: options.runtimeMode,
      phase,
      at: new Date(now()).toISOString(),
      pid: options.pid,
      ...extra,
      ...measure(),
    };
    if (options.runtimeMode === 'sandbox' && options.sandbox !== undefined) {
      event.sandbox = options.sandbox;
    }
    try {
      options.emit(event);
    } catch (error) {
      if (!emitFailed) {
        emitFailed = true;
        console.warn(
          `[spindle] runtime stats of ${options.extension}: emit failed: ${(error as Error).message}`,
        );
      }
    }
  };

  return {
    startup(startupMs) {
      if (state !== 'created') return;
      state = 'sampling';
      send('startup', { startupMs });
      if (options.intervalMs > 0) {
        timer = timers.setInterval(() => send('sample'), options.intervalMs);
      }
    },
    stop(exitReason) {
      if (state === 'stopped') return;
      state = 'stopped';
      if (timer !== undefined) timers.clearInterval(timer);
      timer = undefined;
      send('shutdown', exitReason === undefined ? {} : { exitReason });
    },
  };
}

/** `createStatsSampler` when `config.enabled`, else `NOOP_STATS_SAMPLER`. */
export function statsSamplerFor(
  config: StatsConfig,
  options: Omit<StatsSamplerOptions, 'intervalMs'>,
): StatsSampler {
  if (!config.enabled) return NOOP_STATS_SAMPLER;
  return createStatsSampler({ ...options, intervalMs: config.sampleIntervalMs });
}
