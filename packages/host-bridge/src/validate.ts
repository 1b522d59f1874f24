/**
 * Server frame validation. TEMPORARY: a structural check with the signature of
 * `validateServerFrame` from `@spindle/types`, used until that validator lands; then this file
 * becomes a re-export.
 */
import type { ServerFrame, SpindleErrorCode } from '@spindle/types';

/** Why a frame was refused. */
export interface ValidationIssue {
  code: SpindleErrorCode;
  path: string;
  message: string;
  seq?: number;
  frameType?: string;
}

/** Outcome of a validation. */
export type ValidationResult<T> = { ok: true; value: T } | { ok: false; error: ValidationIssue };

const REQUIRED: Record<string, Record<string, 'string' | 'number' | 'boolean' | 'object'>> = {
  welcome: {
    protocolVersion: 'number',
    frontendSessionId: 'string',
    userId: 'string',
    resumed: 'boolean',
    lastClientSeq: 'number',
    isAdmin: 'boolean',
    extensions: 'object',
    limits: 'object',
  },
  ack: { seq: 'number' },
  pong: { at: 'number' },
  error: { code: 'string', message: 'string' },
  backend_message: { seq: 'number', extensionId: 'string' },
  process_spawn: {
    seq: 'number',
    extensionId: 'string',
    processId: 'string',
    kind: 'string',
    startupTimeoutMs: 'number',
    heartbeatTimeoutMs: 'number',
  },
  process_message: { seq: 'number', processId: 'string' },
  process_stop: { seq: 'number', processId: 'string', force: 'boolean' },
  process_terminated: { seq: 'number', processId: 'string', state: 'string', exitReason: 'string' },
  extension_state: { seq: 'number', extension: 'object' },
  extension_removed: { seq: 'number', extensionId: 'string' },
  runtime_stats: { seq: 'number', event: 'object' },
};

/** Checks a raw socket frame (text) or a parsed object against the server frame shapes. */
export function validateServerFrame(
  input: unknown,
  opts: { maxFrameBytes?: number } = {},
): ValidationResult<ServerFrame> {
  let value = input;
  if (typeof input === 'string') {
    if (opts.maxFrameBytes !== undefined && input.length > opts.maxFrameBytes) {
      return issue('FRAME_TOO_LARGE', '', `frame of ${input.length} characters is too large`);
    }
    try {
      value = JSON.parse(input);
    } catch {
      return issue('INVALID_JSON', '', 'frame is not valid JSON');
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return issue('INVALID_FRAME', '', 'frame must be a JSON object');
  }
  const frame = value as Record<string, unknown>;
  const type = typeof frame.type === 'string' ? frame.type : undefined;
  const seq =
    typeof frame.seq === 'number' && Number.isSafeInteger(frame.seq) && frame.seq > 0
      ? frame.seq
      : undefined;
  const fields = type === undefined ? undefined : REQUIRED[type];
  if (fields === undefined) {
    return issue('UNKNOWN_TYPE', 'type', `unknown frame type ${String(type)}`, seq);
  }
  for (const [name, kind] of Object.entries(fields)) {
    const field = frame[name];
    const ok =
      kind === 'object'
        ? field !== null && typeof field === 'object'
        : typeof field === kind && (kind !== 'number' || Number.isFinite(field));
    if (!ok) return issue('INVALID_FRAME', name, `${type}.${name} must be a ${kind}`, seq, type);
  }
  if ('seq' in fields && seq === undefined) {
    return issue('INVALID_FRAME', 'seq', `${type}.seq must be a positive integer`, undefined, type);
  }
  return { ok: true, value: frame as unknown as ServerFrame };
}

function issue(
  code: SpindleErrorCode,
  path: string,
  message: string,
  seq?: number,
  frameType?: string,
): { ok: false; error: ValidationIssue } {
  const error: ValidationIssue = { code, path, message };
  if (seq !== undefined) error.seq = seq;
  if (frameType !== undefined) error.frameType = frameType;
  return { ok: false, error };
}
