/**
 * Checks a downlink before it takes a `seq`: the extension describer is applied, and it must be
 * JSON and fit `maxFrameBytes`, since a browser could never acknowledge a frame it refuses.
 */
import { type ExtensionInfoDTO, type FrontendDownlink, SpindleError } from '@spindle/types';

/** Upper bound of `,"seq":<n>` in a serialized frame. */
const SEQ_FIELD_BYTES = 32;

/** A downlink ready to send, with its JSON text (without `seq`). */
export interface PreparedDownlink {
  message: FrontendDownlink;
  json: string;
}

/** Outcome of `prepareDownlink`: the prepared message, and/or an error to report. */
export interface PrepareResult {
  prepared?: PreparedDownlink;
  error?: unknown;
}

/** Applies `describe` to `extension_state` downlinks and checks serializability and size. */
export function prepareDownlink(
  message: FrontendDownlink,
  describe: ((info: ExtensionInfoDTO) => ExtensionInfoDTO) | undefined,
  maxFrameBytes: number,
): PrepareResult {
  let prepared = message;
  let describeError: unknown;
  if (message.type === 'extension_state' && describe) {
    try {
      prepared = { ...message, extension: describe(message.extension) };
    } catch (error) {
      // Sent undescribed: the state change matters more than its bundle URL.
      describeError = error;
    }
  }
  let json: string;
  try {
    json = JSON.stringify(prepared);
  } catch (cause) {
    return {
      error: new SpindleError(
        'INVALID_FRAME',
        `${message.type} downlink is not JSON-serializable`,
        {
          cause,
        },
      ),
    };
  }
  const bytes = Buffer.byteLength(json);
  if (bytes + SEQ_FIELD_BYTES > maxFrameBytes) {
    return {
      error: new SpindleError(
        'FRAME_TOO_LARGE',
        `${message.type} downlink of ${bytes} bytes exceeds maxFrameBytes (${maxFrameBytes})`,
        { details: { type: message.type, bytes } },
      ),
    };
  }
  return describeError === undefined
    ? { prepared: { message: prepared, json } }
    : { prepared: { message: prepared, json }, error: describeError };
}
