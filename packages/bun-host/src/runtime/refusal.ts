/**
 * The answer to a runtime request that failed validation. Every request a runtime sends
 * settles: when the host cannot accept a message that carries a `requestId`, it answers that id
 * with a typed error instead of dropping the message, so the caller's promise rejects at once.
 */
import {
  type SerializedError,
  SpindleError,
  serializeError,
  type ValidationIssue,
  validateBackendProcessSpawnOptions,
  validateFrontendProcessSpawnOptions,
} from '@spindle/types';

/** `type`s of runtime messages whose argument problems are the caller's options. */
const SPAWNS: Record<string, (options: unknown) => { ok: boolean; error?: ValidationIssue }> = {
  frontend_process_spawn: validateFrontendProcessSpawnOptions,
  backend_process_spawn: validateBackendProcessSpawnOptions,
};

/**
 * The error for a refused request: `INVALID_OPTIONS` (with the offending field's `path`) when its
 * arguments are wrong, the validator's own code (`FRAME_TOO_LARGE`, `UNKNOWN_TYPE`, …) otherwise.
 * Spawn options are checked again on their own so the message names the exact rule broken.
 */
export function refusalFor(raw: unknown, issue: ValidationIssue): SerializedError {
  let { code, path, message } = issue;
  const type = issue.frameType ?? '';
  const spawn = SPAWNS[type];
  if (spawn !== undefined && (path === 'options' || path.startsWith('options.'))) {
    try {
      const detailed = spawn((raw as { options?: unknown }).options);
      if (!detailed.ok && detailed.error) {
        code = detailed.error.code;
        path = detailed.error.path === '' ? 'options' : `options.${detailed.error.path}`;
        message = detailed.error.message;
      }
    } catch {
      // The first issue already says what is wrong.
    }
  }
  if (code === 'INVALID_FRAME' && path !== '' && path !== 'type' && path !== 'requestId') {
    code = 'INVALID_OPTIONS';
  }
  return serializeError(
    new SpindleError(code, `${type || 'request'} refused: ${message}`, {
      details: { path, ...(type ? { type } : {}) },
    }),
  );
}
