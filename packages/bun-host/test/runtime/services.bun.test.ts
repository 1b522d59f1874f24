/**
 * App services and permissions in every runtime mode: `host.services.register` makes
 * `spindle.<namespace>` exist, calls settle with a result or a typed error (missing grant,
 * deadline, unload, host close, oversized argument), grants change without a restart, app
 * events reach `spindle.on`, and the registered namespaces show up as capabilities.
 */
import { afterEach, describe, expect, setDefaultTimeout, test } from 'bun:test';
import { RUNTIME_MODES, SpindleError } from '@spindle/types';
import { type ServiceCall, ServiceRegistry } from '../../src/services/index.ts';
import { ask, closeTestHosts, descendants, startTestHost, waitUntil } from './helpers.ts';

/** Polls an asynchronous condition (a question to the probe) until it holds. */
async function poll(check: () => Promise<boolean>, what: string, ms = 8_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(20);
  }
}

setDefaultTimeout(30_000);

afterEach(async () => {
  await closeTestHosts();
  expect(descendants(process.pid)).toEqual([]);
});

/** A chat service like an app would register, with a few misbehaving methods for the tests. */
function chatService() {
  const registry = new ServiceRegistry();
  const seen: { calls: Array<{ extensionId: string; args: unknown[]; userId?: string }> } = {
    calls: [],
  };
  const aborted: unknown[] = [];
  const hang = (call: ServiceCall) =>
    new Promise((_, reject) => {
      call.signal.addEventListener('abort', () => {
        aborted.push(call.signal.reason);
        reject(call.signal.reason);
      });
    });
  registry.register(
    'chat',
    {
      getMessages: (call: ServiceCall, chatId: string) => {
        seen.calls.push({ extensionId: call.extensionId, args: [chatId] });
        return [{ id: 'm1', chatId, text: 'hello' }];
      },
      forUser: (call: ServiceCall, userId?: string) => ({ actsFor: call.actFor(userId) }),
      forbidden: () => {
        throw new SpindleError('FORBIDDEN', 'not your chat');
      },
      broken: () => {
        throw new Error('database is down');
      },
      notJson: () => ({ when: new Map() }),
      echo: (_call: ServiceCall, value: unknown) => value,
      hang,
    },
    { permission: 'chats', version: 2, timeoutMs: 1_000 },
  );
  return { registry, seen, aborted };
}

