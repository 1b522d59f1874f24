/**
 * Browser ↔ host wire frames (`wire-protocol.ts`). The host validates every `ClientFrame` it
 * receives; the bridge validates every `ServerFrame`. Raw frames are held to `maxFrameBytes`
 * before they are parsed.
 */
import * as v from 'valibot';
import { type ClientFrame, DEFAULT_WIRE_LIMITS, type ServerFrame } from '../wire-protocol.ts';
import { type MessageResult, validateMessage } from './batch.ts';
import { extensionInfoSchema, runtimeStatsSchema } from './dto.ts';
import {
  FRONTEND_EXIT_REASONS,
  FRONTEND_OUTCOMES,
  PROCESS_STATES,
  SPINDLE_ERROR_CODES,
} from './enums.ts';
import {
  between,
  counter,
  finite,
  id,
  key,
  kind,
  obj,
  payload,
  plainRecord,
  seq,
} from './fields.ts';
import { protocol, validateFrame } from './frame.ts';
import { MAX_TOKEN_LENGTH } from './limits.ts';
import type { ValidationResult } from './result.ts';
import type { Expect, UnionInSync } from './sync.ts';

/** Options of the wire validators. */
export interface WireValidationOptions {
  /**
   * Largest frame in bytes of UTF-8 JSON; the host passes its `WireLimits.maxFrameBytes`.
   * @default DEFAULT_WIRE_LIMITS.maxFrameBytes (1048576)
   */
  maxFrameBytes?: number;
}

const version = v.pipe(v.number(), v.safeInteger('must be a safe integer'));

const hello = v.object({
  type: v.literal('hello'),
  protocolVersion: version,
  token: v.pipe(
    v.string(),
    v.maxLength(MAX_TOKEN_LENGTH, `must be at most ${MAX_TOKEN_LENGTH} characters`),
  ),
  resumeSessionId: v.optional(id),
  lastServerSeq: v.optional(counter),
});
const ack = v.object({ type: v.literal('ack'), seq: counter });
const ping = v.object({ type: v.literal('ping'), at: finite });

const clientSchemas = [
  hello,
  ack,
  ping,
  v.object({ type: v.literal('extension_mounted'), extensionId: id, seq }),
  v.object({ type: v.literal('extension_unmounted'), extensionId: id, seq }),
  v.object({ type: v.literal('backend_message'), extensionId: id, payload, seq }),
  v.object({ type: v.literal('process_ready'), processId: id, seq }),
  v.object({ type: v.literal('process_heartbeat'), processId: id, seq }),
  v.object({ type: v.literal('process_message'), processId: id, payload, seq }),
  v.object({
    type: v.literal('process_ended'),
    processId: id,
    outcome: v.picklist(FRONTEND_OUTCOMES),
    error: v.optional(v.string()),
    seq,
  }),
  v.object({ type: v.literal('subscribe_stats'), seq }),
] as const;

const positiveInt = v.pipe(
  v.number(),
  v.safeInteger('must be a safe integer'),
  v.minValue(1, 'must be at least 1'),
);

const serverSchemas = [
  v.object({
    type: v.literal('welcome'),
    protocolVersion: version,
    frontendSessionId: id,
    userId: id,
    resumed: v.boolean(),
    lastClientSeq: counter,
    isAdmin: v.boolean(),
    extensions: v.array(extensionInfoSchema),
    limits: obj({
      maxFrameBytes: positiveInt,
      maxFramesPerSecond: positiveInt,
      maxUnackedFrames: positiveInt,
      resumeGraceMs: counter,
    }),
  }),
  ack,
  v.object({ type: v.literal('pong'), at: finite }),
  v.object({
    type: v.literal('error'),
    code: v.picklist(SPINDLE_ERROR_CODES),
    message: v.string(),
    seq: v.optional(finite),
    frameType: v.optional(v.string()),
  }),
  v.object({ type: v.literal('backend_message'), extensionId: id, payload, seq }),
  v.object({
    type: v.literal('process_spawn'),
    extensionId: id,
    processId: id,
    kind,
    key: v.optional(key),
    payload: v.optional(v.unknown()),
    metadata: v.optional(plainRecord),
    startupTimeoutMs: between(1_000, 120_000),
    heartbeatTimeoutMs: between(0, 120_000),
    seq,
  }),
  v.object({ type: v.literal('process_message'), processId: id, payload, seq }),
  v.object({
    type: v.literal('process_stop'),
    processId: id,
    reason: v.optional(v.string()),
    force: v.boolean(),
    seq,
  }),
  v.object({
    type: v.literal('process_terminated'),
    processId: id,
    state: v.picklist(PROCESS_STATES),
    exitReason: v.picklist(FRONTEND_EXIT_REASONS),
    error: v.optional(v.string()),
    seq,
  }),
  v.object({ type: v.literal('extension_state'), extension: extensionInfoSchema, seq }),
  v.object({ type: v.literal('extension_removed'), extensionId: id, seq }),
  v.object({ type: v.literal('runtime_stats'), event: runtimeStatsSchema, seq }),
] as const;

type _Wire = [
  Expect<UnionInSync<v.InferOutput<(typeof clientSchemas)[number]>, ClientFrame>>,
  Expect<UnionInSync<v.InferOutput<(typeof serverSchemas)[number]>, ServerFrame>>,
];

/** The protocol descriptions (schemas by `type`); internal, exported for the validator tests. */
export const CLIENT = protocol('client frame', clientSchemas, ['hello']);
export const SERVER = protocol('server frame', serverSchemas, ['welcome']);

function maxBytes(opts: WireValidationOptions | undefined): number {
  const max = opts?.maxFrameBytes;
  return typeof max === 'number' && max > 0 ? max : DEFAULT_WIRE_LIMITS.maxFrameBytes;
}

/**
 * Validates what a browser sent: the raw WebSocket message (string, `Uint8Array`/`Buffer`,
 * `ArrayBuffer`) or an already-parsed object. A `hello` whose `protocolVersion` is not
 * `PROTOCOL_VERSION` fails with `PROTOCOL_VERSION_MISMATCH`. Never throws.
 */
export function validateClientFrame(
  input: unknown,
  opts?: WireValidationOptions,
): ValidationResult<ClientFrame> {
  return validateFrame<ClientFrame>(CLIENT, input, maxBytes(opts));
}

/**
 * Validates what the host sent, as `validateClientFrame` does; a `welcome` with another
 * `protocolVersion` fails with `PROTOCOL_VERSION_MISMATCH`. Never throws.
 */
export function validateServerFrame(
  input: unknown,
  opts?: WireValidationOptions,
): ValidationResult<ServerFrame> {
  return validateFrame<ServerFrame>(SERVER, input, maxBytes(opts));
}

/**
 * Validates one WebSocket message from a browser: a frame or a batch of frames. The message is
 * held to `maxFrameBytes` and read once; each frame of a batch is then validated on its own, as
 * `validateClientFrame` would. Never throws.
 */
export function validateClientMessage(
  input: unknown,
  opts?: WireValidationOptions,
): MessageResult<ClientFrame> {
  return validateMessage<ClientFrame>(CLIENT, input, maxBytes(opts));
}

/** Validates one WebSocket message from the host, as `validateClientMessage` does. */
export function validateServerMessage(
  input: unknown,
  opts?: WireValidationOptions,
): MessageResult<ServerFrame> {
  return validateMessage<ServerFrame>(SERVER, input, maxBytes(opts));
}
