import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeExt, flush, openTab, setup } from './harness.ts';

afterEach(() => {
  vi.useRealTimers();
});

const spawn = (options: Record<string, unknown>) => ({
  type: 'frontend_process_spawn' as const,
  requestId: 'r1',
  options: options as { kind: string },
});

describe('frontend process routing', () => {
  it('rejects with NO_FRONTEND_SESSION when the user has no session with the extension', async () => {
    const { request, service } = setup();
    const ext = fakeExt();
    await expect(request(ext, spawn({ kind: 'k', userId: 'alice' }))).rejects.toMatchObject({
      code: 'NO_FRONTEND_SESSION',
    });
    expect(ext.events()).toEqual([]);
    await service.close();
  });

  it('runs a spawn in exactly one of two sessions of the user: the most recently active', async () => {
    const { hub, request, service } = setup();
    const ext = fakeExt();
    const a = openTab(hub);
    vi.advanceTimersByTime(10);
    const b = openTab(hub);
    const pending = request(ext, spawn({ kind: 'k', userId: 'alice' }));
    await flush();
    expect(a.spawns()).toHaveLength(0);
    expect(b.spawns()).toHaveLength(1);
    b.up({ type: 'process_ready', processId: b.spawns()[0]!.processId });
    await expect(pending).resolves.toMatchObject({ state: 'running', userId: 'alice' });
    await service.close();
  });

  it('honours an explicit frontendSessionId and refuses one of another user', async () => {
    const { hub, request, service } = setup();
    const ext = fakeExt();
    const a = openTab(hub);
    vi.advanceTimersByTime(10);
    openTab(hub);
    const bob = openTab(hub, 'bob');
    request(ext, spawn({ kind: 'k', userId: 'alice', frontendSessionId: a.sessionId })).catch(
      () => undefined,
    );
    await flush();
    expect(a.spawns()).toHaveLength(1);
    await expect(
      request(ext, spawn({ kind: 'k', userId: 'alice', frontendSessionId: bob.sessionId })),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(bob.spawns()).toHaveLength(0);
    await service.close();
  });

  it('refuses a session that does not have the extension mounted', async () => {
    const { hub, request, service } = setup();
    const ext = fakeExt();
    const a = openTab(hub, 'alice', []);
    await expect(
      request(ext, spawn({ kind: 'k', frontendSessionId: a.sessionId })),
    ).rejects.toMatchObject({ code: 'NO_FRONTEND_SESSION' });
    await service.close();
  });

  it('an operator-scoped extension must name a user or a session', async () => {
    const { hub, request, service } = setup();
    openTab(hub);
    await expect(request(fakeExt(), spawn({ kind: 'k' }))).rejects.toMatchObject({
      code: 'INVALID_OPTIONS',
    });
    await service.close();
  });

  it('a user-scoped extension reaches only its installer', async () => {
    const { hub, request, service } = setup();
    const ext = fakeExt({ kind: 'user', userId: 'alice' });
    const a = openTab(hub);
    openTab(hub, 'bob');
    await expect(request(ext, spawn({ kind: 'k', userId: 'bob' }))).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    request(ext, spawn({ kind: 'k' })).catch(() => undefined);
    await flush();
    expect(a.spawns()).toHaveLength(1);
    await service.close();
  });

  it('rejects invalid options with INVALID_OPTIONS', async () => {
    const { hub, request, service } = setup();
    openTab(hub);
    await expect(request(fakeExt(), spawn({ kind: '   ', userId: 'alice' }))).rejects.toMatchObject(
      { code: 'INVALID_OPTIONS' },
    );
    await expect(
      request(fakeExt(), spawn({ kind: 'k', userId: 'alice', startupTimeoutMs: 'soon' })),
    ).rejects.toMatchObject({ code: 'INVALID_OPTIONS' });
    await service.close();
  });
});
