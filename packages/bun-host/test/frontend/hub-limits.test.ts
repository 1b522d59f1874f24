/**
 * What a session can make the hub hold: its replay buffer in bytes as well as frames, and the
 * number of sessions per user and in total.
 */
import { type FrontendDownlink, WIRE_CLOSE_CODES } from '@spindle/types';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { OutboundWindow } from '../../src/frontend/reliable-channel.ts';
import { connect, makeHub } from './harness.ts';

const big = (n: number, bytes: number): FrontendDownlink => ({
  type: 'backend_message',
  extensionId: 'ext_a',
  payload: { n, pad: 'x'.repeat(bytes) },
});

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(1_000_000);
});
afterEach(() => {
  vi.useRealTimers();
});

describe('OutboundWindow bytes', () => {
  it('refuses a push past maxBytes and frees the bytes of acked frames', () => {
    const window = new OutboundWindow<{ n: number }>(100, 10);
    expect(window.push({ n: 1 }, 6)?.seq).toBe(1);
    expect(window.push({ n: 2 }, 5)).toBeUndefined();
    expect(window.push({ n: 2 }, 4)?.seq).toBe(2);
    expect(window.bytes).toBe(10);
    window.ack(1);
    expect(window.bytes).toBe(4);
    expect(window.push({ n: 3 }, 6)?.seq).toBe(3);
  });
});

describe('replay buffer in bytes', () => {
  it('ends a session that leaves maxUnackedBytes unacknowledged with SESSION_OVERFLOW', () => {
    const hub = makeHub({ maxUnackedBytes: 2 * 1024 * 1024 });
    const c = connect(hub);
    let sent = 0;
    while (hub.send(c.sessionId, big(sent, 256 * 1024))) sent += 1;
    expect(sent).toBe(7); // the eighth would pass 2 MiB
    expect(c.ofType('error')).toMatchObject([
      { code: 'QUEUE_FULL', message: expect.stringMatching(/maxUnackedBytes 2097152/) },
    ]);
    expect(c.closed).toMatchObject({ code: WIRE_CLOSE_CODES.SESSION_OVERFLOW });
    expect(hub.getSession(c.sessionId)).toBeUndefined();
  });

  it('a session that acks keeps going past the cap in total', () => {
    const hub = makeHub({ maxUnackedBytes: 1024 * 1024 });
    const c = connect(hub);
    for (let n = 1; n <= 40; n++) {
      expect(hub.send(c.sessionId, big(n, 100 * 1024))).toBe(true);
      c.send({ type: 'ack', seq: n });
    }
    expect(c.closed).toBeUndefined();
  });

  it('refuses a cap below maxFrameBytes', () => {
    expect(() => makeHub({ maxUnackedBytes: 1000 })).toThrow(/maxUnackedBytes/);
  });
});

describe('session caps', () => {
  it('a user past maxSessionsPerUser replaces their oldest detached session', () => {
    const hub = makeHub({ maxSessionsPerUser: 2 });
    const closed: string[] = [];
    hub.events.on('session_closed', (info) => closed.push(info.sessionId));
    const first = connect(hub);
    vi.setSystemTime(1_000_100);
    const second = connect(hub);
    first.connection.detach();
    second.connection.detach();
    const third = connect(hub);
    expect(closed).toEqual([first.sessionId]);
    expect(hub.getSession(second.sessionId)).toBeDefined();
    expect(hub.getSession(third.sessionId)?.connected).toBe(true);
    // Another user is not affected.
    expect(() => connect(hub, { userId: 'bob' })).not.toThrow();
  });

  it('refuses with SESSION_LIMIT when every session in the way is connected', () => {
    const hub = makeHub({ maxSessionsPerUser: 2 });
    connect(hub);
    connect(hub);
    const result = hub.open({ userId: 'alice' }, () => {});
    expect(result).toMatchObject({
      ok: false,
      closeCode: WIRE_CLOSE_CODES.SESSION_LIMIT,
      code: 'SESSION_LIMIT',
      reason: expect.stringMatching(/already has 2 open sessions \(maxSessionsPerUser 2\)/),
    });
    // A resume is no new session: it is never refused for the cap.
    const c = connect(hub, { userId: 'bob' });
    c.connection.detach();
    expect(() => connect(hub, { userId: 'bob', resumeSessionId: c.sessionId })).not.toThrow();
  });

  it('holds the total to maxSessions, making room from anyone’s oldest detached session', () => {
    const hub = makeHub({ maxSessions: 3 });
    const a = connect(hub, { userId: 'a' });
    connect(hub, { userId: 'b' });
    connect(hub, { userId: 'c' });
    expect(hub.open({ userId: 'd' }, () => {})).toMatchObject({ ok: false, code: 'SESSION_LIMIT' });
    a.connection.detach();
    const d = connect(hub, { userId: 'd' });
    expect(hub.getSession(a.sessionId)).toBeUndefined();
    expect(hub.listSessions().map((s) => s.sessionId)).toContain(d.sessionId);
    expect(hub.listSessions()).toHaveLength(3);
  });
});
