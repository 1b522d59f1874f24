/**
 * Where a frontend process runs: exactly one frontend session of the target user (never a copy
 * in every tab of the user). An explicit `frontendSessionId` wins; otherwise the most recently active
 * connected session that has the extension mounted.
 */
import { SpindleError } from '@spindle/types';
import type { FrontendGateway, FrontendSessionInfo } from '../../frontend/gateway.ts';

/** What routing needs to know of a spawn. */
export interface RouteRequest {
  extensionId: string;
  /** Target user, when the caller named or implied one. */
  userId: string | undefined;
  frontendSessionId: string | undefined;
}

/** Picks the session, or throws `NO_FRONTEND_SESSION` / `FORBIDDEN` / `INVALID_OPTIONS`. */
export function routeSpawn(
  gateway: FrontendGateway | undefined,
  request: RouteRequest,
): FrontendSessionInfo {
  const { extensionId, userId, frontendSessionId } = request;
  if (gateway === undefined) {
    throw new SpindleError('NO_FRONTEND_SESSION', 'this host has no frontend sessions', {
      details: { extensionId },
    });
  }
  if (frontendSessionId !== undefined) {
    const session = gateway.getSession(frontendSessionId);
    if (session === undefined) {
      throw new SpindleError(
        'NO_FRONTEND_SESSION',
        `frontend session ${frontendSessionId} does not exist`,
        { details: { extensionId, frontendSessionId } },
      );
    }
    if (userId !== undefined && session.userId !== userId) {
      throw new SpindleError(
        'FORBIDDEN',
        `frontend session ${frontendSessionId} does not belong to user ${userId}`,
        { details: { extensionId, frontendSessionId, userId } },
      );
    }
    if (!session.mountedExtensions.has(extensionId)) {
      throw new SpindleError(
        'NO_FRONTEND_SESSION',
        `frontend session ${frontendSessionId} does not have extension ${extensionId} mounted`,
        { details: { extensionId, frontendSessionId } },
      );
    }
    return session;
  }
  if (userId === undefined) {
    throw new SpindleError(
      'INVALID_OPTIONS',
      'an operator-scoped extension must name userId or frontendSessionId to spawn a frontend process',
      { details: { extensionId } },
    );
  }
  const [session] = gateway.listSessions({ userId, extensionId, includeDetached: false });
  if (session === undefined) {
    throw new SpindleError(
      'NO_FRONTEND_SESSION',
      `user ${userId} has no connected frontend session with extension ${extensionId} mounted`,
      { details: { extensionId, userId } },
    );
  }
  return session;
}
