/// <reference types="bun" preserve="true" />
/**
 * `@spindle/bun-host`: the Bun server of the Spindle runtime. `createSpindleHost` discovers
 * extensions and runs their backend halves in `process`, `sandbox` or `worker` mode.
 */

export type {
  ActivationSettings,
  ActivationTrigger,
  ExtensionActivationSettings,
  HibernationReason,
} from './activation/types.ts';
export {
  type ProcessRow,
  type StartedSpindleHost,
  type StartSpindleHostOptions,
  startSpindleHost,
} from './assemble.ts';
export { runCli } from './cli/main.ts';
export { CONFIG_FILE, loadConfigFile } from './config/load.ts';
export { type SpindleConfig, validateConfig } from './config/schema.ts';
export * from './dev/index.ts';
export {
  type DiscoveredExtension,
  discoverExtensions,
  MANIFEST_FILE,
} from './extensions/discovery.ts';
export type {
  FrontendGateway,
  FrontendGatewayEvents,
  FrontendSessionFilter,
  FrontendSessionInfo,
} from './frontend/gateway.ts';
export * from './frontend/index.ts';
export {
  consoleLogger,
  createSpindleHost,
  type DrainOptions,
  type HostExtensionInfo,
  type HostLogEntry,
  type HostLogLevel,
  type HostProcessEvent,
  type HostServer,
  type HostServiceCallEvent,
  resolveRuntimeMode,
  type SpindleHost,
  type SpindleHostEvents,
  type SpindleHostOptions,
  toExtensionInfoDTO,
} from './host.ts';
export {
  createHostLogger,
  type HostLogger,
  type HostLoggerOptions,
  type LogFormat,
  type LogThreshold,
} from './log/logger.ts';
export type { HostMetrics } from './ops/metrics.ts';
export type { MetricsAccess } from './ops/routes.ts';
export {
  createFrontendSupervision,
  type FrontendSupervisionOptions,
  type FrontendSupervisor,
} from './processes/frontend/index.ts';
export type {
  ExtensionProcessContext,
  ProcessRequestMessage,
  ProcessService,
} from './processes/service.ts';
export {
  createProcessService,
  type ProcessServiceOptions,
  type SpindleProcessService,
} from './processes/service-impl.ts';
export {
  EXTENSION_TRANSITIONS,
  type ExtensionStateChange,
  type RuntimeExitEvent,
} from './runtime/controller.ts';
export { CRASH_POLICY_DEFAULTS, type CrashPolicyOptions } from './runtime/crash-policy.ts';
export {
  RUNTIME_LIMIT_DEFAULTS,
  RUNTIME_LIMIT_ENV,
  type RuntimeLimitOptions,
  type RuntimeLimits,
  resolveRuntimeLimits,
} from './runtime/limits.ts';
export { RUNTIME_TIMING_DEFAULTS, type RuntimeTimingOptions } from './runtime/timing.ts';
export type { RuntimeExitReason, Timers } from './runtime/types.ts';
export type { LaunchOptions, SandboxCapabilities } from './sandbox/index.ts';
export * from './server/index.ts';
export {
  type HostPermissions,
  type HostServices,
  type PermissionChange,
  type PermissionPolicy,
  type ServiceCall,
  type ServiceCallLimits,
  type ServiceEventOptions,
  type ServiceMethod,
  type ServiceOptions,
  ServiceRegistry,
} from './services/index.ts';
export {
  type ResolvedStorageLimits,
  STORAGE_LIMIT_DEFAULTS,
  type StorageLimits,
} from './storage/index.ts';
