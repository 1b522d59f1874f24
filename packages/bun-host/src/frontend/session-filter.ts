/** Session filters of `FrontendGateway` lookups, and the error frames the hub answers with. */
import type { ErrorFrame, SpindleErrorCode } from '@spindle/types';
import type { FrontendSessionFilter } from './gateway.ts';
import type { HubSession } from './session.ts';

/** Whether a live session matches `filter` (detached ones included unless excluded). */
export function matches(session: HubSession, filter: FrontendSessionFilter | undefined): boolean {
  if (session.state === 'closed') return false;
  if (!filter) return true;
  if (filter.userId !== undefined && session.userId !== filter.userId) return false;
  if (filter.extensionId !== undefined && !session.mounted.has(filter.extensionId)) return false;
  if (filter.adminOnly && !session.isAdmin) return false;
  if (filter.includeDetached === false && session.state !== 'connected') return false;
  return true;
}

/** An `error` frame naming the offending frame's `seq` and `type` when it had them. */
export function errorFrame(
  code: SpindleErrorCode,
  message: string,
  offending: { type?: string; seq?: number },
): ErrorFrame {
  const frame: ErrorFrame = { type: 'error', code, message: `[spindle] ${message}` };
  if (offending.seq !== undefined) frame.seq = offending.seq;
  if (offending.type !== undefined) frame.frameType = offending.type;
  return frame;
}
