/** Test helpers for the hub: a recording connection and a hub on the fake clock. */
import type { ClientFrame, ServerFrame } from '@spindle/types';
import {
  FrontendHub,
  type FrontendHubOptions,
  type SessionConnection,
} from '../../src/frontend/hub.ts';

/** Frames one fake connection received, and how the hub closed it. */
export interface RecordingConnection {
  frames: ServerFrame[];
  closed: { code: number; reason: string } | undefined;
  connection: SessionConnection;
  sessionId: string;
  /** Sends a sequenced uplink or control frame. */
  send(frame: ClientFrame): void;
  /** Frames of one type. */
  ofType<T extends ServerFrame['type']>(type: T): Array<Extract<ServerFrame, { type: T }>>;
}

/**
 * A hub with test-friendly defaults (one known, enabled extension `ext_a`; acks at the end of
 * each received message, `ackDelayMs: 0`, so a test sees them at once).
 */
export function makeHub(options: FrontendHubOptions = {}): FrontendHub {
  let n = 0;
  return new FrontendHub({
    ackDelayMs: 0,
    createSessionId: () => `s-${++n}`,
    extensionExists: (id) => id === 'ext_a' || id === 'ext_off',
    isEnabled: (id) => id === 'ext_a',
    reportError: (error) => {
      throw error;
    },
    ...options,
  });
}

/** Opens (or resumes) a session and records what reaches its sink. */
export function connect(
  hub: FrontendHub,
  request: {
    userId?: string;
    isAdmin?: boolean;
    resumeSessionId?: string;
    lastServerSeq?: number;
  } = {},
): RecordingConnection {
  const frames: ServerFrame[] = [];
  const record: Partial<RecordingConnection> = { frames, closed: undefined };
  const result = hub.open(
    { userId: 'alice', ...request },
    (frame) => {
      frames.push(frame);
    },
    {
      close: (code, reason) => {
        record.closed = { code, reason };
      },
    },
  );
  if (!result.ok) throw new Error(`open refused: ${result.reason}`);
  record.connection = result.connection;
  record.sessionId = result.sessionId;
  // Each frame as its own WebSocket message, as the server hands them over.
  record.send = (frame) => result.connection.message(() => result.connection.receive(frame));
  record.ofType = ((type: string) =>
    frames.filter((f) => f.type === type)) as RecordingConnection['ofType'];
  return record as RecordingConnection;
}
