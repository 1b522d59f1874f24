/**
 * One extension's activation settings from the three places that speak of them, in precedence
 * order (docs/operations.md, "Activation and hibernation"): the operator's per-extension settings,
 * then the manifest (`activation`, `activationEvents`, `keepAlive`), then the host defaults.
 */
import type { ActivationPolicy } from '@spindle/types';
import type { ActivationSettings, ResolvedExtensionActivation } from './types.ts';

function policyOf(value: unknown): ActivationPolicy | undefined {
  return value === 'eager' || value === 'lazy' ? value : undefined;
}

/** Resolves the settings of extension `id` (manifest fields already validated). */
export function resolveExtensionActivation(
  id: string,
  manifest: { activation?: unknown; activationEvents?: unknown; keepAlive?: unknown },
  settings: ActivationSettings,
): ResolvedExtensionActivation {
  const own = settings.extensions?.[id] ?? {};
  const policy =
    own.activation ?? policyOf(manifest.activation) ?? settings.defaultPolicy ?? 'eager';
  const keepAlive = own.keepAlive ?? manifest.keepAlive === true;
  const idle = own.idleAfterMs === undefined ? settings.idleAfterMs : own.idleAfterMs;
  const events = Array.isArray(manifest.activationEvents)
    ? manifest.activationEvents.filter((e): e is string => typeof e === 'string')
    : [];
  return {
    policy,
    idleAfterMs: keepAlive || idle === false || idle === undefined ? undefined : idle,
    keepAlive,
    activationEvents: new Set(events),
  };
}
