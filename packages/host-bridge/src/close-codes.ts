/** What the bridge does after a socket closes, by close code, and how it words a refusal. */
import { PROTOCOL_VERSION, WIRE_CLOSE_CODES } from '@spindle/types';
import type { BridgeFailure } from './options.ts';

/**
 * - `fail`: give up (the token or the protocol version was refused; retrying cannot help).
 * - `new_session`: reconnect, but the session cannot be resumed.
 * - `resume`: reconnect and resume the session.
 */
export type CloseAction = 'fail' | 'new_session' | 'resume';

/** Maps a close code to the bridge's reaction. */
export function closeAction(code: number): CloseAction {
  switch (code) {
    case WIRE_CLOSE_CODES.UNAUTHORIZED:
    case WIRE_CLOSE_CODES.PROTOCOL_VERSION_MISMATCH:
      return 'fail';
    case WIRE_CLOSE_CODES.SESSION_UNKNOWN:
    // The host ended the session for leaving too much unacknowledged: it cannot be resumed.
    case WIRE_CLOSE_CODES.SESSION_OVERFLOW:
    // Another connection holds our session id; taking it back would start a tug of war.
    case WIRE_CLOSE_CODES.SESSION_TAKEN_OVER:
      return 'new_session';
    default:
      return 'resume';
  }
}

/** The failure for a refusal, from a close code (`closeReason` given) or an `error` frame. */
export function failureFor(refusal: number | BridgeFailure['code'], detail: string): BridgeFailure {
  const mismatch =
    refusal === WIRE_CLOSE_CODES.PROTOCOL_VERSION_MISMATCH ||
    refusal === 'PROTOCOL_VERSION_MISMATCH';
  const said = detail ? ` (${detail})` : '';
  const failure: BridgeFailure = mismatch
    ? {
        code: 'PROTOCOL_VERSION_MISMATCH',
        message: `the host refused protocol version ${PROTOCOL_VERSION}${said}: reload the page to get a matching version`,
      }
    : { code: 'UNAUTHORIZED', message: `the host refused the token${said}: sign in again` };
  if (typeof refusal === 'number') {
    failure.closeCode = refusal;
    failure.closeReason = detail;
  }
  return failure;
}
