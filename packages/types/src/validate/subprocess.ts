/**
 * Host ↔ backend subprocess messages (`subprocess-protocol.ts`). The host validates every
 * `BackendProcessToHost` (the child runs extension code); the child validates what the host
 * sends before it imports anything.
 */
import * as v from 'valibot';
import type { BackendProcessToHost, HostToBackendProcess } from '../subprocess-protocol.ts';
import { id, key, kind, obj, payload, plainRecord } from './fields.ts';
import { protocol, validateFrame } from './frame.ts';
import { MAX_ENTRY_LENGTH } from './limits.ts';
import type { ValidationResult } from './result.ts';
import type { Expect, UnionInSync } from './sync.ts';
import { type IpcValidationOptions, ipcMaxBytes } from './worker.ts';

const backendToHostSchemas = [
  v.object({ type: v.literal('ready') }),
  v.object({ type: v.literal('heartbeat') }),
  v.object({ type: v.literal('message'), payload }),
  v.object({ type: v.literal('complete'), result: v.optional(v.unknown()) }),
  v.object({ type: v.literal('fail'), error: v.string() }),
  v.object({ type: v.literal('stopped') }),
] as const;

const hostToBackendSchemas = [
  v.object({
    type: v.literal('init'),
    process: obj({
      processId: id,
      entry: v.pipe(
        v.string(),
        v.maxLength(MAX_ENTRY_LENGTH, `must be at most ${MAX_ENTRY_LENGTH} characters`),
      ),
      entryPath: v.string(),
      kind,
      key: v.optional(key),
      payload: v.optional(v.unknown()),
      metadata: v.optional(plainRecord),
      userId: v.optional(id),
    }),
  }),
  v.object({ type: v.literal('stop'), reason: v.optional(v.string()) }),
  v.object({ type: v.literal('message'), payload }),
] as const;

type _Subprocess = [
  Expect<UnionInSync<v.InferOutput<(typeof backendToHostSchemas)[number]>, BackendProcessToHost>>,
  Expect<UnionInSync<v.InferOutput<(typeof hostToBackendSchemas)[number]>, HostToBackendProcess>>,
];

/** The protocol descriptions (schemas by `type`); internal, exported for the validator tests. */
export const BACKEND_TO_HOST = protocol('subprocess message', backendToHostSchemas);
export const HOST_TO_BACKEND = protocol('host message', hostToBackendSchemas);

/**
 * Validates a message a backend subprocess sent to the host: the parsed IPC value, or its raw
 * JSON text or bytes. Never throws.
 */
export function validateBackendProcessToHost(
  input: unknown,
  opts?: IpcValidationOptions,
): ValidationResult<BackendProcessToHost> {
  return validateFrame<BackendProcessToHost>(BACKEND_TO_HOST, input, ipcMaxBytes(opts));
}

/** Validates a message the host sent to a backend subprocess. Never throws. */
export function validateHostToBackendProcess(
  input: unknown,
  opts?: IpcValidationOptions,
): ValidationResult<HostToBackendProcess> {
  return validateFrame<HostToBackendProcess>(HOST_TO_BACKEND, input, ipcMaxBytes(opts));
}
