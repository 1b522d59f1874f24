/**
 * Backend runtime ↔ host messages (`worker-protocol.ts`). The host validates every
 * `WorkerToHost` a runtime sends (the runtime runs extension code, so it is untrusted); the
 * runtime validates `HostToWorker`. The `__spindle` brand the adapters add is stripped with the
 * other unknown keys; checking it is the adapter's job.
 */
import * as v from 'valibot';
import { MAX_ACTIVITY_EVENTS } from '../host.ts';
import type { HostToWorker, WorkerToHost } from '../worker-protocol.ts';
import {
  backendLifecycleSchema,
  backendListSchema,
  backendStopSchema,
  frontendLifecycleSchema,
  frontendListSchema,
  frontendStopSchema,
  hostDescriptorSchema,
  serializedErrorSchema,
} from './dto.ts';
import { LOG_LEVELS, RUNTIME_MODE_VALUES, STORAGE_OPS } from './enums.ts';
import { counter, id, nonNegative, notArrayOf, obj, payload } from './fields.ts';
import { protocol, validateFrame } from './frame.ts';
import { MAX_ID_LENGTH, MAX_IPC_MESSAGE_BYTES } from './limits.ts';
import { manifestSchema } from './manifest.ts';
import { backendSpawnOptionsSchema, frontendSpawnOptionsSchema } from './options.ts';
import type { ValidationResult } from './result.ts';
import type { Expect, UnionInSync } from './sync.ts';

/** Options of the runtime and subprocess message validators. */
export interface IpcValidationOptions {
  /**
   * Largest message in bytes of UTF-8 JSON (measured before parsing a string or bytes, by a
   * walk of an already-parsed object).
   * @default MAX_IPC_MESSAGE_BYTES (16 MiB)
   */
  maxMessageBytes?: number;
}

/** The byte bound for `opts`. */
export function ipcMaxBytes(opts: IpcValidationOptions | undefined): number {
  const max = opts?.maxMessageBytes;
  return typeof max === 'number' && max > 0 ? max : MAX_IPC_MESSAGE_BYTES;
}

const storageEntries = {
  requestId: id,
  op: v.picklist(STORAGE_OPS),
  path: v.string(),
  data: v.optional(v.string()),
  to: v.optional(v.string()),
};

const workerToHostSchemas = [
  v.object({ type: v.literal('ready') }),
  v.object({ type: v.literal('init_failed'), error: serializedErrorSchema }),
  v.object({ type: v.literal('shutdown_complete') }),
  v.object({ type: v.literal('pong'), id: counter, heapBytes: v.optional(nonNegative) }),
  v.object({ type: v.literal('log'), level: v.picklist(LOG_LEVELS), message: v.string() }),
  v.object({
    type: v.literal('send_to_frontend'),
    payload,
    userId: v.optional(id),
    frontendSessionId: v.optional(id),
  }),
  v.object({ type: v.literal('storage'), ...storageEntries }),
  v.object({ type: v.literal('user_storage'), ...storageEntries, userId: v.optional(id) }),
  v.object({
    type: v.literal('frontend_process_spawn'),
    requestId: id,
    options: frontendSpawnOptionsSchema,
  }),
  v.object({
    type: v.literal('frontend_process_list'),
    requestId: id,
    filter: v.optional(frontendListSchema),
  }),
  v.object({ type: v.literal('frontend_process_get'), requestId: id, processId: id }),
  v.object({
    type: v.literal('frontend_process_stop'),
    requestId: id,
    processId: id,
    options: v.optional(frontendStopSchema),
  }),
  v.object({
    type: v.literal('frontend_process_send'),
    processId: id,
    payload,
    userId: v.optional(id),
  }),
  v.object({
    type: v.literal('backend_process_spawn'),
    requestId: id,
    options: backendSpawnOptionsSchema,
  }),
  v.object({
    type: v.literal('backend_process_list'),
    requestId: id,
    filter: v.optional(backendListSchema),
  }),
  v.object({ type: v.literal('backend_process_get'), requestId: id, processId: id }),
  v.object({
    type: v.literal('backend_process_stop'),
    requestId: id,
    processId: id,
    options: v.optional(backendStopSchema),
  }),
  v.object({
    type: v.literal('backend_process_send'),
    processId: id,
    payload,
    userId: v.optional(id),
  }),
  v.object({
    type: v.literal('service_call'),
    requestId: id,
    namespace: id,
    method: id,
    args: v.array(v.unknown()),
  }),
  v.object({ type: v.literal('permissions_get'), requestId: id }),
  v.object({
    type: v.literal('activity'),
    timers: counter,
    events: v.pipe(
      v.array(v.pipe(v.string(), v.maxLength(MAX_ID_LENGTH))),
      v.maxLength(MAX_ACTIVITY_EVENTS, `must list at most ${MAX_ACTIVITY_EVENTS} events`),
    ),
  }),
] as const;

