import { type FrontendDownlink, PROTOCOL_VERSION, WIRE_CLOSE_CODES } from '@spindle/types';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { frameToJson } from '../../src/frontend/frame-json.ts';
import type { FrontendSessionInfo } from '../../src/frontend/gateway.ts';
import { connect, makeHub } from './harness.ts';

const message = (n: number): FrontendDownlink => ({
  type: 'backend_message',
  extensionId: 'ext_a',
  payload: n,
});

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(1_000_000);
});
afterEach(() => {
  vi.useRealTimers();
});

describe('FrontendHub sessions', () => {
  it('welcomes a new session with its id, user, limits and extensions', () => {
    const hub = makeHub({ limits: { resumeGraceMs: 500 } });
    const opened: FrontendSessionInfo[] = [];
    hub.events.on('session_opened', (info) => opened.push(info));
    const result = hub.open(
      { userId: 'alice', isAdmin: true, extensions: [], limits: { maxFrameBytes: 2048 } },
      () => {},
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.welcome).toMatchObject({
      type: 'welcome',
      protocolVersion: PROTOCOL_VERSION,
      frontendSessionId: 's-1',
      userId: 'alice',
      resumed: false,
      lastClientSeq: 0,
      isAdmin: true,
      limits: { maxFrameBytes: 2048, resumeGraceMs: 500, maxUnackedFrames: 1024 },
    });
    expect(opened.map((s) => s.sessionId)).toEqual(['s-1']);
    expect(hub.getSession('s-1')).toMatchObject({
      userId: 'alice',
      connected: true,
      lastActiveAt: 1_000_000,
    });
  });

  it('numbers downlinks and keeps them until acked', () => {
    const hub = makeHub();
    const c = connect(hub);
    hub.send(c.sessionId, message(1));
    hub.send(c.sessionId, message(2));
    expect(c.ofType('backend_message').map((f) => [f.seq, f.payload])).toEqual([
      [1, 1],
      [2, 2],
    ]);
    expect(hub.pendingCount(c.sessionId)).toBe(2);
    c.send({ type: 'ack', seq: 1 });
    expect(hub.pendingCount(c.sessionId)).toBe(1);
  });

  it('buffers while detached and replays only what follows lastServerSeq on resume', () => {
    const hub = makeHub();
    const events: string[] = [];
    hub.events.on('*', (type, info) => {
      if (type !== 'uplink')
        events.push(`${String(type)}:${(info as FrontendSessionInfo).connected}`);
    });
    const first = connect(hub);
    hub.send(first.sessionId, message(1));
    hub.send(first.sessionId, message(2));
    first.connection.detach();
    expect(hub.getSession(first.sessionId)?.connected).toBe(false);
    expect(hub.send(first.sessionId, message(3))).toBe(true);

    const second = connect(hub, { resumeSessionId: first.sessionId, lastServerSeq: 1 });
    expect(second.frames[0]).toMatchObject({
      type: 'welcome',
      resumed: true,
      frontendSessionId: 's-1',
    });
    expect(second.ofType('backend_message').map((f) => f.seq)).toEqual([2, 3]);
    expect(events).toEqual([
      'session_opened:true',
      'session_detached:false',
      'session_resumed:true',
    ]);
    // The first connection's handle is inert now.
    first.connection.detach();
    expect(hub.getSession(first.sessionId)?.connected).toBe(true);
  });

  it('closes a detached session for good after resumeGraceMs', () => {
    const hub = makeHub({ limits: { resumeGraceMs: 1000 } });
    const closed = vi.fn();
    hub.events.on('session_closed', closed);
    const c = connect(hub);
    c.connection.detach();
    vi.advanceTimersByTime(999);
    expect(closed).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(closed).toHaveBeenCalledTimes(1);
    expect(hub.getSession(c.sessionId)).toBeUndefined();
    expect(hub.send(c.sessionId, message(1))).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
    expect(hub.open({ userId: 'alice', resumeSessionId: c.sessionId }, () => {})).toMatchObject({
      ok: false,
      closeCode: WIRE_CLOSE_CODES.SESSION_UNKNOWN,
      code: 'NO_FRONTEND_SESSION',
    });
  });

  it('a resume within the window cancels the expiry timer', () => {
    const hub = makeHub({ limits: { resumeGraceMs: 1000 } });
    const c = connect(hub);
    c.connection.detach();
    vi.advanceTimersByTime(900);
    connect(hub, { resumeSessionId: c.sessionId });
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(5000);
    expect(hub.getSession(c.sessionId)?.connected).toBe(true);
  });

  it('refuses to resume another user’s session without revealing it exists', () => {
    const hub = makeHub();
    const alice = connect(hub);
    alice.connection.detach();
    const result = hub.open({ userId: 'mallory', resumeSessionId: alice.sessionId }, () => {});
    expect(result).toMatchObject({ ok: false, closeCode: WIRE_CLOSE_CODES.SESSION_UNKNOWN });
    const unknown = hub.open({ userId: 'mallory', resumeSessionId: 'nope' }, () => {});
    expect(
      unknown.ok === false &&
        result.ok === false &&
        unknown.reason.replace('nope', alice.sessionId),
    ).toBe(result.ok === false && result.reason);
    expect(hub.getSession(alice.sessionId)?.connected).toBe(false);
  });

  it('a second connection resuming a connected session takes it over', () => {
    const hub = makeHub();
    const first = connect(hub);
    hub.send(first.sessionId, message(1));
    const second = connect(hub, { resumeSessionId: first.sessionId, lastServerSeq: 0 });
    expect(first.closed).toEqual({
      code: WIRE_CLOSE_CODES.SESSION_TAKEN_OVER,
      reason: 'another connection resumed this session',
    });
    expect(first.connection.active).toBe(false);
    expect(second.ofType('backend_message').map((f) => f.seq)).toEqual([1]);
    first.send({ type: 'ping', at: 1 });
    expect(first.ofType('pong')).toEqual([]);
  });

  it('resuming can drop admin rights but never add them', () => {
    const hub = makeHub();
    const admin = connect(hub, { isAdmin: true });
    admin.connection.detach();
    const resumed = connect(hub, { resumeSessionId: admin.sessionId, isAdmin: false });
    expect(resumed.frames[0]).toMatchObject({ isAdmin: false });
    resumed.connection.detach();
    const again = connect(hub, { resumeSessionId: admin.sessionId, isAdmin: true });
    expect(again.frames[0]).toMatchObject({ isAdmin: false });
  });

  it('closes a detached session that overflows maxUnackedFrames instead of growing', () => {
    const hub = makeHub({ limits: { maxUnackedFrames: 3 } });
    const closed = vi.fn();
    hub.events.on('session_closed', closed);
    const c = connect(hub);
    c.connection.detach();
    for (let n = 1; n <= 3; n++) expect(hub.send(c.sessionId, message(n))).toBe(true);
    expect(hub.send(c.sessionId, message(4))).toBe(false);
    expect(closed).toHaveBeenCalledTimes(1);
    expect(closed.mock.calls[0]?.[0].closeReason).toMatch(
      /left 3 frames \(maxUnackedFrames\) unacknowledged/,
    );
    expect(hub.getSession(c.sessionId)).toBeUndefined();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('closes a connected session that never acks with SESSION_OVERFLOW and a QUEUE_FULL error', () => {
    const hub = makeHub({ limits: { maxUnackedFrames: 2 } });
    const c = connect(hub);
    hub.send(c.sessionId, message(1));
    hub.send(c.sessionId, message(2));
    expect(hub.send(c.sessionId, message(3))).toBe(false);
    expect(c.ofType('error')).toMatchObject([{ code: 'QUEUE_FULL' }]);
    expect(c.closed?.code).toBe(WIRE_CLOSE_CODES.SESSION_OVERFLOW);
    expect(c.closed?.reason).toMatch(/maxUnackedFrames/);
  });

  it('answers ping with pong and updates lastActiveAt on every inbound frame', () => {
    const hub = makeHub();
    const c = connect(hub);
    vi.setSystemTime(1_000_500);
    c.send({ type: 'ping', at: 42 });
    expect(c.ofType('pong')).toEqual([{ type: 'pong', at: 42 }]);
    expect(hub.getSession(c.sessionId)?.lastActiveAt).toBe(1_000_500);
    vi.setSystemTime(1_000_900);
    c.send({ type: 'ack', seq: 0 });
    expect(hub.getSession(c.sessionId)?.lastActiveAt).toBe(1_000_900);
  });

  it('refuses a second hello and an ack beyond what was sent, keeping the session', () => {
    const hub = makeHub();
    const c = connect(hub);
    c.send({ type: 'hello', protocolVersion: PROTOCOL_VERSION, token: 't' });
    c.send({ type: 'ack', seq: 5 });
    expect(c.ofType('error')).toMatchObject([
      { code: 'INVALID_FRAME', frameType: 'hello' },
      { code: 'INVALID_FRAME', frameType: 'ack' },
    ]);
    expect(hub.getSession(c.sessionId)?.connected).toBe(true);
  });

  it('lists sessions by filter, most recently active first', () => {
    const hub = makeHub();
    const a = connect(hub, { userId: 'alice' });
    vi.setSystemTime(1_000_100);
    const b = connect(hub, { userId: 'bob', isAdmin: true });
    vi.setSystemTime(1_000_200);
    const a2 = connect(hub, { userId: 'alice' });
    a2.send({ type: 'extension_mounted', extensionId: 'ext_a', seq: 1 });
    a2.connection.detach();
    expect(hub.listSessions().map((s) => s.sessionId)).toEqual([
      a2.sessionId,
      b.sessionId,
      a.sessionId,
    ]);
    expect(hub.listSessions({ userId: 'alice' }).map((s) => s.sessionId)).toEqual([
      a2.sessionId,
      a.sessionId,
    ]);
    expect(
      hub.listSessions({ userId: 'alice', includeDetached: false }).map((s) => s.sessionId),
    ).toEqual([a.sessionId]);
    expect(hub.listSessions({ extensionId: 'ext_a' }).map((s) => s.sessionId)).toEqual([
      a2.sessionId,
    ]);
    expect(hub.listSessions({ adminOnly: true }).map((s) => s.sessionId)).toEqual([b.sessionId]);
    expect(hub.broadcast(message(1), { userId: 'alice' })).toBe(2);
    expect(a.ofType('backend_message')).toHaveLength(1);
    expect(b.ofType('backend_message')).toHaveLength(0);
  });

  it('close() and closeAll() end sessions for good with the given code', () => {
    const hub = makeHub();
    const a = connect(hub);
    const b = connect(hub);
    b.connection.detach();
    hub.close(a.sessionId, 4321, 'bye');
    expect(a.closed).toEqual({ code: 4321, reason: 'bye' });
    hub.closeAll();
    expect(hub.listSessions()).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a throwing listener is reported, not thrown into the connection', () => {
    const reported: unknown[] = [];
    const hub = makeHub({ reportError: (error) => reported.push(error) });
    hub.events.on('uplink', () => {
      throw new Error('listener bug');
    });
    const c = connect(hub);
    c.send({ type: 'extension_mounted', extensionId: 'ext_a', seq: 1 });
    expect(reported).toHaveLength(1);
    expect(c.ofType('ack')).toEqual([{ type: 'ack', seq: 1 }]);
  });
});

describe('FrontendHub flow control', () => {
  it('stops handing downlinks to a congested sink and resumes in order on drain()', () => {
    const hub = makeHub();
    const frames: number[] = [];
    let accept = true;
    const result = hub.open({ userId: 'alice' }, (frame) => {
      if (frame.type === 'backend_message') frames.push(frame.seq);
      return accept;
    });
    if (!result.ok) throw new Error('refused');
    hub.send(result.sessionId, message(1));
    accept = false;
    hub.send(result.sessionId, message(2));
    hub.send(result.sessionId, message(3));
    expect(frames).toEqual([1, 2]);
    // Control frames still pass while congested.
    result.connection.receive({ type: 'ping', at: 1 });
    accept = true;
    result.connection.drain();
    hub.send(result.sessionId, message(4));
    expect(frames).toEqual([1, 2, 3, 4]);
  });

  it('a resume replays a large backlog only as fast as the sink accepts it', () => {
    const hub = makeHub();
    const first = connect(hub);
    for (let n = 1; n <= 10; n++) hub.send(first.sessionId, message(n));
    first.connection.detach();
    const seen: number[] = [];
    const result = hub.open(
      { userId: 'alice', resumeSessionId: first.sessionId, lastServerSeq: 2 },
      (frame) => {
        if (frame.type !== 'backend_message') return true;
        seen.push(frame.seq);
        return seen.length % 3 !== 0;
      },
    );
    if (!result.ok) throw new Error('refused');
    expect(seen).toEqual([3, 4, 5]);
    result.connection.drain();
    expect(seen).toEqual([3, 4, 5, 6, 7, 8]);
    result.connection.drain();
    result.connection.drain();
    expect(seen).toEqual([3, 4, 5, 6, 7, 8, 9, 10]);
  });
});

describe('FrontendHub downlink checks', () => {
  it('refuses (and reports) a downlink that is not JSON or exceeds maxFrameBytes, using no seq', () => {
    const reported: unknown[] = [];
    const hub = makeHub({ limits: { maxFrameBytes: 200 }, reportError: (e) => reported.push(e) });
    const c = connect(hub);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(
      hub.send(c.sessionId, { type: 'backend_message', extensionId: 'ext_a', payload: cyclic }),
    ).toBe(false);
    expect(
      hub.send(c.sessionId, { type: 'backend_message', extensionId: 'ext_a', payload: 1n }),
    ).toBe(false);
    expect(
      hub.broadcast({ type: 'backend_message', extensionId: 'ext_a', payload: 'x'.repeat(300) }),
    ).toBe(0);
    expect(reported.map((e) => (e as { code?: string }).code)).toEqual([
      'INVALID_FRAME',
      'INVALID_FRAME',
      'FRAME_TOO_LARGE',
    ]);
    expect(hub.send(c.sessionId, message(1))).toBe(true);
    expect(c.ofType('backend_message').map((f) => f.seq)).toEqual([1]);
    expect(hub.send('nope', message(2))).toBe(false);
  });
});

describe('frameToJson', () => {
  it('gives the same JSON for fresh, broadcast and replayed frames as JSON.stringify', () => {
    const hub = makeHub();
    const texts: string[] = [];
    const frames: unknown[] = [];
    const sink = (frame: Parameters<typeof frameToJson>[0]) => {
      frames.push(frame);
      texts.push(frameToJson(frame));
    };
    const result = hub.open({ userId: 'alice' }, sink);
    if (!result.ok) throw new Error('refused');
    hub.send(result.sessionId, message(1));
    hub.broadcast({ type: 'process_stop', processId: 'p"1', reason: 'ünïcode ✓', force: false });
    result.connection.detach();
    hub.send(result.sessionId, message(3));
    const resumed = hub.open(
      { userId: 'alice', resumeSessionId: result.sessionId, lastServerSeq: 1 },
      sink,
    );
    expect(resumed.ok).toBe(true);
    expect(texts.map((t) => JSON.parse(t))).toEqual(JSON.parse(JSON.stringify(frames)));
    expect(texts.filter((t) => t.includes('"seq":2'))).toHaveLength(2);
  });
});