describe.each(RUNTIME_MODES)('%s mode', (mode) => {
  test('a call is refused without the grant, and works once granted, without a restart', async () => {
    const { registry, seen } = chatService();
    const t = await startTestHost(mode, { enable: ['probe'], services: registry });
    t.gateway.open('s1', 'alice', ['probe']);
    const pid = t.host.get('probe')?.pid;
    const denied = await ask(t, 's1', 'service', {
      ns: 'chat',
      method: 'getMessages',
      args: ['c1'],
    });
    expect(denied.result).toMatchObject({ code: 'PERMISSION_DENIED', prefixOk: true });
    expect((denied.result as { message: string }).message).toContain('"chats"');
    expect(seen.calls).toEqual([]);

    t.host.permissions.grant('probe', 'chats');
    const view = await ask(t, 's1', 'service_view');
    expect(view.result).toMatchObject({
      chat: 'object',
      has: true,
      granted: ['chats'],
      heard: {
        changed: [
          { extensionId: 'probe', permission: 'chats', granted: true, allGranted: ['chats'] },
        ],
        permissionEvents: [{ permission: 'chats', granted: true }],
        denied: [{ permission: 'chats', operation: 'chat.getMessages' }],
      },
    });
    expect((view.result as { capabilities: object }).capabilities).toEqual({
      'frontend-session-routing-v1': 1,
      'services.chat': 2,
    });
    const ok = await ask(t, 's1', 'service', { ns: 'chat', method: 'getMessages', args: ['c1'] });
    expect(ok.result).toEqual({ result: [{ id: 'm1', chatId: 'c1', text: 'hello' }] });
    expect(seen.calls).toEqual([{ extensionId: 'probe', args: ['c1'] }]);
    expect(t.host.get('probe')?.pid).toBe(pid);
    expect(t.host.get('probe')?.grantedPermissions).toEqual(['chats']);
    // Revoked again: refused again.
    t.host.permissions.revoke('probe', 'chats');
    const again = await ask(t, 's1', 'service', {
      ns: 'chat',
      method: 'getMessages',
      args: ['c2'],
    });
    expect(again.result).toMatchObject({ code: 'PERMISSION_DENIED' });
  });

  test('typed errors, plain errors, non-JSON results, deadlines and oversized arguments', async () => {
    const { registry, aborted } = chatService();
    const t = await startTestHost(mode, {
      enable: ['probe'],
      services: registry,
      permissions: { grants: { probe: ['chats'] } },
      serviceLimits: { maxArgsBytes: 1_024 },
    });
    t.gateway.open('s1', 'alice', ['probe']);
    const call = async (method: string, args: unknown[] = []) =>
      (await ask(t, 's1', 'service', { ns: 'chat', method, args })).result as Record<
        string,
        unknown
      >;
    expect(await call('forbidden')).toMatchObject({
      code: 'FORBIDDEN',
      message: '[spindle] not your chat',
    });
    expect(await call('broken')).toMatchObject({ code: 'SERVICE_ERROR' });
    expect((await call('broken')).message).toContain('database is down');
    expect(await call('notJson')).toMatchObject({ code: 'SERVICE_ERROR' });
    // An unknown method is `undefined` on the namespace, as members of upstream are.
    expect((await call('nope')).code).toBeUndefined();
    expect(await call('echo', ['x'.repeat(2_000)])).toMatchObject({ code: 'INVALID_OPTIONS' });
    expect(await call('echo', [{ fits: true }])).toEqual({ result: { fits: true } });
    expect(await call('hang')).toMatchObject({ code: 'SERVICE_TIMEOUT' });
    expect(aborted).toHaveLength(1);
    expect((aborted[0] as SpindleError).code).toBe('SERVICE_TIMEOUT');
  });

  test('the user a call acts for is resolved as storage resolves it', async () => {
    const { registry } = chatService();
    const t = await startTestHost(mode, {
      enable: ['probe'],
      services: registry,
      permissions: { grants: { probe: ['chats'] } },
    });
    t.gateway.open('s1', 'alice', ['probe']);
    const forUser = async (args: unknown[]) =>
      (await ask(t, 's1', 'service', { ns: 'chat', method: 'forUser', args })).result;
    expect(await forUser(['carol'])).toEqual({ result: { actsFor: 'carol' } });
    expect(await forUser([])).toMatchObject({ code: 'INVALID_OPTIONS' });
    await t.host.close();

    const u = await startTestHost(mode, {
      enable: ['probe'],
      services: chatService().registry,
      permissions: { grants: { probe: ['chats'] } },
      scopes: { probe: { kind: 'user', userId: 'alice' } },
    });
    u.gateway.open('s1', 'alice', ['probe']);
    const userScoped = async (args: unknown[]) =>
      (await ask(u, 's1', 'service', { ns: 'chat', method: 'forUser', args })).result;
    expect(await userScoped([])).toEqual({ result: { actsFor: 'alice' } });
    expect(await userScoped(['bob'])).toEqual({ result: { actsFor: 'alice' } });
    expect(u.logs.filter((l) => l.message.includes('chat.forUser named user bob'))).toHaveLength(1);
  });

  test('namespaces registered later appear at once; unregistered ones are undefined', async () => {
    const registry = new ServiceRegistry();
    const t = await startTestHost(mode, { enable: ['probe'], services: registry });
    t.gateway.open('s1', 'alice', ['probe']);
    expect((await ask(t, 's1', 'service_view')).result).toMatchObject({
      chat: 'undefined',
      notes: 'undefined',
      capabilities: { 'frontend-session-routing-v1': 1 },
    });
    const unregister = registry.register('notes', {
      add: (_call: ServiceCall, text: string) => ({ added: text }),
      count: () => 1,
    });
    await poll(async () => {
      const view = (await ask(t, 's1', 'service_view')).result as { notes: string };
      return view.notes === 'object';
    }, 'the notes namespace');
    const view = (await ask(t, 's1', 'service_view')).result as Record<string, unknown>;
    expect(view.notesMethods).toEqual(['add', 'count']);
    expect(view.capabilities).toEqual({ 'frontend-session-routing-v1': 1, 'services.notes': 1 });
    expect(
      (await ask(t, 's1', 'service', { ns: 'notes', method: 'add', args: ['hi'] })).result,
    ).toEqual({
      result: { added: 'hi' },
    });
    unregister();
    await poll(async () => {
      const next = (await ask(t, 's1', 'service_view')).result as { notes: string };
      return next.notes === 'undefined';
    }, 'the notes namespace to go');
  });

  test('app events reach spindle.on in the runtimes that may see them', async () => {
    const registry = new ServiceRegistry();
    const t = await startTestHost(mode, {
      enable: ['probe'],
      services: registry,
      scopes: { probe: { kind: 'user', userId: 'alice' } },
    });
    t.gateway.open('s1', 'alice', ['probe']);
    registry.emit('CHAT_SWITCHED', { chatId: 'c-bob' }, { userId: 'bob' });
    registry.emit('CHAT_SWITCHED', { chatId: 'c-alice' }, { userId: 'alice' });
    registry.emit('CHAT_SWITCHED', { chatId: 'c-all' });
    await poll(async () => {
      const view = (await ask(t, 's1', 'service_view')).result as {
        heard: { appEvents: unknown[] };
      };
      return view.heard.appEvents.length >= 2;
    }, 'the app events');
    const view = (await ask(t, 's1', 'service_view')).result as { heard: { appEvents: unknown[] } };
    expect(view.heard.appEvents).toEqual([
      { payload: { chatId: 'c-alice' }, userId: 'alice' },
      { payload: { chatId: 'c-all' } },
    ]);
  });

  test('1,000 concurrent calls each settle exactly once', async () => {
    const registry = new ServiceRegistry();
    registry.register('math', {
      twice: async (_call: ServiceCall, n: number) => {
        await Bun.sleep(n % 7);
        if (n % 100 === 0) throw new SpindleError('INVALID_OPTIONS', 'round numbers refused');
        return n * 2;
      },
    });
    const t = await startTestHost(mode, { enable: ['probe'], services: registry });
    t.gateway.open('s1', 'alice', ['probe']);
    const reply = await ask(t, 's1', 'service_burst', { ns: 'math', method: 'twice', n: 1_000 });
    const { settled, results } = reply.result as { settled: number; results: unknown[] };
    expect(settled).toBe(1_000);
    expect(results).toEqual(
      Array.from({ length: 1_000 }, (_, i) => (i % 100 === 0 ? 'INVALID_OPTIONS' : i * 2)),
    );
  });

  test('a call in flight when the runtime stops, or the host closes, is aborted and never hangs', async () => {
    const { registry, aborted } = chatService();
    const t = await startTestHost(mode, {
      enable: ['probe'],
      services: registry,
      permissions: { grants: { probe: ['chats'] } },
    });
    t.gateway.open('s1', 'alice', ['probe']);
    t.gateway.sendToBackend('s1', 'probe', { op: 'service', id: 'x', ns: 'chat', method: 'hang' });
    await Bun.sleep(100);
    expect(aborted).toEqual([]);
    await t.host.disable('probe');
    await waitUntil(() => aborted.length === 1);
    expect((aborted[0] as SpindleError).code).toBe('EXTENSION_UNLOADED');

    await t.host.enable('probe');
    t.gateway.sendToBackend('s1', 'probe', { op: 'service', id: 'y', ns: 'chat', method: 'hang' });
    await Bun.sleep(100);
    await t.host.close();
    expect(aborted).toHaveLength(2);
  });
});
