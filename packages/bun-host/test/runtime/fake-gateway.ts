/**
 * An in-process `FrontendGateway` for runtime tests: sessions are plain records, every downlink
 * is recorded, and `sendToBackend` is simulated by emitting an `uplink` event.
 */
import type { FrontendDownlink } from '@spindle/types';
import mitt from 'mitt';
import type {
  FrontendGateway,
  FrontendGatewayEvents,
  FrontendSessionFilter,
  FrontendSessionInfo,
} from '../../src/frontend/gateway.ts';

/** One downlink the gateway delivered. */
export interface Delivered {
  sessionId: string;
  message: FrontendDownlink;
}

/** A gateway with sessions the test opens itself. */
export class FakeGateway implements FrontendGateway {
  readonly events = mitt<FrontendGatewayEvents>();
  readonly delivered: Delivered[] = [];
  readonly #sessions = new Map<string, FrontendSessionInfo>();
  readonly #waiters = new Set<() => void>();
  #clock = 0;

  /** Opens a session of `userId` with `extensions` mounted. */
  open(
    sessionId: string,
    userId: string,
    extensions: string[],
    options: { isAdmin?: boolean } = {},
  ): FrontendSessionInfo {
    const session: FrontendSessionInfo = {
      sessionId,
      userId,
      isAdmin: options.isAdmin ?? false,
      mountedExtensions: new Set(extensions),
      lastActiveAt: ++this.#clock,
      connected: true,
    };
    this.#sessions.set(sessionId, session);
    this.events.emit('session_opened', session);
    return session;
  }

  /** The session calls `ctx.sendToBackend(payload)` for `extensionId`. */
  sendToBackend(sessionId: string, extensionId: string, payload: unknown): void {
    const session = this.#sessions.get(sessionId);
    if (!session) throw new Error(`no session ${sessionId}`);
    this.events.emit('uplink', {
      session,
      message: { type: 'backend_message', extensionId, payload },
    });
  }

  send(sessionId: string, message: FrontendDownlink): boolean {
    if (!this.#sessions.has(sessionId)) return false;
    this.delivered.push({ sessionId, message });
    for (const wake of [...this.#waiters]) wake();
    return true;
  }

  broadcast(message: FrontendDownlink, filter?: FrontendSessionFilter): number {
    const sessions = this.listSessions(filter);
    for (const session of sessions) this.send(session.sessionId, message);
    return sessions.length;
  }

  getSession(sessionId: string): FrontendSessionInfo | undefined {
    return this.#sessions.get(sessionId);
  }

  listSessions(filter: FrontendSessionFilter = {}): FrontendSessionInfo[] {
    return [...this.#sessions.values()]
      .filter((s) => filter.userId === undefined || s.userId === filter.userId)
      .filter(
        (s) => filter.extensionId === undefined || s.mountedExtensions.has(filter.extensionId),
      )
      .filter((s) => !filter.adminOnly || s.isAdmin)
      .sort((a, b) => b.lastActiveAt - a.lastActiveAt);
  }

  /** The session ends for good (`session_closed`, as a hub reports it after forgetting it). */
  close(sessionId: string): void {
    const session = this.#sessions.get(sessionId);
    if (!session) return;
    this.#sessions.delete(sessionId);
    this.events.emit('session_closed', session);
  }

  /** `backend_message` payloads delivered to `sessionId`. */
  backendMessages(sessionId: string): unknown[] {
    return this.delivered
      .filter((d) => d.sessionId === sessionId && d.message.type === 'backend_message')
      .map((d) => (d.message as { payload: unknown }).payload);
  }

  /** Resolves with the first delivered downlink matching `predicate` (past ones included). */
  waitFor(predicate: (d: Delivered) => boolean, timeoutMs = 10_000): Promise<Delivered> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.delivered.find(predicate);
        if (!found) return false;
        this.#waiters.delete(check);
        clearTimeout(timer);
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error('no matching downlink in time'));
      }, timeoutMs);
      if (!check()) this.#waiters.add(check);
    });
  }
}
