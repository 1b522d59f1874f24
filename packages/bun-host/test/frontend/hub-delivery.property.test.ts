/**
 * Exactly-once delivery under random interleavings: two clients, each over a lossy connection
 * (frames still on the wire are lost when it drops), sending, reading, acking, disconnecting,
 * resuming and replaying duplicates. After everything settles each session's client has
 * processed every downlink exactly once and in order, and the hub has emitted every uplink
 * exactly once and in order.
 */
import type { ClientFrame, FrontendUplink, ServerFrame } from '@spindle/types';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FrontendHub, SessionConnection } from '../../src/frontend/hub.ts';
import { makeHub } from './harness.ts';

type Action =
  | { kind: 'hostSend'; client: number }
  | { kind: 'clientSend'; client: number }
  | { kind: 'read'; client: number; count: number }
  | { kind: 'flushUp'; client: number; count: number }
  | { kind: 'ack'; client: number }
  | { kind: 'drop'; client: number }
  | { kind: 'resume'; client: number }
  | { kind: 'replayAll'; client: number }
  | { kind: 'congest'; client: number }
  | { kind: 'drain'; client: number }
  | { kind: 'tick'; ms: number };

/** A client that behaves like the browser bridge, over a connection that loses its wires. */
class SimClient {
  readonly processedDown: number[] = [];
  lastServerSeq = 0;
  nextClientSeq = 1;
  unacked: Array<FrontendUplink & { seq: number }> = [];
  downWire: ServerFrame[] = [];
  upWire: ClientFrame[] = [];
  connection: SessionConnection | undefined;
  welcomed = false;
  /** The next frame handed to the sink reports congestion. */
  congestNext = false;
  sessionId = '';
  errors: ServerFrame[] = [];

  constructor(
    readonly hub: FrontendHub,
    readonly userId: string,
  ) {
    this.attach(undefined);
  }

  attach(resumeSessionId: string | undefined): void {
    const wire: ServerFrame[] = [];
    this.downWire = wire;
    this.upWire = [];
    this.welcomed = false;
    const result = this.hub.open(
      { userId: this.userId, resumeSessionId, lastServerSeq: this.lastServerSeq },
      (frame) => {
        wire.push(frame);
        if (!this.congestNext) return true;
        this.congestNext = false;
        return false;
      },
    );
    if (!result.ok) throw new Error(result.reason);
    this.connection = result.connection;
    this.sessionId = result.sessionId;
  }

  send(message: FrontendUplink): void {
    const frame = { ...message, seq: this.nextClientSeq++ };
    this.unacked.push(frame);
    if (this.connection && this.welcomed) this.upWire.push(frame);
  }

  read(count: number): void {
    for (let i = 0; i < count && this.downWire.length > 0; i++) {
      const frame = this.downWire.shift()!;
      switch (frame.type) {
        case 'welcome':
          this.welcomed = true;
          // welcome.lastClientSeq acknowledges everything up to it (its ack may have been lost).
          this.unacked = this.unacked.filter((f) => f.seq > frame.lastClientSeq);
          this.upWire.push(...this.unacked);
          break;
        case 'ack':
          this.unacked = this.unacked.filter((f) => f.seq > frame.seq);
          break;
        case 'backend_message':
          // No client-side dedupe: the property is that none is needed.
          expect(frame.seq).toBe(this.lastServerSeq + 1);
          this.lastServerSeq = frame.seq;
          this.processedDown.push(frame.payload as number);
          break;
        case 'error':
          this.errors.push(frame);
          break;
        default:
          break;
      }
    }
  }

  flushUp(count: number): void {
    for (let i = 0; i < count && this.upWire.length > 0 && this.connection; i++) {
      this.connection.receive(this.upWire.shift()!);
    }
  }

  drop(): void {
    this.connection?.detach();
    this.connection = undefined;
    this.downWire = [];
    this.upWire = [];
  }
}

