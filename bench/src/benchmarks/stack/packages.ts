/**
 * The one place the whole-stack benchmarks reach into the packages they measure. The bench
 * package depends on none of them (its package.json and the lockfile are not ours to change), so
 * the sources are imported by path, as the host wiring and the browser bridge import them.
 * `@spindle/bun-host` is Bun-only: import this module lazily, inside `open`.
 */
export {
  createSpindleHost,
  type HostLogEntry,
  type SpindleHost,
} from '../../../../packages/bun-host/src/host.ts';
export {
  createFrontendSupervision,
  type FrontendSupervisor,
} from '../../../../packages/bun-host/src/processes/frontend/index.ts';
export { createProcessService } from '../../../../packages/bun-host/src/processes/service-impl.ts';
export { createTokenAuthenticator } from '../../../../packages/bun-host/src/server/auth.ts';
export { createFrontendSide } from '../../../../packages/bun-host/src/server/host-wiring.ts';