const serviceDescriptorSchema = obj({
  namespace: id,
  version: v.number(),
  methods: v.array(id),
  permission: v.optional(v.string()),
});

const scope = notArrayOf(
  v.variant('kind', [
    v.object({ kind: v.literal('operator') }),
    v.object({ kind: v.literal('user'), userId: id }),
  ]),
);

const hostToWorkerSchemas = [
  v.object({
    type: v.literal('init'),
    manifest: manifestSchema,
    extensionPath: v.string(),
    entryPath: v.string(),
    storagePath: v.string(),
    runtimeMode: v.picklist(RUNTIME_MODE_VALUES),
    scope,
    host: hostDescriptorSchema,
    services: v.array(serviceDescriptorSchema),
    grantedPermissions: v.array(v.string()),
  }),
  v.object({ type: v.literal('services'), services: v.array(serviceDescriptorSchema) }),
  v.object({
    type: v.literal('permissions'),
    granted: v.array(v.string()),
    permission: v.string(),
    nowGranted: v.boolean(),
  }),
  v.object({ type: v.literal('shutdown'), reason: v.optional(v.string()) }),
  v.object({ type: v.literal('ping'), id: counter }),
  v.object({
    type: v.literal('frontend_message'),
    payload,
    userId: id,
    frontendSessionId: v.optional(id),
  }),
  v.pipe(
    v.object({
      type: v.literal('response'),
      requestId: id,
      result: v.optional(v.unknown()),
      error: v.optional(serializedErrorSchema),
    }),
    v.check(
      (response) => response.result === undefined || response.error === undefined,
      'must carry a result or an error, not both',
    ),
  ),
  v.object({
    type: v.literal('event'),
    event: id,
    payload,
    userId: v.optional(id),
  }),
  v.object({ type: v.literal('frontend_process_lifecycle'), event: frontendLifecycleSchema }),
  v.object({
    type: v.literal('frontend_process_message'),
    processId: id,
    payload,
    userId: id,
  }),
  v.object({ type: v.literal('backend_process_lifecycle'), event: backendLifecycleSchema }),
  v.object({
    type: v.literal('backend_process_message'),
    processId: id,
    payload,
    userId: id,
  }),
] as const;

type _Worker = [
  Expect<UnionInSync<v.InferOutput<(typeof workerToHostSchemas)[number]>, WorkerToHost>>,
  Expect<UnionInSync<v.InferOutput<(typeof hostToWorkerSchemas)[number]>, HostToWorker>>,
];

/** The protocol descriptions (schemas by `type`); internal, exported for the validator tests. */
export const WORKER_TO_HOST = protocol('runtime message', workerToHostSchemas);
export const HOST_TO_WORKER = protocol('host message', hostToWorkerSchemas);

/**
 * Validates a message a backend runtime sent to the host: the parsed IPC / postMessage value,
 * or its raw JSON text or bytes. Never throws.
 */
export function validateWorkerToHost(
  input: unknown,
  opts?: IpcValidationOptions,
): ValidationResult<WorkerToHost> {
  return validateFrame<WorkerToHost>(WORKER_TO_HOST, input, ipcMaxBytes(opts));
}

/** Validates a message the host sent to a backend runtime. Never throws. */
export function validateHostToWorker(
  input: unknown,
  opts?: IpcValidationOptions,
): ValidationResult<HostToWorker> {
  return validateFrame<HostToWorker>(HOST_TO_WORKER, input, ipcMaxBytes(opts));
}
