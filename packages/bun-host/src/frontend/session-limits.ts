/**
 * Caps on the number of frontend sessions, per user and in total: every session holds a replay
 * buffer and timers, so an authenticated client must not open them without end. A new session
 * past a cap takes the place of the same user's (or, for the total, anyone's) least recently
 * active detached session; when every session in the way is connected, it is refused.
 */
import { WIRE_CLOSE_CODES } from '@spindle/types';
import type { OpenSessionResult } from './hub-types.ts';
import type { HubSession } from './session.ts';

/** The caps. */
export interface SessionCaps {
  /** Sessions at once, detached (resumable) ones included. @default 4096 */
  maxSessions: number;
  /** Sessions of one user at once, detached ones included. @default 64 */
  maxSessionsPerUser: number;
}

/** Default `SessionCaps`. */
export const DEFAULT_SESSION_CAPS: Readonly<SessionCaps> = Object.freeze({
  maxSessions: 4096,
  maxSessionsPerUser: 64,
});

/** What a new session needs: detached sessions to end first, or why it is refused. */
export type Room = { ok: true; evict: HubSession[] } | { ok: false; reason: string };

/** Makes room for a new session of `userId` among `sessions` (see the module comment). */
export function roomFor(userId: string, sessions: Iterable<HubSession>, caps: SessionCaps): Room {
  let total = 0;
  let mine = 0;
  const myDetached: HubSession[] = [];
  const othersDetached: HubSession[] = [];
  for (const session of sessions) {
    if (session.state === 'closed') continue;
    total += 1;
    const own = session.userId === userId;
    if (own) mine += 1;
    if (session.state === 'detached') (own ? myDetached : othersDetached).push(session);
  }
  const oldestFirst = (a: HubSession, b: HubSession) => a.lastActiveAt - b.lastActiveAt;
  myDetached.sort(oldestFirst);
  const evict: HubSession[] = [];
  const userExcess = mine + 1 - caps.maxSessionsPerUser;
  if (userExcess > 0) {
    if (myDetached.length < userExcess) {
      return {
        ok: false,
        reason: `user ${userId} already has ${mine} open sessions (maxSessionsPerUser ${caps.maxSessionsPerUser}): close a tab or try again later`,
      };
    }
    evict.push(...myDetached.splice(0, userExcess));
  }
  const totalExcess = total - evict.length + 1 - caps.maxSessions;
  if (totalExcess > 0) {
    const candidates = [...myDetached, ...othersDetached].sort(oldestFirst);
    if (candidates.length < totalExcess) {
      return {
        ok: false,
        reason: `the host already has ${total} open sessions (maxSessions ${caps.maxSessions}): try again later`,
      };
    }
    evict.push(...candidates.slice(0, totalExcess));
  }
  return { ok: true, evict };
}

/** Why a detached session was ended to make room (its close reason). */
export const EVICTED = 'ended to make room for a newer session of the same user or host';

/** The refusal of a new session past a cap: `SESSION_LIMIT`, close code 4010. */
export function sessionLimitRefusal(reason: string): OpenSessionResult {
  return { ok: false, closeCode: WIRE_CLOSE_CODES.SESSION_LIMIT, code: 'SESSION_LIMIT', reason };
}
