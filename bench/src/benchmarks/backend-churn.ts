/**
 * Spawn/stop churn of backend processes (issue 5: no growth beyond noise). 10,000 processes
 * (500 with `--quick`) are spawned and stopped through the real `ProcessService`, 8 at a time.
 * A one-shot measurement, not interleaved: the floor is the host *before* the churn (after a
 * warm-up churn), the figure the same host *after* it, each 5 readings taken after a full GC.
 * Resident memory and open descriptors are two benchmarks because a row has one unit; each runs
 * its own churn in its own process.
 *
 * Noise bands, fixed before measuring: RSS may grow by 10 MB (about 1 KB per process over
 * 10,000: a smaller leak hides in allocator noise), descriptors by 0 (every child's pipes and
 * IPC socket must be closed once it is reaped).
 */
import { beforeAfterBenchmark, LEAK_PROBES, type LeakProbe } from './lib/before-after.ts';

/** Allowed RSS growth over the churn, MB. */
export const CHURN_RSS_BAND_MB = 10;
/** Allowed growth of open descriptors over the churn. */
export const CHURN_FD_BAND = 0;

function churnBenchmark(
  name: string,
  unit: 'MB' | 'fd',
  what: string,
  band: number,
  probe: () => Promise<LeakProbe>,
) {
  return beforeAfterBenchmark({
    name,
    title: `backend process spawn/stop churn: host ${what}`,
    unit,
    band,
    floorLabel: `host ${what} before the churn (after warm-up, GC)`,
    figureLabel: `host ${what} after 10,000 spawn → ready → stop (500 with --quick), 8 at a time, GC`,
    timeoutMs: 1_200_000,
    probe,
    open: async (ctx, { read, describe }) => {
      const { openChurnSession } = await import('./lib/churn.ts');
      return openChurnSession(ctx, read, name, describe);
    },
  });
}

/** Host RSS before/after the churn. */
export const backendChurnRss = churnBenchmark(
  'backend-churn-rss',
  'MB',
  'RSS',
  CHURN_RSS_BAND_MB,
  LEAK_PROBES.rss,
);

/** Host open descriptors before/after the churn. */
export const backendChurnFds = churnBenchmark(
  'backend-churn-fds',
  'fd',
  'open file descriptors',
  CHURN_FD_BAND,
  LEAK_PROBES.fds,
);
