/**
 * Small pure helpers of the host: the default logger, the wire form of an extension, the host
 * descriptor of an installation and the runtime mode from options or the environment.
 */
import {
  DEFAULT_LUMIVERSE_VERSION,
  type ExtensionInfoDTO,
  type ExtensionScope,
  RUNTIME_CAPABILITIES,
  RUNTIME_MODES,
  SpindleError,
  type SpindleHostDescriptorV1,
  type SpindleRuntimeMode,
} from '@spindle/types';
import type { HostExtensionInfo, HostLogEntry } from './host-types.ts';

/** The default logger: `[identifier] message`, warnings and errors on stderr. */
export function consoleLogger(entry: HostLogEntry): void {
  const tag = entry.extensionId ? `[${entry.extensionId}]` : '[spindle-host]';
  const text = entry.message
    .split('\n')
    .map((line) => `${tag} ${line}`)
    .join('\n');
  if ((entry.level === 'info' || entry.level === 'debug') && entry.source !== 'stderr') {
    console.log(text);
  } else console.error(text);
}

/** The `ExtensionInfoDTO` of a frontend listing; `undefined` for an extension in `error`. */
export function toExtensionInfoDTO(info: HostExtensionInfo): ExtensionInfoDTO | undefined {
  if (!info.manifest) return undefined;
  return {
    identifier: info.identifier,
    manifest: info.manifest,
    state: info.state,
    ...(info.error === undefined ? {} : { error: info.error }),
    ...(info.runtimeMode === undefined ? {} : { runtimeMode: info.runtimeMode }),
    ...(info.host === undefined ? {} : { host: info.host }),
    ...(info.grantedPermissions === undefined
      ? {}
      : { grantedPermissions: info.grantedPermissions }),
    ...(info.exitReason === undefined ? {} : { exitReason: info.exitReason }),
    ...(info.activation === undefined ? {} : { activation: info.activation }),
  };
}

/**
 * The host descriptor of one installation: the declared Lumiverse version, the capabilities the
 * runtime provides, and a stable installation id (the identifier, with the installer's user id
 * for a user-scoped extension).
 */
export function hostDescriptor(
  identifier: string,
  scope: ExtensionScope,
  lumiverseVersion: string = DEFAULT_LUMIVERSE_VERSION,
): SpindleHostDescriptorV1 {
  return Object.freeze({
    descriptorVersion: 1,
    lumiverseVersion,
    capabilities: RUNTIME_CAPABILITIES,
    extensionInstallationId: scope.kind === 'user' ? `${identifier}@${scope.userId}` : identifier,
  });
}

/** Reads the runtime mode from the option or `LUMIVERSE_SPINDLE_RUNTIME_MODE`. */
export function resolveRuntimeMode(
  option: SpindleRuntimeMode | undefined,
  env: Record<string, string | undefined>,
): SpindleRuntimeMode {
  const raw = option ?? env.LUMIVERSE_SPINDLE_RUNTIME_MODE?.trim() ?? 'process';
  const value = raw === '' ? 'process' : raw;
  if (!(RUNTIME_MODES as readonly string[]).includes(value)) {
    throw new SpindleError(
      'INVALID_OPTIONS',
      `runtime mode must be one of ${RUNTIME_MODES.join(', ')}, got "${value}"`,
    );
  }
  return value as SpindleRuntimeMode;
}
