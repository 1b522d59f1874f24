/**
 * Runtime stats (docs/architecture.md, "Runtime modes"): settings from the environment, and a sampler per
 * runtime that emits `startup`, periodic `sample` and `shutdown` events. Off by default.
 */
export {
  DEFAULT_SAMPLE_INTERVAL_MS,
  MIN_SAMPLE_INTERVAL_MS,
  readStatsConfig,
  STATS_ON_VALUES,
  type StatsConfig,
} from './config.ts';
export {
  childPids,
  clockTicksPerSecond,
  MAX_TREE_SIZE,
  type ProcUsage,
  parseStatTicks,
  parseStatusRss,
  type ReadProc,
  readProcUsage,
} from './proc.ts';
export {
  createStatsSampler,
  NOOP_STATS_SAMPLER,
  realStatsTimers,
  type StatsSampler,
  type StatsSamplerOptions,
  type StatsTimers,
  statsSamplerFor,
} from './sampler.ts';
export { parseSmapsRollup, readTreeMemory, type TreeMemory } from './smaps.ts';
