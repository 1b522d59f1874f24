/**
 * Frontend processes driven by the scripted frontend: the test registers a handler; the backend
 * spawns that kind for a user and the tab of that user runs it (payload, messages both ways,
 * heartbeats, a graceful stop), with the host's deadlines; a kind registered for one user only
 * is unknown to the others' tabs.
 */
import { afterEach, expect, setDefaultTimeout, test } from 'bun:test';
import type { SpindleFrontendProcessContext } from '@spindle/types';
import { type BackendTestHost, createBackendTestHost } from '../../src/testing/index.ts';
import { ask, PROBE } from './helpers.ts';

setDefaultTimeout(60_000);

const hosts: BackendTestHost[] = [];
afterEach(async () => {
  for (const t of hosts.splice(0)) await t.dispose();
});

test('the backend spawns a kind the test scripted; both ways, then a graceful stop', async () => {
  const t = await createBackendTestHost({ extensionDir: PROBE, users: ['alice', 'bob'] });
  hosts.push(t);
  const ran: Array<{ userId: string; payload: unknown }> = [];
  const stopped: string[] = [];
  for (const userId of ['alice', 'bob']) {
    t.frontend.processes.register(
      'ticker',
      (process: SpindleFrontendProcessContext) => {
        ran.push({ userId, payload: process.payload });
        const beat = setInterval(() => process.heartbeat(), 50);
        process.onMessage((message) => process.send({ pong: message, userId }));
        process.onStop(() => {
          stopped.push(process.processId);
          process.complete();
        });
        process.ready();
        return () => clearInterval(beat);
      },
      { userId },
    );
  }
  const processId = (await ask(
    t,
    'frontend.spawn',
    {
      kind: 'ticker',
      payload: { every: 50 },
      heartbeatTimeoutMs: 2_000,
    },
    'bob',
  )) as string;
  expect(ran).toEqual([{ userId: 'bob', payload: { every: 50 } }]);
  const row = await t.processes.waitFor((r) => r.processId === processId);
  expect(row).toMatchObject({
    side: 'frontend',
    kind: 'ticker',
    state: 'running',
    userId: 'bob',
    sessionId: t.frontend.tab('bob').sessionId,
  });
  await ask(t, 'frontend.send', { processId, payload: 'ping' }, 'bob');
  let messages: unknown[] = [];
  for (let i = 0; i < 400 && messages.length === 0; i += 1) {
    messages = (await ask(t, 'frontend.messages', {}, 'bob')) as unknown[];
    if (messages.length === 0) await Bun.sleep(10);
  }
  expect(messages).toEqual([
    { processId, payload: { pong: 'ping', userId: 'bob' }, userId: 'bob' },
  ]);
  await t.processes.waitFor((r) => r.processId === processId && r.lastHeartbeatAt !== undefined);
  await ask(t, 'frontend.stop', { processId }, 'bob');
  const ended = await t.processes.waitFor(
    (r) => r.processId === processId && r.state === 'stopped',
  );
  expect(ended.exitReason).toBe('stopped');
  expect(stopped).toEqual([processId]);
});

test('an unregistered kind fails the spawn; unregistering removes it from every tab', async () => {
  const t = await createBackendTestHost({ extensionDir: PROBE });
  hosts.push(t);
  const off = t.frontend.processes.register('once', (process) => process.ready());
  off();
  t.frontend.send({ id: 'x', cmd: 'frontend.spawn', kind: 'once' });
  const answer = await t.frontend.waitForMessage((m) => (m.payload as { id?: string }).id === 'x');
  expect(JSON.stringify(answer.payload)).toContain('once');
  expect((answer.payload as { error?: unknown }).error).toBeDefined();
});
