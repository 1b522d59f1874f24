/**
 * `@spindle/frontend-sdk`: runs extension frontends in the browser. The web app creates an
 * extension host on a `Transport` and loads bundles; extension authors program against the
 * `ctx` handed to their `setup(ctx)`.
 */

export type {
  ContextContribution,
  ContributeContext,
  ContributionTarget,
} from './host/contributions.ts';
export type {
  DropEvent,
  DropKind,
  ExtensionErrorEvent,
  ExtensionHostEvents,
  ExtensionHostStats,
  ExtensionSnapshot,
  ExtensionState,
  ExtensionStateEvent,
  IsolationMode,
  ProcessEvent,
} from './host/events.ts';
export {
  createExtensionHost,
  DEFAULT_IMPORT_TIMEOUT_MS,
  DEFAULT_READY_TIMEOUT_MS,
  DEFAULT_RELOAD_WINDOW_MS,
  DEFAULT_SETUP_TIMEOUT_MS,
  type ExtensionHost,
  type ExtensionHostOptions,
  type LoadOptions,
  type LoadTicket,
} from './host/host.ts';
export { DEFAULT_LANES } from './host/lanes.ts';
export { DEFAULT_LANE_HOLD_MS } from './host/load-pipeline.ts';
export {
  type BundleRequest,
  createModuleLoader,
  type ModuleLoader,
  type ModuleLoaderOptions,
} from './host/loader.ts';
export {
  DEFAULT_OUTBOUND_LIMIT,
  LIFECYCLE_UPLINKS,
  type OutboundDropReason,
} from './host/outbound.ts';
export type { ExtensionBundle, RealmConnection, RealmConnector } from './host/record.ts';
export { DEFAULT_STARTUP_QUEUE_LIMIT } from './host/startup-gate.ts';
export type { WorkerRealmApi, WorkerResult } from './isolation/protocol.ts';
export {
  createWorkerConnector,
  DEFAULT_DISPOSE_GRACE_MS,
  type WorkerConnectorOptions,
  type WorkerLike,
} from './isolation/worker-connector.ts';
export {
  createWorkerRealmApi,
  exposeWorkerRealm,
  type WorkerRealmOptions,
} from './isolation/worker-realm.ts';
export {
  DEFAULT_DRIVER_DEADLINES,
  type DriverDeadlines,
  type LocalProcessInfo,
} from './process/driver.ts';
export type { DriverToRealm, RealmToDriver } from './process/protocol.ts';
export { EXTENSION_ATTRIBUTE } from './realm/dom.ts';
export type {
  InactiveReason,
  RealmErrorPhase,
  RealmHostPort,
  SendOutcome,
} from './realm/realm.ts';
export {
  createYieldToBrowser,
  FRAME_FALLBACK_MS,
  globalTimers,
  type TimerHandle,
  type Timers,
  type YieldOptions,
  type YieldToBrowser,
  yieldMicrotask,
} from './timers.ts';
export {
  createMemoryTransport,
  type MemoryTransportOptions,
  type MemoryTransportPair,
  type MemoryTransportRemote,
  type Transport,
  type TransportState,
} from './transport.ts';
