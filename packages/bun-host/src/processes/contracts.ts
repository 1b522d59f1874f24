/**
 * Validation of what process supervision receives from untrusted parties (spawn options from an
 * extension, messages from a subprocess): the validators of `@spindle/types`, gathered in one
 * place so that the supervisor depends on this module only.
 */
export {
  checkBackendProcessEntry,
  clampHeartbeatTimeout,
  clampStartupTimeout,
  type ValidationIssue,
  type ValidationResult,
  validateBackendProcessSpawnOptions,
  validateBackendProcessToHost,
} from '@spindle/types';
