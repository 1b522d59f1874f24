/**
 * The test kit's frontend double against a real backend half, in every runtime mode: messages
 * both ways with the sending user, answers routed to the asking tab, a broadcast reaching every
 * tab, a message to one user, a second tab of a user, and a closed tab seen by the backend.
 */
import { afterEach, describe, expect, setDefaultTimeout, test } from 'bun:test';
import { RUNTIME_MODES } from '@spindle/types';
import { type BackendTestHost, createBackendTestHost } from '../../src/testing/index.ts';
import { ask, ECHO_BACKEND, PROBE } from './helpers.ts';

setDefaultTimeout(60_000);

const hosts: BackendTestHost[] = [];
afterEach(async () => {
  for (const t of hosts.splice(0)) await t.dispose();
});

describe.each(RUNTIME_MODES)('%s mode', (mode) => {
  test('messages both ways, routed by user and tab', async () => {
    const t = await createBackendTestHost({ extensionDir: PROBE, mode, users: ['alice', 'bob'] });
    hosts.push(t);
    expect(t.mode).toBe(mode);
    expect(t.info()).toMatchObject({ state: 'running', runtimeMode: mode });
    expect(await ask(t, 'echo', { value: 1 })).toEqual({
      echo: 1,
      userId: 'alice',
      label: 'probe:kit_probe',
    });
    expect(await ask(t, 'echo', { value: 2 }, 'bob')).toMatchObject({ echo: 2, userId: 'bob' });
    // Answers went to the asking tab only.
    expect(
      t.frontend.tab('alice').messages.map((m) => (m.payload as { id: number }).id),
    ).toHaveLength(1);

    await ask(t, 'broadcast', { value: 'all' });
    await t.frontend.waitForMessage(
      (m) => m.userId === 'bob' && (m.payload as { broadcast?: string }).broadcast === 'all',
    );
    await ask(t, 'toUser', { value: 'psst', target: 'bob' });
    const direct = await t.frontend.waitForMessage((m) => 'direct' in (m.payload as object));
    expect(direct).toMatchObject({
      userId: 'bob',
      frontendSessionId: t.frontend.tab('bob').sessionId,
    });
    expect(t.frontend.tab('alice').messages.some((m) => 'direct' in (m.payload as object))).toBe(
      false,
    );
    await t.waitForLog('kit probe up (probe:ready)');
  });
});

test('a second tab is its own session; a closed tab is seen by the backend', async () => {
  const t = await createBackendTestHost({ extensionDir: PROBE });
  hosts.push(t);
  const first = t.frontend.tab();
  const second = await t.frontend.open('alice');
  expect(second.sessionId).not.toBe(first.sessionId);
  expect(t.frontend.tabs).toHaveLength(2);
  const seen: unknown[] = [];
  const off = t.frontend.onMessage((m) => seen.push(m.frontendSessionId));
  second.send({ id: -1, cmd: 'echo', value: 'from the second tab' });
  await t.frontend.waitForMessage((m) => (m.payload as { id?: number }).id === -1);
  expect(seen).toEqual([second.sessionId]);
  off();
  await second.close();
  expect(t.frontend.tabs).toEqual([first]);
  let events: Array<{ event: string; payload: { userId?: string; frontendSessionId?: string } }> =
    [];
  for (let i = 0; i < 200; i += 1) {
    events = (await ask(t, 'events')) as typeof events;
    if (events.some((e) => e.event === 'FRONTEND_SESSION_CLOSED')) break;
    await Bun.sleep(25);
  }
  expect(events).toContainEqual({
    event: 'FRONTEND_SESSION_CLOSED',
    payload: { userId: 'alice', frontendSessionId: second.sessionId },
  });
});

test('a one-file backend module runs as the whole backend half, with manifest overrides', async () => {
  const t = await createBackendTestHost({
    backend: ECHO_BACKEND,
    manifest: { identifier: 'echo_only', name: 'Echo' },
    users: ['carol'],
  });
  hosts.push(t);
  expect(t.extensionId).toBe('echo_only');
  t.frontend.send('hi');
  expect((await t.frontend.waitForMessage()).payload).toEqual({
    echo: 'hi',
    userId: 'carol',
    identifier: 'echo_only',
  });
});

test('bad options are refused with a clear error', async () => {
  await expect(createBackendTestHost({})).rejects.toThrow(
    'give exactly one of extensionDir and backend',
  );
  await expect(createBackendTestHost({ backend: ECHO_BACKEND, users: [] })).rejects.toMatchObject({
    code: 'INVALID_OPTIONS',
  });
  const t = await createBackendTestHost({ backend: ECHO_BACKEND });
  hosts.push(t);
  expect(() => t.frontend.send('x', { userId: 'mallory' })).toThrow('mallory has no open tab');
  await expect(t.frontend.open('mallory')).rejects.toThrow('no user "mallory" (users: alice)');
  await expect(t.frontend.waitForMessage(() => false, { timeoutMs: 50 })).rejects.toMatchObject({
    code: 'TIMEOUT',
  });
});
