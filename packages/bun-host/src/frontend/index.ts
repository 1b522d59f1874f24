/** The frontend side of the host: sessions, reliable delivery and authority, without sockets. */
export type {
  AuthorityPolicy,
  ProcessAuthorization,
  ProcessUplink,
  UplinkRefusal,
} from './authority.ts';
export { checkUplink } from './authority.ts';
export type { HubClock, TimerHandle } from './clock.ts';
export { systemClock } from './clock.ts';
export { frameToJson } from './frame-json.ts';
export type {
  FrontendGateway,
  FrontendGatewayEvents,
  FrontendSessionFilter,
  FrontendSessionInfo,
  RefusedUplink,
} from './gateway.ts';
export type {
  FrontendHubOptions,
  OpenSessionRequest,
  OpenSessionResult,
  SessionConnection,
} from './hub.ts';
export { DEFAULT_MAX_UNACKED_BYTES, FrontendHub } from './hub.ts';
export type { InboundVerdict } from './reliable-channel.ts';
export { InboundCursor, OutboundWindow } from './reliable-channel.ts';
export type { ConnectionControl, FrameSink, HubSessionState } from './session.ts';
export { DEFAULT_SESSION_CAPS, type SessionCaps } from './session-limits.ts';
