/**
 * A recording `WireSocket` and a `WireConnection` over it, with the real hub and validator, for
 * the fake-timer tests of the server edge.
 */
import type { ServerFrame } from '@spindle/types';
import { systemClock } from '../../src/frontend/clock.ts';
import { FrontendHub, type FrontendHubOptions } from '../../src/frontend/hub.ts';
import {
  type ConnectionSettings,
  WireConnection,
  type WireSocket,
} from '../../src/server/connection.ts';
import { createWireCounters } from '../../src/server/counters.ts';

/** Records what the connection sends; `buffered` plays the socket's queue. */
export class FakeSocket implements WireSocket {
  /** Frames sent, batches unpacked. */
  frames: ServerFrame[] = [];
  /** Messages sent, each as its frames. */
  messages: ServerFrame[][] = [];
  closes: Array<{ code: number; reason: string }> = [];
  terminated = 0;
  pings = 0;
  buffered = 0;
  /** Texts sent, as they were. */
  texts: string[] = [];
  send(text: string): number {
    this.texts.push(text);
    const message = JSON.parse(text) as ServerFrame | ServerFrame[];
    const frames = Array.isArray(message) ? message : [message];
    this.messages.push(frames);
    this.frames.push(...frames);
    return text.length;
  }
  close(code: number, reason: string): void {
    this.closes.push({ code, reason });
  }
  terminate(): void {
    this.terminated += 1;
  }
  ping(): void {
    this.pings += 1;
  }
  bufferedAmount(): number {
    return this.buffered;
  }
}

/** A connection over a `FakeSocket`; the hub's session id is `s-1`. */
export function setup(
  overrides: Partial<ConnectionSettings> = {},
  hubOptions: FrontendHubOptions = {},
) {
  const socket = new FakeSocket();
  const hub = new FrontendHub({ createSessionId: () => 's-1', ...hubOptions });
  const reported: unknown[] = [];
  const settings: ConnectionSettings = {
    hub,
    authenticate: (token) => (token === 'good' ? { userId: 'alice' } : null),
    listExtensions: () => [],
    limits: { maxFrameBytes: 4096, maxFramesPerSecond: 1000 },
    handshakeTimeoutMs: 5000,
    maxBufferedBytes: 1000,
    stallTimeoutMs: 2000,
    rateLimitCloseAfterMs: 3000,
    clock: systemClock,
    counters: createWireCounters(),
    reportError: (error) => reported.push(error),
    ...overrides,
  };
  const connection = new WireConnection(socket, settings);
  return { socket, hub, connection, settings, reported };
}
