/**
 * What the host does with one of its own messages to a runtime that JSON cannot write (the
 * batcher refuses it alone): a request's answer is replaced by an error answer, so that the
 * runtime's promise settles instead of waiting forever; anything else is only reported.
 */
import { type HostToWorker, SpindleError, serializeError } from '@spindle/types';

/** The error `response` that stands in for an unwritable `response`, or `undefined`. */
export function replacementFor(message: HostToWorker, reason: string): HostToWorker | undefined {
  if (message.type !== 'response' || message.error !== undefined) return undefined;
  return {
    type: 'response',
    requestId: message.requestId,
    error: serializeError(
      new SpindleError('INTERNAL', `the host's answer cannot be sent as JSON (${reason})`),
    ),
  };
}

/**
 * The channel option that reports an unwritable message through `warn` and sends the
 * replacement of a `response` through `send` (called later, once the channel exists).
 */
export function reportUnwritable(
  warn: (message: string) => void,
  send: (message: HostToWorker) => void,
): (message: HostToWorker, reason: string) => void {
  return (message, reason) => {
    warn(
      `a ${message.type} message to the runtime was dropped: it cannot be sent as JSON (${reason})`,
    );
    const replacement = replacementFor(message, reason);
    if (replacement) send(replacement);
  };
}
