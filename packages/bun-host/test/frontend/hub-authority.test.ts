import type { ExtensionInfoDTO, FrontendUplink, RuntimeStatsEvent } from '@spindle/types';
import { describe, expect, it, vi } from 'vitest';
import { connect, makeHub } from './harness.ts';

const stats: RuntimeStatsEvent = {
  extension: 'ext_a',
  extensionId: 'ext_a',
  identifier: 'ext_a',
  name: 'Ext A',
  runtimeMode: 'process',
  phase: 'sample',
  at: '2026-01-01T00:00:00.000Z',
};

/** Uplinks the hub reported, without the `seq` the validated frame may still carry. */
function recordUplinks(hub: ReturnType<typeof makeHub>): FrontendUplink[] {
  const uplinks: FrontendUplink[] = [];
  hub.events.on('uplink', ({ message }) => {
    const { seq: _seq, ...rest } = message as FrontendUplink & { seq?: number };
    uplinks.push(rest as FrontendUplink);
  });
  return uplinks;
}

describe('FrontendHub authority', () => {
  it('mounts only extensions that exist and are enabled', () => {
    const hub = makeHub();
    const uplinks = recordUplinks(hub);
    const c = connect(hub);
    c.send({ type: 'extension_mounted', extensionId: 'ext_a', seq: 1 });
    c.send({ type: 'extension_mounted', extensionId: 'ghost', seq: 2 });
    c.send({ type: 'extension_mounted', extensionId: 'ext_off', seq: 3 });
    expect([...(hub.getSession(c.sessionId)?.mountedExtensions ?? [])]).toEqual(['ext_a']);
    expect(uplinks).toEqual([{ type: 'extension_mounted', extensionId: 'ext_a' }]);
    expect(c.ofType('error')).toMatchObject([
      { code: 'EXTENSION_NOT_FOUND', seq: 2, frameType: 'extension_mounted' },
      { code: 'EXTENSION_INACTIVE', seq: 3, frameType: 'extension_mounted' },
    ]);
    // Refused frames are acknowledged too, so the client does not replay them.
    expect(c.ofType('ack').map((a) => a.seq)).toEqual([1, 2, 3]);
  });

  it('unmounting removes the extension and reports it once; unmounting again is silent', () => {
    const hub = makeHub();
    const uplinks = recordUplinks(hub);
    const c = connect(hub);
    c.send({ type: 'extension_mounted', extensionId: 'ext_a', seq: 1 });
    c.send({ type: 'extension_unmounted', extensionId: 'ext_a', seq: 2 });
    c.send({ type: 'extension_unmounted', extensionId: 'ext_a', seq: 3 });
    expect(uplinks.map((u) => u.type)).toEqual(['extension_mounted', 'extension_unmounted']);
    expect(hub.getSession(c.sessionId)?.mountedExtensions.size).toBe(0);
    expect(c.ofType('error')).toEqual([]);
  });

  it('backend messages need the extension mounted in this session', () => {
    const hub = makeHub();
    const uplinks = recordUplinks(hub);
    const c = connect(hub);
    c.send({ type: 'backend_message', extensionId: 'ext_a', payload: 1, seq: 1 });
    c.send({ type: 'backend_message', extensionId: 'other', payload: 2, seq: 2 });
    c.send({ type: 'extension_mounted', extensionId: 'ext_a', seq: 3 });
    c.send({ type: 'backend_message', extensionId: 'ext_a', payload: 3, seq: 4 });
    expect(c.ofType('error')).toMatchObject([
      { code: 'FORBIDDEN', seq: 1, frameType: 'backend_message' },
      { code: 'EXTENSION_NOT_FOUND', seq: 2, frameType: 'backend_message' },
    ]);
    expect(uplinks).toEqual([
      { type: 'extension_mounted', extensionId: 'ext_a' },
      { type: 'backend_message', extensionId: 'ext_a', payload: 3 },
    ]);
  });

  it('asks process supervision who owns a process, and fails closed when the hook throws', () => {
    const authorize = vi.fn((session: { userId: string }, processId: string, _message: unknown) => {
      if (processId === 'boom') throw new Error('hook bug');
      if (processId === 'gone')
        return { code: 'PROCESS_NOT_FOUND' as const, message: 'no such process' };
      return session.userId === 'alice' && processId.startsWith('alice-');
    });
    const hub = makeHub({ authorizeProcessFrame: authorize });
    const uplinks = recordUplinks(hub);
    const c = connect(hub);
    c.send({ type: 'process_ready', processId: 'alice-1', seq: 1 });
    c.send({ type: 'process_heartbeat', processId: 'bob-1', seq: 2 });
    c.send({ type: 'process_message', processId: 'gone', payload: null, seq: 3 });
    c.send({ type: 'process_ended', processId: 'boom', outcome: 'completed', seq: 4 });
    expect(uplinks).toEqual([{ type: 'process_ready', processId: 'alice-1' }]);
    expect(c.ofType('error')).toMatchObject([
      { code: 'FORBIDDEN', seq: 2 },
      { code: 'PROCESS_NOT_FOUND', seq: 3, message: '[spindle] no such process' },
      { code: 'FORBIDDEN', seq: 4 },
    ]);
    expect(authorize.mock.calls[0]?.[2]).toMatchObject({
      type: 'process_ready',
      processId: 'alice-1',
    });
  });

  it('setProcessAuthorizer replaces the default allow-all hook', () => {
    const hub = makeHub();
    hub.setProcessAuthorizer(() => false);
    const c = connect(hub);
    c.send({ type: 'process_ready', processId: 'p', seq: 1 });
    expect(c.ofType('error')).toMatchObject([{ code: 'FORBIDDEN' }]);
  });

  it('runtime stats: subscribe only as admin, delivered only to subscribed admins', () => {
    const hub = makeHub();
    const uplinks = recordUplinks(hub);
    const user = connect(hub, { userId: 'bob' });
    const admin = connect(hub, { userId: 'root', isAdmin: true });
    const idleAdmin = connect(hub, { userId: 'root', isAdmin: true });
    user.send({ type: 'subscribe_stats', seq: 1 });
    admin.send({ type: 'subscribe_stats', seq: 1 });
    expect(user.ofType('error')).toMatchObject([
      { code: 'FORBIDDEN', frameType: 'subscribe_stats' },
    ]);
    expect(uplinks).toEqual([{ type: 'subscribe_stats' }]);
    expect(hub.broadcast({ type: 'runtime_stats', event: stats })).toBe(1);
    expect(hub.send(user.sessionId, { type: 'runtime_stats', event: stats })).toBe(false);
    expect(admin.ofType('runtime_stats')).toHaveLength(1);
    expect(user.ofType('runtime_stats')).toHaveLength(0);
    expect(idleAdmin.ofType('runtime_stats')).toHaveLength(0);
  });

  it('an extension_removed downlink unmounts the extension from the session', () => {
    const hub = makeHub();
    const c = connect(hub);
    c.send({ type: 'extension_mounted', extensionId: 'ext_a', seq: 1 });
    hub.send(c.sessionId, { type: 'extension_removed', extensionId: 'ext_a' });
    expect(hub.listSessions({ extensionId: 'ext_a' })).toEqual([]);
  });

  it('drops duplicates (re-acking them) and refuses a frame that skips ahead without acking it', () => {
    const hub = makeHub();
    const uplinks = recordUplinks(hub);
    const c = connect(hub);
    c.send({ type: 'extension_mounted', extensionId: 'ext_a', seq: 1 });
    c.send({ type: 'extension_mounted', extensionId: 'ext_a', seq: 1 });
    c.send({ type: 'backend_message', extensionId: 'ext_a', payload: 'x', seq: 3 });
    expect(uplinks).toHaveLength(1);
    expect(c.ofType('ack').map((a) => a.seq)).toEqual([1, 1]);
    expect(c.ofType('error')).toMatchObject([{ code: 'INVALID_FRAME', seq: 3 }]);
    expect(c.ofType('error')[0]?.message).toMatch(/expected 2/);
  });
});

