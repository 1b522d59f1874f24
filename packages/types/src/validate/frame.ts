/**
 * The one way every protocol validator works: read the input (size first, then JSON), require
 * an object with a string `type`, pick the schema of that `type`, check the protocol version
 * where the handshake carries one, run the schema.
 */
import type * as v from 'valibot';
import { PROTOCOL_VERSION } from '../wire-protocol.ts';
import { frameDepthPath, readJsonInput, tooDeep } from './json.ts';
import {
  contextOf,
  cut,
  type IssueContext,
  invalid,
  thrownMessage,
  type ValidationResult,
} from './result.ts';
import { runFrameSchema, runSchema } from './run.ts';

/** An object schema whose `type` entry is a literal. */
export type TypedObjectSchema = v.GenericSchema & {
  readonly entries: { readonly type: { readonly literal: string } };
};

/** How one protocol's messages are told apart and named in messages. */
export interface FrameProtocol {
  /** "client frame", "runtime message", … */
  readonly label: string;
  readonly schemas: ReadonlyMap<string, v.GenericSchema>;
  /** `type`s that carry `protocolVersion` (the handshake frames). */
  readonly versioned: ReadonlySet<string>;
}

/** Indexes object schemas by the literal of their `type` entry. */
export function protocol(
  label: string,
  schemas: readonly TypedObjectSchema[],
  versioned: readonly string[] = [],
): FrameProtocol {
  const map = new Map<string, v.GenericSchema>();
  for (const schema of schemas) map.set(schema.entries.type.literal, schema);
  return { label, schemas: map, versioned: new Set(versioned) };
}

/** Error codes of a message that cannot be read at all. */
export const READ_CODES = {
  tooLarge: 'FRAME_TOO_LARGE',
  invalidJson: 'INVALID_JSON',
  notJson: 'INVALID_FRAME',
} as const;

/** Validates one message of `proto`; never throws. */
export function validateFrame<T>(
  proto: FrameProtocol,
  input: unknown,
  maxBytes: number,
): ValidationResult<T> {
  let context: IssueContext = {};
  try {
    const read = readJsonInput(input, maxBytes, proto.label, READ_CODES, false);
    if (!read.ok) {
      context = safeContext(input);
      return invalid(read.code, read.path, read.message, context);
    }
    if (read.deepPossible) {
      // Judged here rather than by the reader, so that the refusal names the frame's `seq`.
      const deep = frameDepthPath(read.value);
      if (deep !== undefined) {
        const issue = tooDeep(proto.label, deep, READ_CODES);
        if (!issue.ok) {
          return invalid(issue.code, issue.path, issue.message, safeContext(read.value));
        }
      }
    }
    return validateFrameValue<T>(proto, read.value);
  } catch (error) {
    const message = `${proto.label} could not be read: ${thrownMessage(error)}`;
    return invalid('INVALID_FRAME', '', message, context);
  }
}

/**
 * Validates a value already read from JSON (an element of a batch, or a frame the caller just
 * serialized itself): object shape, `type`, protocol version, schema. Never throws.
 */
export function validateFrameValue<T>(proto: FrameProtocol, value: unknown): ValidationResult<T> {
  let context: IssueContext = {};
  try {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return invalid('INVALID_FRAME', '', `${proto.label} must be a JSON object`);
    }
    const type = (value as { type?: unknown }).type;
    if (typeof type !== 'string') {
      const what = type === undefined ? 'has no "type"' : '"type" must be a string';
      return invalid('INVALID_FRAME', 'type', `${proto.label} ${what}`, contextOf(value));
    }
    const schema = proto.schemas.get(type);
    if (schema === undefined) {
      const message = `${proto.label} has an unknown type "${cut(type, 64)}"`;
      return invalid('UNKNOWN_TYPE', 'type', message, contextOf(value));
    }
    if (!proto.versioned.has(type)) {
      // The hot path (every frame of a batch): the label and the context of an issue are only
      // worked out when there is one.
      return runFrameSchema<T>(schema, value, proto.label, type);
    }
    context = contextOf(value);
    const label = `${proto.label} "${type}"`;
    const version = (value as { protocolVersion?: unknown }).protocolVersion;
    if (typeof version === 'number' && version !== PROTOCOL_VERSION) {
      return invalid(
        'PROTOCOL_VERSION_MISMATCH',
        'protocolVersion',
        `${label} speaks protocol version ${version}, but this side speaks ${PROTOCOL_VERSION}: ` +
          'update @spindle/host-bridge and @spindle/bun-host to the same release and reload the page',
        context,
      );
    }
    return runSchema<T>(schema, value, 'INVALID_FRAME', label, context);
  } catch (error) {
    const message = `${proto.label} could not be read: ${thrownMessage(error)}`;
    return invalid('INVALID_FRAME', '', message, { ...safeContext(value), ...context });
  }
}

/** `contextOf` for an input that may be anything, including a hostile object. */
function safeContext(input: unknown): IssueContext {
  try {
    return typeof input === 'object' && !ArrayBuffer.isView(input) ? contextOf(input) : {};
  } catch {
    return {};
  }
}
