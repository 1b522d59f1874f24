/**
 * Validators for every boundary that receives untrusted input. Each returns
 * `{ ok: true, value }` or `{ ok: false, error: { code, path, message, seq?, frameType? } }`
 * and never throws. Unknown keys are stripped everywhere; `payload`, `result`, `metadata` and
 * `details` are kept by reference.
 */

export type { MessageResult } from './batch.ts';
export { RUNTIME_EXIT_REASONS, SPINDLE_ERROR_CODES } from './enums.ts';
export { jsonByteSize } from './json.ts';
export {
  MAX_ENTRY_LENGTH,
  MAX_ID_LENGTH,
  MAX_IPC_MESSAGE_BYTES,
  MAX_JSON_DEPTH,
  MAX_KEY_LENGTH,
  MAX_KIND_LENGTH,
  MAX_MANIFEST_BYTES,
  MAX_TOKEN_LENGTH,
} from './limits.ts';
export { validateManifest } from './manifest.ts';
export {
  checkBackendProcessEntry,
  clampHeartbeatTimeout,
  clampStartupTimeout,
  validateBackendProcessSpawnOptions,
  validateFrontendProcessSpawnOptions,
} from './options.ts';
export type { ValidationIssue, ValidationResult } from './result.ts';
export { validateBackendProcessToHost, validateHostToBackendProcess } from './subprocess.ts';
export {
  validateClientFrame,
  validateClientMessage,
  validateServerFrame,
  validateServerMessage,
  type WireValidationOptions,
} from './wire.ts';
export {
  type IpcValidationOptions,
  validateHostToWorker,
  validateWorkerToHost,
} from './worker.ts';
