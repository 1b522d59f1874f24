/**
 * App services as test doubles: the test fills the host's registry before the backend starts;
 * the backend's `spindle.<namespace>` calls reach the double with the call context; a service
 * the extension has no grant for is refused; app events the test emits reach `spindle.on`.
 */
import { afterEach, expect, setDefaultTimeout, test } from 'bun:test';
import type { ServiceCall } from '../../src/services/index.ts';
import { type BackendTestHost, createBackendTestHost } from '../../src/testing/index.ts';
import { ask, PROBE } from './helpers.ts';

setDefaultTimeout(60_000);

const hosts: BackendTestHost[] = [];
afterEach(async () => {
  for (const t of hosts.splice(0)) await t.dispose();
});

test('a service double answers with the call context; app events reach spindle.on', async () => {
  const calls: Array<{ extensionId: string; chatId: string }> = [];
  const t = await createBackendTestHost({
    extensionDir: PROBE,
    services: (registry) =>
      registry.register(
        'chat',
        {
          getMessages: (call: ServiceCall, chatId: string) => {
            calls.push({ extensionId: call.extensionId, chatId });
            return [`hello in ${chatId}`];
          },
        },
        { permission: 'chats', version: 1 },
      ),
  });
  hosts.push(t);
  expect(await ask(t, 'chat', { chatId: 'c1' })).toEqual(['hello in c1']);
  expect(calls).toEqual([{ extensionId: 'kit_probe', chatId: 'c1' }]);
  t.emit('CHAT_SWITCHED', { chatId: 'c2' }, { userId: 'alice' });
  let events: unknown[] = [];
  for (let i = 0; i < 400 && events.length === 0; i += 1) {
    events = (await ask(t, 'events')) as unknown[];
    if (events.length === 0) await Bun.sleep(10);
  }
  expect(events).toEqual([{ event: 'CHAT_SWITCHED', payload: { chatId: 'c2' }, userId: 'alice' }]);
});

test('without the grant the call is refused with PERMISSION_DENIED', async () => {
  const t = await createBackendTestHost({
    extensionDir: PROBE,
    permissions: { deny: ['chats'] },
    services: (registry) =>
      registry.register('chat', { getMessages: () => ['never'] }, { permission: 'chats' }),
  });
  hosts.push(t);
  const refused = await ask(t, 'chat', { chatId: 'c1' }).then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(String(refused)).toContain(
    'PERMISSION_DENIED: chat.getMessages needs the "chats" permission, which kit_probe has not been granted',
  );
  await t.waitForLog('chat.getMessages refused: the "chats" permission is not granted');
});
