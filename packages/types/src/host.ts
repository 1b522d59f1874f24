/**
 * The host descriptor (`spindle.host` in a backend runtime, `ctx.host` in a frontend) and the
 * events the runtime itself fires through `spindle.on`, as in upstream's `SpindleHostDescriptorV1`
 * and its frontend-session routing (docs/compatibility.md).
 */

/**
 * What the host tells an extension about itself. Hosts add capability keys over time; an
 * extension only relies on the names it understands.
 */
export interface SpindleHostDescriptorV1 {
  readonly descriptorVersion: 1;
  /** Lumiverse version this host is compatible with (`SpindleHostOptions.lumiverseVersion`). */
  readonly lumiverseVersion: string;
  /** Capability name → version, listing only what this host really provides. */
  readonly capabilities: Readonly<Record<string, number>>;
  /** Stable id of this installation of the extension. */
  readonly extensionInstallationId: string;
}

/**
 * Capability of frontend-session routing: `sendToFrontend(payload, userId, { frontendSessionId })`,
 * the session id passed to `onFrontendMessage` handlers, `ctx.frontendSessionId` and the
 * `FRONTEND_SESSION_CLOSED` event.
 */
export const FRONTEND_SESSION_ROUTING_CAPABILITY = 'frontend-session-routing-v1';

/** Capabilities the runtime itself provides, whatever app embeds it. */
export const RUNTIME_CAPABILITIES: Readonly<Record<string, number>> = Object.freeze({
  [FRONTEND_SESSION_ROUTING_CAPABILITY]: 1,
});

/**
 * Lumiverse version the runtime declares when the embedding app names none: the release line
 * whose extension API (lumiverse-spindle-types 0.6.20 and frontend-session routing) it follows.
 */
export const DEFAULT_LUMIVERSE_VERSION = '1.2.0';

/**
 * The descriptor of an extension when the host named none (a bundle loaded without
 * `ExtensionInfoDTO.host`, a test): this runtime's capabilities, the default version, and the
 * identifier as installation id.
 */
export function defaultHostDescriptor(identifier: string): SpindleHostDescriptorV1 {
  return Object.freeze({
    descriptorVersion: 1,
    lumiverseVersion: DEFAULT_LUMIVERSE_VERSION,
    capabilities: RUNTIME_CAPABILITIES,
    extensionInstallationId: identifier,
  });
}

/**
 * `host` with one capability per registered app service (`services.<namespace>`: its version)
 * added to the runtime's own; the other capabilities are kept.
 */
export function withServiceCapabilities(
  host: SpindleHostDescriptorV1,
  services: readonly { namespace: string; version: number }[],
): SpindleHostDescriptorV1 {
  const capabilities: Record<string, number> = {};
  for (const [name, version] of Object.entries(host.capabilities)) {
    if (!name.startsWith('services.')) capabilities[name] = version;
  }
  for (const service of services) capabilities[`services.${service.namespace}`] = service.version;
  return Object.freeze({ ...host, capabilities: Object.freeze(capabilities) });
}

/** Events the runtime fires through `spindle.on` by itself. */
export const RUNTIME_EVENTS = {
  /** A frontend session ended for good (closed, or its resume window expired). */
  FRONTEND_SESSION_CLOSED: 'FRONTEND_SESSION_CLOSED',
  /** A permission of the extension was granted or revoked (`PermissionChangedDetail`). */
  PERMISSION_CHANGED: 'PERMISSION_CHANGED',
} as const;

/**
 * Most event names a runtime's `activity` message lists (a runtime with more subscriptions
 * reports the first ones: any listed name that holds it awake is enough).
 */
export const MAX_ACTIVITY_EVENTS = 4096;

/** Payload of `FRONTEND_SESSION_CLOSED`. */
export interface FrontendSessionClosedPayload {
  userId: string;
  frontendSessionId: string;
}
