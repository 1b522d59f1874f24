/**
 * Frontend contributions: the embedding app adds its own members to an extension's `ctx`
 * (`ui`, `events`, `toast`, …) through `createExtensionHost({ contributeContext })`. Each load of
 * an extension on the main thread asks the app once; the members are added next to the SDK's
 * own (never replacing one), members gated by a permission the extension lacks are present but
 * throw `PERMISSION_DENIED`, and the contribution's `dispose` runs exactly once when that load
 * ends (unload, reload, failed setup). Worker-isolated loads get no contributions: the members
 * are `undefined` there (the app's UI cannot cross into a worker). See docs/embedding.md.
 */
import {
  PERMISSION_DENIED_PREFIX,
  SpindleError,
  type SpindleHostDescriptorV1,
  type SpindleManifest,
} from '@spindle/types';

/** The extension a contribution is made for. */
export interface ContributionTarget {
  readonly extensionId: string;
  readonly manifest: SpindleManifest;
  readonly host: SpindleHostDescriptorV1;
  /** Permissions granted to the extension (from `ExtensionInfoDTO.grantedPermissions`). */
  readonly grantedPermissions: readonly string[];
}

/** What `contributeContext` returns for one load of one extension. */
export interface ContextContribution {
  /** Members added to `ctx`. A name the SDK's `ctx` already has is refused (reported). */
  members: Record<string, unknown>;
  /**
   * Member name → permission. A gated member whose permission is not granted is still present,
   * but calling any of its functions throws `PERMISSION_DENIED` naming the permission.
   */
  permissions?: Record<string, string>;
  /** Runs exactly once when this load ends (unload, reload, failed setup). */
  dispose?: () => void;
}

/** The app's hook: called once per main-thread load; `undefined` contributes nothing. */
export type ContributeContext = (target: ContributionTarget) => ContextContribution | undefined;

function denied(extensionId: string, member: string, permission: string): SpindleError {
  return new SpindleError(
    'PERMISSION_DENIED',
    `${PERMISSION_DENIED_PREFIX} ctx.${member} needs the "${permission}" permission, which ${extensionId} has not been granted`,
    { details: { permission, operation: `ctx.${member}` } },
  );
}

/** A stand-in for a gated member: every function it has (or is) throws `PERMISSION_DENIED`. */
function gate(value: unknown, error: () => SpindleError): unknown {
  const refuse = () => {
    throw error();
  };
  if (typeof value === 'function') return refuse;
  if (value === null || typeof value !== 'object') return value;
  return new Proxy(Object.freeze({}), {
    get: (_target, key) =>
      typeof (value as Record<PropertyKey, unknown>)[key] === 'function' ? refuse : undefined,
    has: (_target, key) => key in (value as object),
  });
}

/**
 * The members to add to `ctx`: contributed ones not clashing with `own` names, gated ones
 * replaced by their stand-ins. `report` hears of each refused name.
 */
export function contributedMembers(
  contribution: ContextContribution | undefined,
  target: ContributionTarget,
  own: ReadonlySet<string>,
  report: (message: string) => void,
): Record<string, unknown> {
  if (!contribution) return {};
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(contribution.members ?? {})) {
    if (own.has(name)) {
      report(`contributeContext: ctx.${name} belongs to the SDK and was not replaced`);
      continue;
    }
    const permission = contribution.permissions?.[name];
    out[name] =
      permission === undefined || target.grantedPermissions.includes(permission)
        ? value
        : gate(value, () => denied(target.extensionId, name, permission));
  }
  return out;
}