describe('FrontendHub late wiring', () => {
  it('setExtensionPolicy replaces the extension checks', () => {
    const hub = makeHub();
    hub.setExtensionPolicy({ extensionExists: (id) => id === 'late', isEnabled: () => true });
    const c = connect(hub);
    c.send({ type: 'extension_mounted', extensionId: 'late', seq: 1 });
    c.send({ type: 'extension_mounted', extensionId: 'ext_a', seq: 2 });
    expect([...(hub.getSession(c.sessionId)?.mountedExtensions ?? [])]).toEqual(['late']);
    expect(c.ofType('error')).toMatchObject([{ code: 'EXTENSION_NOT_FOUND', seq: 2 }]);
  });

  it('the extension describer rewrites extension_state downlinks once per broadcast', () => {
    const hub = makeHub();
    const describe = vi.fn((info: ExtensionInfoDTO) => ({ ...info, frontendUrl: '/x.js?v=1' }));
    hub.setExtensionDescriber(describe);
    const a = connect(hub);
    const b = connect(hub);
    const extension: ExtensionInfoDTO = {
      identifier: 'ext_a',
      state: 'running',
      manifest: {
        version: '1',
        name: 'a',
        identifier: 'ext_a',
        author: '',
        github: '',
        homepage: '',
        permissions: [],
      },
    };
    expect(hub.broadcast({ type: 'extension_state', extension })).toBe(2);
    expect(describe).toHaveBeenCalledTimes(1);
    for (const c of [a, b])
      expect(c.ofType('extension_state')[0]?.extension.frontendUrl).toBe('/x.js?v=1');
    hub.setExtensionDescriber(undefined);
    hub.send(a.sessionId, { type: 'extension_state', extension });
    expect(a.ofType('extension_state')[1]?.extension.frontendUrl).toBeUndefined();
  });
});

describe('FrontendHub coalesced acks', () => {
  it('with ackDelayMs, a burst of uplinks gets one cumulative ack', () => {
    vi.useFakeTimers();
    try {
      const hub = makeHub({ ackDelayMs: 5 });
      const c = connect(hub);
      c.send({ type: 'extension_mounted', extensionId: 'ext_a', seq: 1 });
      c.send({ type: 'backend_message', extensionId: 'ext_a', payload: 1, seq: 2 });
      c.send({ type: 'backend_message', extensionId: 'ghost', payload: 2, seq: 3 });
      expect(c.ofType('ack')).toEqual([]);
      vi.advanceTimersByTime(5);
      expect(c.ofType('ack')).toEqual([{ type: 'ack', seq: 3 }]);
      c.send({ type: 'backend_message', extensionId: 'ext_a', payload: 3, seq: 4 });
      c.connection.detach();
      expect(vi.getTimerCount()).toBe(1); // only the resume window
      const again = connect(hub, { resumeSessionId: c.sessionId });
      expect(again.frames[0]).toMatchObject({ type: 'welcome', lastClientSeq: 4 });
      hub.closeAll();
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
