/** The Landlock policy handed from the planner to the child through one environment variable. */

/** Paths a child may read, and read and write (absolute, as the child sees them). */
export interface SelfSandboxPolicy {
  readOnly: string[];
  readWrite: string[];
}

/** Environment variable carrying the JSON `SelfSandboxPolicy` into a sandboxed child. */
export const SANDBOX_POLICY_ENV = 'LUMIVERSE_SPINDLE_SANDBOX_POLICY';

/** Reads the policy the planner put into the environment; `undefined` when absent or invalid. */
export function policyFromEnv(
  env: Record<string, string | undefined>,
): SelfSandboxPolicy | undefined {
  const raw = env[SANDBOX_POLICY_ENV];
  if (!raw) return undefined;
  try {
    const value = JSON.parse(raw) as unknown;
    if (typeof value !== 'object' || value === null) return undefined;
    const { readOnly, readWrite } = value as Record<string, unknown>;
    if (!isPathList(readOnly) || !isPathList(readWrite)) return undefined;
    return { readOnly, readWrite };
  } catch {
    return undefined;
  }
}

function isPathList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((p) => typeof p === 'string' && p.startsWith('/'));
}
