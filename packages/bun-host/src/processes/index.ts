/**
 * Process supervision of the host: `createProcessService` (what runtimes hand their
 * `backend_process_*` / `frontend_process_*` requests to), the shared state machine, and the
 * seams (logger, launcher, frontend hook) a host wires in.
 */
export { type BackendLauncher, defaultBackendLauncher } from './backend/launcher.ts';
export { BACKEND_CHILD_SCRIPT, BackendSupervisor } from './backend/supervisor.ts';
export type {
  FrontendProcessMessage,
  FrontendProcessSupervision,
  FrontendSupervisionDeps,
  FrontendSupervisionFactory,
} from './frontend-hook.ts';
export { consoleProcessLogger, type ProcessLogger, type ProcessLogRecord } from './logger.ts';
export * from './machine/index.ts';
export type { ExtensionProcessContext, ProcessRequestMessage, ProcessService } from './service.ts';
export {
  createProcessService,
  type ProcessServiceOptions,
  type SpindleProcessService,
} from './service-impl.ts';
