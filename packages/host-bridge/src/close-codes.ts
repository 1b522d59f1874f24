/** What the bridge does after a socket closes, by close code. */
import { WIRE_CLOSE_CODES } from '@spindle/types';

/**
 * - `fail`: give up (the token or the protocol version was refused; retrying cannot help).
 * - `new_session`: reconnect, but the session cannot be resumed.
 * - `resume`: reconnect and resume the session.
 */
export type CloseAction = 'fail' | 'new_session' | 'resume';

/** Maps a host close code to the bridge's reaction. */
export function closeAction(code: number): CloseAction {
  switch (code) {
    case WIRE_CLOSE_CODES.UNAUTHORIZED:
    case WIRE_CLOSE_CODES.PROTOCOL_VERSION_MISMATCH:
      return 'fail';
    case WIRE_CLOSE_CODES.SESSION_UNKNOWN:
    // Another connection holds our session id; taking it back would start a tug of war.
    case WIRE_CLOSE_CODES.SESSION_TAKEN_OVER:
      return 'new_session';
    default:
      return 'resume';
  }
}
