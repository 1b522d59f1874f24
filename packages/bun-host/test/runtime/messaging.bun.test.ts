/**
 * The `spindle` global's messaging, logging and surface, in every runtime mode, through an
 * in-process fake frontend gateway.
 */
import { afterEach, describe, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { DEFAULT_LUMIVERSE_VERSION, RUNTIME_MODES } from '@spindle/types';
import {
  ask,
  closeTestHosts,
  descendants,
  startTestHost,
  type TestHost,
  waitUntil,
} from './helpers.ts';

/** Sessions that received a backend message whose `result` is `result`. */
function sessionsGot(t: TestHost, result: string): string[] {
  return t.gateway.delivered
    .filter((d) => (d.message as { payload?: { result?: unknown } }).payload?.result === result)
    .map((d) => d.sessionId);
}

afterEach(async () => {
  await closeTestHosts();
  expect(descendants(process.pid)).toEqual([]);
});

describe.each(RUNTIME_MODES)('%s mode', (mode) => {
  test('starts the probe and reports the runtime', async () => {
    const t = await startTestHost(mode, { enable: ['probe'] });
    const info = t.host.get('probe');
    expect(info?.state).toBe('running');
    expect(info?.runtimeMode).toBe(mode);
    if (mode === 'worker') expect(info?.pid).toBe(process.pid);
    else expect(info?.pid).not.toBe(process.pid);
    if (mode === 'sandbox') expect(info?.sandbox).toBeDefined();
    expect(t.logs.some((l) => l.extensionId === 'probe' && l.message === 'probe: imported')).toBe(
      true,
    );
  });

  test("init rides in a subprocess runtime's environment, unseen by the extension", async () => {
    const t = await startTestHost(mode, { enable: ['probe'] });
    t.gateway.open('s1', 'alice', ['probe']);
    const reply = await ask(t, 's1', 'init_env_visible');
    expect(reply.result).toBe(false);
    if (mode === 'process' && process.platform === 'linux') {
      const pid = t.host.get('probe')?.pid ?? -1;
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      const entry = environ.find((e) => e.startsWith('SPINDLE_RUNTIME_INIT='));
      expect(JSON.parse(entry?.slice('SPINDLE_RUNTIME_INIT='.length) ?? 'null')).toMatchObject({
        type: 'init',
        runtimeMode: 'process',
        manifest: { identifier: 'probe' },
      });
    }
  });

  test('onFrontendMessage gets payload, userId and session; sendToFrontend(payload, userId) reaches that user only', async () => {
    const t = await startTestHost(mode, { enable: ['probe'] });
    t.gateway.open('s-alice-1', 'alice', ['probe']);
    t.gateway.open('s-alice-2', 'alice', ['probe']);
    t.gateway.open('s-bob', 'bob', ['probe']);
    const reply = await ask(t, 's-alice-1', 'echo', { payload: { n: [1, 2] } });
    expect(reply.result).toEqual({
      payload: { n: [1, 2] },
      userId: 'alice',
      sessionId: 's-alice-1',
    });
    await waitUntil(() => t.gateway.backendMessages('s-alice-2').length === 1);
    expect(t.gateway.backendMessages('s-bob')).toEqual([]);
  });

  test('sendToFrontend with { frontendSessionId } and { userId } targets', async () => {
    const t = await startTestHost(mode, { enable: ['probe'] });
    t.gateway.open('s-a1', 'alice', ['probe']);
    t.gateway.open('s-a2', 'alice', ['probe']);
    t.gateway.open('s-b', 'bob', ['probe']);
    // The targeted send leaves the runtime before the reply, on the same ordered channel.
    await ask(t, 's-a1', 'send_session');
    expect(sessionsGot(t, 'to-session')).toEqual(['s-a1']);
    await ask(t, 's-a1', 'send_user', { target: 'bob' });
    expect(sessionsGot(t, 'to-user')).toEqual(['s-b']);
  });

  test('an untargeted send reaches every session that has the extension mounted (upstream broadcast)', async () => {
    const t = await startTestHost(mode, { enable: ['probe'] });
    t.gateway.open('s1', 'alice', ['probe']);
    t.gateway.open('s2', 'bob', ['probe']);
    t.gateway.open('s3', 'carol', []);
    await ask(t, 's1', 'send_untargeted');
    await waitUntil(() => sessionsGot(t, 'everyone').length === 2);
    expect(sessionsGot(t, 'everyone').sort()).toEqual(['s1', 's2']);
    expect(t.logs.some((l) => l.message.includes('sendToFrontend refused'))).toBe(false);
  });

  test('log.info/warn/error reach the host log tagged with the extension', async () => {
    const t = await startTestHost(mode, { enable: ['probe'] });
    t.gateway.open('s1', 'alice', ['probe']);
    await ask(t, 's1', 'log');
    await waitUntil(() => t.logs.some((l) => l.message.includes('probe console line')));
    const lines = t.logs.filter((l) => l.extensionId === 'probe' && l.source === 'runtime');
    const info = lines.find((l) => l.message === 'probe info { n: 1 }');
    expect(info).toEqual({
      level: 'info',
      message: 'probe info { n: 1 }',
      extensionId: 'probe',
      source: 'runtime',
      runtimeMode: mode,
      pid: t.host.get('probe')?.pid,
    });
    expect(lines.find((l) => l.message === 'probe warn')?.level).toBe('warn');
    expect(lines.find((l) => l.message === 'probe error')?.level).toBe('error');
  });

  test('members we do not implement are undefined', async () => {
    const t = await startTestHost(mode, { enable: ['probe'] });
    t.gateway.open('s1', 'alice', ['probe']);
    const reply = await ask(t, 's1', 'members');
    expect(reply.result).toEqual({
      implemented: [
        'backendProcesses',
        'frontendProcesses',
        'host',
        'log',
        'manifest',
        'on',
        'onFrontendMessage',
        'permissions',
        'sendToFrontend',
        'storage',
        'userStorage',
      ],
      upstreamOnly: {
        chats: 'undefined',
        characters: 'undefined',
        generate: 'undefined',
        ui: 'undefined',
        events: 'undefined',
      },
      manifestIdentifier: 'probe',
      host: {
        descriptorVersion: 1,
        lumiverseVersion: DEFAULT_LUMIVERSE_VERSION,
        capabilities: { 'frontend-session-routing-v1': 1 },
        extensionInstallationId: 'probe',
      },
    });
  });

  test('process requests without process supervision settle with a clear error', async () => {
    const t = await startTestHost(mode, { enable: ['probe'] });
    t.gateway.open('s1', 'alice', ['probe']);
    const reply = await ask(t, 's1', 'processes');
    expect(reply.error).toEqual({
      code: 'INTERNAL',
      message: '[spindle] process supervision is not configured',
    });
  });

  test('payloads mean the same in every mode: what JSON cannot carry is dropped or converted as JSON does', async () => {
    const t = await startTestHost(mode, { enable: ['probe'] });
    t.gateway.open('s1', 'alice', ['probe']);
    expect((await ask(t, 's1', 'json_semantics')).result).toBe('sent');
    const shape = t.gateway
      .backendMessages('s1')
      .find((m) => (m as { result?: unknown }).result === 'shape');
    expect(shape).toEqual({
      op: 'json_semantics',
      result: 'shape',
      when: '1970-01-01T00:00:00.000Z',
      list: [1, null, null],
      nested: { keep: 1 },
    });
  });

  test('a message JSON cannot write is dropped with an error; the rest of its batch arrives in order', async () => {
    const t = await startTestHost(mode, { enable: ['probe'] });
    t.gateway.open('s1', 'alice', ['probe']);
    expect((await ask(t, 's1', 'unwritable')).result).toBe('sent');
    expect(sessionsGot(t, 'before')).toEqual(['s1']);
    expect(sessionsGot(t, 'after')).toEqual(['s1']);
    const results = t.gateway
      .backendMessages('s1')
      .map((m) => (m as { result?: unknown }).result)
      .filter((r) => r === 'before' || r === 'after' || r === undefined);
    expect(results).toEqual(['before', 'after']);
    await waitUntil(
      () =>
        t.logs.filter((l) =>
          l.message.includes('a send_to_frontend message was dropped: it cannot be sent as JSON'),
        ).length === 2,
    );
    expect(t.host.get('probe')?.state).toBe('running');
  });

  test('a request whose data JSON cannot write rejects at once with INVALID_OPTIONS', async () => {
    const t = await startTestHost(mode, { enable: ['probe'] });
    t.gateway.open('s1', 'alice', ['probe']);
    const reply = await ask(t, 's1', 'unwritable_request');
    expect(reply.error).toEqual({
      code: 'INVALID_OPTIONS',
      message: expect.stringMatching(
        /^\[spindle\] backend_process_spawn cannot be sent to the host: its data is not JSON \(.+\)$/,
      ),
    });
    // The runtime goes on: its next request is answered.
    expect((await ask(t, 's1', 'echo', { payload: 1 })).result).toMatchObject({ payload: 1 });
  });

  test('garbage from a runtime is refused and logged; the runtime and host carry on', async () => {
    const t = await startTestHost(mode, { enable: ['probe'] });
    t.gateway.open('s1', 'alice', ['probe']);
    await ask(t, 's1', 'garbage');
    await waitUntil(
      () =>
        t.logs.filter((l) => l.extensionId === 'probe' && l.message.includes('rejected')).length >=
        4,
    );
    expect(t.host.get('probe')?.state).toBe('running');
    expect((await ask(t, 's1', 'echo', { payload: 'still here' })).result).toMatchObject({
      payload: 'still here',
    });
  });

  test('messages sent while the runtime starts wait and arrive once it runs; a disabled extension drops them', async () => {
    const t = await startTestHost(mode);
    t.gateway.open('s1', 'alice', ['probe']);
    t.gateway.sendToBackend('s1', 'probe', { op: 'echo', id: 'early-0', payload: 'too early' });
    t.host.events.on('state', (change) => {
      if (change.state === 'starting') {
        t.gateway.sendToBackend('s1', 'probe', {
          op: 'echo',
          id: 'early-1',
          payload: 'while starting',
        });
      }
    });
    await t.host.enable('probe');
    const reply = await t.gateway.waitFor(
      (d) => (d.message as { payload?: { id?: string } }).payload?.id === 'early-1',
    );
    expect((reply.message as { payload: { result: unknown } }).payload.result).toMatchObject({
      payload: 'while starting',
    });
    expect(
      t.logs.some((l) => l.message === 'dropped a frontend message: the extension is disabled'),
    ).toBe(true);
    expect(
      t.gateway.delivered.some(
        (d) => (d.message as { payload?: { id?: string } }).payload?.id === 'early-0',
      ),
    ).toBe(false);
  });

  test('frontend messages to a user-scoped extension from another user are dropped', async () => {
    const t = await startTestHost(mode, {
      enable: ['probe'],
      scopes: { probe: { kind: 'user', userId: 'alice' } },
    });
    t.gateway.open('s-alice', 'alice', ['probe']);
    t.gateway.open('s-bob', 'bob', ['probe']);
    t.gateway.sendToBackend('s-bob', 'probe', { op: 'echo', id: -1, payload: 'from bob' });
    await waitUntil(() =>
      t.logs.some((l) => l.message.includes('dropped a frontend message from user bob')),
    );
    const reply = await ask(t, 's-alice', 'echo', { payload: 'from alice' });
    expect(reply.result).toMatchObject({ payload: 'from alice', userId: 'alice' });
    expect(t.gateway.backendMessages('s-bob')).toEqual([]);
  });
});
