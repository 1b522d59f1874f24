/** The host's HTTP + WebSocket edge (Bun.serve) and its authentication helpers. */
export type {
  AdmissionCounters,
  AdmissionLimits,
  AdmissionRefusal,
  AdmissionTicket,
} from './admission.ts';
export { ConnectionAdmission, DEFAULT_ADMISSION_LIMITS } from './admission.ts';
export type { Authenticate, AuthIdentity, DevAuthenticator } from './auth.ts';
export {
  constantTimeEqual,
  createDevAuthenticator,
  createTokenAuthenticator,
  loadTokenFile,
} from './auth.ts';
export type { BundleFile } from './bundle.ts';
export { bundleEtag, bundleVersion, frontendBundleUrl } from './bundle.ts';
export { cutUtf8, MAX_CLOSE_REASON_BYTES } from './close-reason.ts';
export type { ConnectionState, WireSocket } from './connection.ts';
export { WireConnection } from './connection.ts';
export type { OriginPolicy } from './cors.ts';
export { isLoopbackOrigin } from './cors.ts';
export type { WireCounters } from './counters.ts';
export { createWireCounters } from './counters.ts';
export {
  createHostHandlers,
  type HostHandlerOptions,
  type HostHandlers,
  type HostSocketData,
  isHostSocket,
} from './handlers.ts';
export type { FrontendSide, FrontendSideOptions } from './host-wiring.ts';
export { createFrontendSide, mounted, resolveBundleFile, toWireExtension } from './host-wiring.ts';
export { listExtensions, withFrontendUrl } from './http.ts';
export type { RateVerdict } from './rate-limit.ts';
export { FrameRateLimiter } from './rate-limit.ts';
export type { HostServerOptions, RunningHostServer } from './server.ts';
export { createHostServer } from './server.ts';
