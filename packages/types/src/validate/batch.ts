/**
 * Reading one WebSocket message of the browser ↔ host protocol, which carries one frame or a
 * batch of frames (a JSON array, `wire-protocol.ts`). The message as a whole is held to
 * `maxBytes` and read once; each frame of a batch is then validated on its own, so one bad
 * frame is refused with its own `seq` while the frames around it are accepted.
 */
import { MAX_BATCH_FRAMES } from '../wire-protocol.ts';
import { type FrameProtocol, READ_CODES, validateFrameValue } from './frame.ts';
import { frameDepthPath, readJsonInput, tooDeep } from './json.ts';
import {
  contextOf,
  invalid,
  thrownMessage,
  type ValidationIssue,
  type ValidationResult,
} from './result.ts';

/** A message read: its frames, each valid or refused, in order; or why it could not be read. */
export type MessageResult<T> =
  | {
      ok: true;
      /** One result per frame, in the order they were sent. */
      frames: ValidationResult<T>[];
      /** True when the message was a batch (a JSON array), even of one frame. */
      batched: boolean;
    }
  | { ok: false; error: ValidationIssue };

/** Reads one message of `proto` (a frame or a batch of frames); never throws. */
export function validateMessage<T>(
  proto: FrameProtocol,
  input: unknown,
  maxBytes: number,
): MessageResult<T> {
  let value: unknown;
  let deepPossible: boolean;
  try {
    // Depth is judged frame by frame below, so that one frame nested too deep is refused alone.
    const read = readJsonInput(input, maxBytes, proto.label, READ_CODES, false);
    if (!read.ok) return failed(invalid(read.code, read.path, read.message));
    value = read.value;
    deepPossible = read.deepPossible === true;
  } catch (error) {
    return failed(
      invalid('INVALID_FRAME', '', `${proto.label} could not be read: ${thrownMessage(error)}`),
    );
  }
  if (!Array.isArray(value)) {
    return { ok: true, frames: [readFrame<T>(proto, value, deepPossible)], batched: false };
  }
  if (value.length === 0) {
    return failed(invalid('INVALID_FRAME', '', `a batch of ${proto.label}s must not be empty`));
  }
  if (value.length > MAX_BATCH_FRAMES) {
    return failed(
      invalid(
        'INVALID_FRAME',
        '',
        `a batch holds at most ${MAX_BATCH_FRAMES} ${proto.label}s, this one ${value.length}: split it`,
      ),
    );
  }
  const frames: ValidationResult<T>[] = new Array(value.length);
  for (let i = 0; i < value.length; i += 1) {
    frames[i] = readFrame<T>(proto, value[i], deepPossible);
  }
  return { ok: true, frames, batched: true };
}

/**
 * One frame of a message. A frame parsed here from a text long enough to nest past
 * `MAX_JSON_DEPTH` is held to it first (an already-parsed input was walked, depth included, by
 * `readJsonInput`; a shorter text cannot nest that deep).
 */
function readFrame<T>(
  proto: FrameProtocol,
  value: unknown,
  deepPossible: boolean,
): ValidationResult<T> {
  if (deepPossible) {
    const deep = frameDepthPath(value);
    if (deep !== undefined) {
      const issue = tooDeep(proto.label, deep, READ_CODES);
      if (!issue.ok) return invalid(issue.code, issue.path, issue.message, safeContext(value));
    }
  }
  return validateFrameValue<T>(proto, value);
}

function safeContext(value: unknown) {
  try {
    return contextOf(value);
  } catch {
    return {};
  }
}

function failed<T>(result: ValidationResult<T>): MessageResult<T> {
  // `invalid` always builds the failed variant.
  return result as Extract<ValidationResult<T>, { ok: false }>;
}
