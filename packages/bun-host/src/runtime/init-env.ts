/**
 * `init` in the environment of a subprocess runtime. A runtime that finds its `init` in
 * `RUNTIME_INIT_ENV` starts at once instead of waiting a turn of its loop for the first IPC
 * message; it removes the variable from `process.env` before the extension's entry runs, so
 * nothing the extension starts inherits it. An `init` over `INIT_ENV_MAX_BYTES` travels as the
 * first IPC message instead. Imported by the child bootstrap too: no dependencies.
 */

/** Variable carrying the serialized `init` message. */
export const RUNTIME_INIT_ENV = 'SPINDLE_RUNTIME_INIT';

/** Largest serialized `init` passed in the environment (Linux caps one variable at 128 KiB). */
export const INIT_ENV_MAX_BYTES = 32 * 1024;

/** Reads and removes the `init` carried in the environment; `undefined` when there is none. */
export function takeInitFromEnv(env: Record<string, string | undefined> = process.env): unknown {
  const json = env[RUNTIME_INIT_ENV];
  if (json === undefined) return undefined;
  delete env[RUNTIME_INIT_ENV];
  try {
    return JSON.parse(json) as unknown;
  } catch {
    // Not JSON: the bootstrap reports an unusable init.
    return { type: 'init' };
  }
}
