/**
 * The `/proc` part of the host's metrics (docs/operations.md, "Metrics"): PSS, USS, RSS and CPU
 * of each running runtime's process tree, the host's own PSS and its PSS with every descendant,
 * and its open descriptors, read when scraped (one walk per scrape, shared by the gauges).
 */
import { readdirSync } from 'node:fs';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { SpindleHost } from '../host-types.ts';
import { clockTicksPerSecond, type ReadProc, readProcUsage } from '../stats/proc.ts';
import { readTreeMemory } from '../stats/smaps.ts';

const KB = 1024;

/** Most processes summed into the host's total (runtimes, sandbox layers, backend processes). */
const HOST_TREE_LIMIT = 8192;

/** Registers the `/proc` metrics of `host` (process `hostPid`) on `registry`. */
export function registerProcMetrics(
  registry: Registry,
  host: SpindleHost,
  read: ReadProc,
  hostPid: number,
): void {
  const registers = [registry];
  const perRuntime = () =>
    host.list().flatMap((info) => {
      // Worker runtimes live in the host process: they are part of the host's figures.
      if (info.state !== 'running' || info.pid === undefined || info.runtimeMode === 'worker') {
        return [];
      }
      try {
        const memory = readTreeMemory(info.pid, read);
        const usage = readProcUsage(info.pid, read, clockTicksPerSecond());
        return [{ info, memory, cpuMs: usage.cpuUserMs + usage.cpuSystemMs }];
      } catch {
        return [];
      }
    });
  let scrape: ReturnType<typeof perRuntime> | undefined;
  const runtimes = () => {
    scrape ??= perRuntime();
    // One /proc walk per scrape, shared by the three metrics below.
    queueMicrotask(() => {
      scrape = undefined;
    });
    return scrape;
  };
  const labels = ['extension', 'mode'] as const;
  const memoryGauge = (name: string, help: string, field: 'pssKb' | 'ussKb' | 'rssKb') =>
    new Gauge({
      name,
      help,
      labelNames: labels,
      registers,
      collect() {
        this.reset();
        for (const { info, memory } of runtimes()) {
          this.set(
            { extension: info.identifier, mode: info.runtimeMode ?? '' },
            memory[field] * KB,
          );
        }
      },
    });
  memoryGauge(
    'spindle_runtime_pss_bytes',
    'Proportional set size of each runtime process tree (process and sandbox modes)',
    'pssKb',
  );
  memoryGauge(
    'spindle_runtime_uss_bytes',
    'Unique set size of each runtime process tree (process and sandbox modes)',
    'ussKb',
  );
  memoryGauge(
    'spindle_runtime_rss_bytes',
    'Resident set size of each runtime process tree; shared pages counted in full (use PSS to add up)',
    'rssKb',
  );
  new Counter({
    name: 'spindle_runtime_cpu_seconds_total',
    help: 'CPU time (user + system) of each running runtime process tree since it started',
    labelNames: labels,
    registers,
    collect() {
      this.reset();
      for (const { info, cpuMs } of runtimes()) {
        this.inc({ extension: info.identifier, mode: info.runtimeMode ?? '' }, cpuMs / 1000);
      }
    },
  });
  new Gauge({
    name: 'spindle_host_pss_bytes',
    help: 'PSS of the host process alone (scope="host", worker runtimes included) and of the host with every descendant: runtimes and backend processes (scope="total")',
    labelNames: ['scope'] as const,
    registers,
    collect() {
      this.reset();
      try {
        const alone = readTreeMemory(hostPid, (path) =>
          path.endsWith('/children') ? '' : read(path),
        );
        this.set({ scope: 'host' }, alone.pssKb * KB);
        const total = readTreeMemory(hostPid, read, HOST_TREE_LIMIT);
        this.set({ scope: 'total' }, total.pssKb * KB);
      } catch {
        // No smaps_rollup (not Linux, or a kernel before 4.14): nothing to report.
      }
    },
  });
  new Gauge({
    name: 'spindle_host_open_fds',
    help: 'Open file descriptors of the host process',
    registers,
    collect() {
      try {
        this.set(countFds(hostPid));
      } catch {
        // No /proc.
      }
    },
  });
}

function countFds(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}