const client = fc.integer({ min: 0, max: 1 });
const actionArb: fc.Arbitrary<Action> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('hostSend' as const), client }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('clientSend' as const), client }), weight: 4 },
  {
    arbitrary: fc.record({
      kind: fc.constant('read' as const),
      client,
      count: fc.integer({ min: 1, max: 5 }),
    }),
    weight: 4,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('flushUp' as const),
      client,
      count: fc.integer({ min: 1, max: 5 }),
    }),
    weight: 4,
  },
  { arbitrary: fc.record({ kind: fc.constant('ack' as const), client }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('drop' as const), client }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('resume' as const), client }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('replayAll' as const), client }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('congest' as const), client }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('drain' as const), client }), weight: 2 },
  {
    arbitrary: fc.record({
      kind: fc.constant('tick' as const),
      ms: fc.integer({ min: 0, max: 2000 }),
    }),
    weight: 1,
  },
);

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('FrontendHub exactly-once delivery', () => {
  it.each([0, 5])(
    'holds for random interleavings of send, ack, drop, resume and duplicate replays (ackDelayMs %i)',
    (ackDelayMs) => {
      fc.assert(
        fc.property(fc.array(actionArb, { maxLength: 120 }), (actions) => {
          const hub = makeHub({
            ackDelayMs,
            limits: { resumeGraceMs: 1_000_000_000, maxUnackedFrames: 10_000 },
          });
          const emitted = new Map<string, number[]>();
          hub.events.on('uplink', ({ session, message }) => {
            if (message.type !== 'backend_message') return;
            const list = emitted.get(session.sessionId) ?? [];
            list.push(message.payload as number);
            emitted.set(session.sessionId, list);
          });
          const clients = [new SimClient(hub, 'alice'), new SimClient(hub, 'bob')];
          const sentDown = new Map<string, number[]>();
          const sentUp = new Map<string, number[]>();
          let counter = 0;
          for (const c of clients) {
            c.read(1);
            c.send({ type: 'extension_mounted', extensionId: 'ext_a' });
            c.flushUp(1);
          }

          for (const action of actions) {
            if (action.kind === 'tick') {
              vi.advanceTimersByTime(action.ms);
              continue;
            }
            const c = clients[action.client]!;
            switch (action.kind) {
              case 'hostSend': {
                const n = ++counter;
                expect(
                  hub.send(c.sessionId, {
                    type: 'backend_message',
                    extensionId: 'ext_a',
                    payload: n,
                  }),
                ).toBe(true);
                sentDown.set(c.sessionId, [...(sentDown.get(c.sessionId) ?? []), n]);
                break;
              }
              case 'clientSend': {
                const n = ++counter;
                c.send({ type: 'backend_message', extensionId: 'ext_a', payload: n });
                sentUp.set(c.sessionId, [...(sentUp.get(c.sessionId) ?? []), n]);
                break;
              }
              case 'read':
                c.read(action.count);
                break;
              case 'flushUp':
                c.flushUp(action.count);
                break;
              case 'ack':
                if (c.connection && c.welcomed)
                  c.upWire.push({ type: 'ack', seq: c.lastServerSeq });
                break;
              case 'drop':
                c.drop();
                break;
              case 'resume':
                c.drop();
                c.attach(c.sessionId);
                break;
              case 'replayAll':
                if (c.connection && c.welcomed) c.upWire.push(...c.unacked);
                break;
              case 'congest':
                c.congestNext = true;
                break;
              case 'drain':
                c.connection?.drain();
                break;
            }
          }

          for (const c of clients) {
            if (!c.connection) c.attach(c.sessionId);
            c.congestNext = false;
            for (let round = 0; round < 3; round++) {
              vi.advanceTimersByTime(ackDelayMs);
              c.connection?.drain();
              c.read(Number.POSITIVE_INFINITY);
              c.flushUp(Number.POSITIVE_INFINITY);
            }
            expect(c.errors).toEqual([]);
            expect(c.processedDown).toEqual(sentDown.get(c.sessionId) ?? []);
            expect(emitted.get(c.sessionId) ?? []).toEqual(sentUp.get(c.sessionId) ?? []);
            expect(c.unacked).toEqual([]);
            c.upWire.push({ type: 'ack', seq: c.lastServerSeq });
            c.flushUp(1);
            expect(hub.pendingCount(c.sessionId)).toBe(0);
          }
          hub.closeAll();
          expect(vi.getTimerCount()).toBe(0);
        }),
        { numRuns: 300, seed: 20261121 },
      );
    },
  );
});
