/**
 * The one place the benchmarks reach into `@spindle/bun-host`. The bench package has no
 * dependency on it (its package.json and the lockfile are not ours to change), and
 * `createProcessService` and the sandbox's pieces are not on the package's public index, so the
 * sources are imported by path. Bun-only: import this module lazily, inside `open`.
 */
export {
  createSpindleHost,
  type HostLogEntry,
  type ServiceCall,
  ServiceRegistry,
  type SpindleHost,
  type SpindleHostOptions,
} from '../../../../packages/bun-host/src/index.ts';
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
export {
  bwrapArgs,
  PID_NAMESPACE_ARGS,
  systemPaths,
} from '../../../../packages/bun-host/src/sandbox/bwrap.ts';
export { detectSandbox } from '../../../../packages/bun-host/src/sandbox/index.ts';
export { landlockPrefix } from '../../../../packages/bun-host/src/sandbox/landlock.ts';
export { BUN_RUNTIME_FLAGS } from '../../../../packages/bun-host/src/sandbox/plan.ts';
export { childPolicy } from '../../../../packages/bun-host/src/sandbox/policy.ts';
export {
  DEFAULT_PIDS_MAX,
  type LaunchSettings,
} from '../../../../packages/bun-host/src/sandbox/settings.ts';
