/**
 * Who may send what: the checks a sequenced uplink passes before the host acts on it. A refused
 * frame is still acknowledged (the client must not replay it) and answered with an error frame.
 */
import type { FrontendUplink, SpindleErrorCode } from '@spindle/types';
import type { FrontendSessionInfo } from './gateway.ts';

/** A refusal, sent to the client as an `error` frame. */
export interface UplinkRefusal {
  code: SpindleErrorCode;
  message: string;
}

/**
 * Answer of `authorizeProcessFrame`: `true` allows; `false` refuses with `FORBIDDEN`; an
 * `UplinkRefusal` refuses with its own code (for example `PROCESS_NOT_FOUND`).
 */
export type ProcessAuthorization = boolean | UplinkRefusal;

/** Process uplinks: the ones naming a `processId`. */
export type ProcessUplink = Extract<FrontendUplink, { processId: string }>;

/** What the checks need to know about extensions and processes. */
export interface AuthorityPolicy {
  extensionExists(extensionId: string): boolean;
  isEnabled(extensionId: string): boolean;
  authorizeProcessFrame(
    session: FrontendSessionInfo,
    processId: string,
    message: ProcessUplink,
  ): ProcessAuthorization;
}

/** Returns the reason `message` is refused for `session`, or `undefined` when it may pass. */
export function checkUplink(
  policy: AuthorityPolicy,
  session: FrontendSessionInfo,
  message: FrontendUplink,
): UplinkRefusal | undefined {
  switch (message.type) {
    case 'extension_mounted':
      return checkExtension(policy, message.extensionId);
    case 'extension_unmounted':
      return undefined;
    case 'backend_message': {
      const refusal = checkExtension(policy, message.extensionId);
      if (refusal) return refusal;
      if (!session.mountedExtensions.has(message.extensionId)) {
        return {
          code: 'FORBIDDEN',
          message: `extension "${message.extensionId}" is not mounted in session ${session.sessionId}: send extension_mounted first`,
        };
      }
      return undefined;
    }
    case 'process_ready':
    case 'process_heartbeat':
    case 'process_message':
    case 'process_ended':
      return checkProcess(policy, session, message);
    case 'subscribe_stats':
      return session.isAdmin
        ? undefined
        : { code: 'FORBIDDEN', message: 'runtime stats are for admin sessions only' };
  }
}

function checkExtension(policy: AuthorityPolicy, extensionId: string): UplinkRefusal | undefined {
  if (!policy.extensionExists(extensionId)) {
    return { code: 'EXTENSION_NOT_FOUND', message: `extension "${extensionId}" does not exist` };
  }
  if (!policy.isEnabled(extensionId)) {
    return { code: 'EXTENSION_INACTIVE', message: `extension "${extensionId}" is not enabled` };
  }
  return undefined;
}

function checkProcess(
  policy: AuthorityPolicy,
  session: FrontendSessionInfo,
  message: ProcessUplink,
): UplinkRefusal | undefined {
  let verdict: ProcessAuthorization;
  try {
    verdict = policy.authorizeProcessFrame(session, message.processId, message);
  } catch {
    // A failing hook must not open the door.
    verdict = false;
  }
  if (verdict === true) return undefined;
  if (verdict === false) {
    return {
      code: 'FORBIDDEN',
      message: `process ${message.processId} does not belong to session ${session.sessionId}`,
    };
  }
  return verdict;
}
