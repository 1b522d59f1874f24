/**
 * The one place the benchmarks reach into `@spindle/bun-host`. The bench package has no
 * dependency on it (its package.json and the lockfile are not ours to change), and
 * `createProcessService` and `planLaunch` are not on the package's public index, so the sources
 * are imported by path. Bun-only: import this module lazily, inside `open`.
 */
export {
  createSpindleHost,
  type HostLogEntry,
  type SpindleHost,
  type SpindleHostOptions,
} from '../../../../packages/bun-host/src/index.ts';
export {
  detectSandbox,
  planLaunch,
} from '../../../../packages/bun-host/src/launch/index.ts';
export type {
  LaunchPlan,
  SandboxCapabilities,
} from '../../../../packages/bun-host/src/launch/types.ts';
export type { ProcessLogRecord } from '../../../../packages/bun-host/src/processes/logger.ts';
export {
  DEFAULT_DEADLINE_RULES,
  realTimers,
  type SupervisorTimers,
} from '../../../../packages/bun-host/src/processes/machine/index.ts';
export type { ExtensionProcessContext } from '../../../../packages/bun-host/src/processes/service.ts';
export {
  createProcessService,
  type ProcessServiceOptions,
  type SpindleProcessService,
} from '../../../../packages/bun-host/src/processes/service-impl.ts';
