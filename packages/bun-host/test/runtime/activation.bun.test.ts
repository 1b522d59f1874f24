/**
 * Lazy activation and idle hibernation with real runtimes in every mode (docs/operations.md):
 * wake on message, on mount, on an activation event and on a process spawn; idle hibernation
 * with what holds a runtime awake (a session, a timer, a subscription, a process); LRU eviction
 * at the cap; enabled state kept across hosts.
 */
import { afterEach, describe, expect, test } from 'bun:test';
import { RUNTIME_MODES } from '@spindle/types';
import { createProcessService } from '../../src/processes/service-impl.ts';
import type { RuntimeExitEvent } from '../../src/runtime/controller.ts';
import {
  ask,
  closeTestHosts,
  descendants,
  startTestHost,
  type TestHost,
  waitUntil,
} from './helpers.ts';

afterEach(async () => {
  await closeTestHosts();
  expect(descendants(process.pid)).toEqual([]);
});

function exitsOf(t: TestHost): RuntimeExitEvent[] {
  const exits: RuntimeExitEvent[] = [];
  t.host.events.on('exit', (e) => exits.push(e));
  return exits;
}

describe.each(RUNTIME_MODES)('%s mode', (mode) => {
  test('a lazy extension is hibernated at enable and wakes on its first message', async () => {
    const t = await startTestHost(mode, { enable: ['sleeper'] });
    expect(t.host.get('sleeper')).toMatchObject({
      state: 'hibernated',
      activation: { policy: 'lazy', activating: false },
    });
    expect(t.host.get('sleeper')?.pid).toBeUndefined();
    t.gateway.open('s1', 'alice', []);
    const activations: string[] = [];
    t.host.events.on('activation', (e) => activations.push(`${e.trigger}:${e.outcome}`));
    // Three messages before it runs: one start, all three answered in order.
    const replies = await Promise.all([
      ask(t, 's1', 'echo', { payload: 1 }, 'sleeper'),
      ask(t, 's1', 'echo', { payload: 2 }, 'sleeper'),
      ask(t, 's1', 'echo', { payload: 3 }, 'sleeper'),
    ]);
    expect(replies.map((r) => (r.result as { payload: number }).payload)).toEqual([1, 2, 3]);
    expect(new Set(replies.map((r) => (r.result as { instance: string }).instance)).size).toBe(1);
    expect(activations).toEqual(['message:ok']);
    expect(t.host.get('sleeper')?.state).toBe('running');
    const states = t.gateway.delivered
      .filter((d) => d.message.type === 'extension_state')
      .map((d) => {
        const { extension } = d.message as {
          extension: { state: string; activation?: { activating: boolean } };
        };
        return `${extension.state}${extension.activation?.activating ? '+activating' : ''}`;
      });
    expect(states).toContain('starting+activating');
    expect(states.at(-1)).toBe('running');
  });

  test('an app event listed in activationEvents wakes it and is delivered once it runs', async () => {
    const t = await startTestHost(mode, { enable: ['sleeper'] });
    t.host.services.emit('NUDGE', { n: 7 });
    await waitUntil(() => t.logs.some((l) => l.message === 'sleeper: nudged {"n":7}'));
    expect(t.host.get('sleeper')?.state).toBe('running');
    // An event it does not list does not wake it.
    await t.host.hibernate('sleeper');
    t.host.services.emit('OTHER_EVENT', {});
    await Bun.sleep(100);
    expect(t.host.get('sleeper')?.state).toBe('hibernated');
  });

  test('a process spawn for it wakes it; the process events reach the runtime', async () => {
    const t = await startTestHost(mode, {
      enable: ['sleeper'],
      processService: createProcessService({ logger: () => {} }),
    });
    const info = await t.host.spawnProcess('sleeper', {
      entry: 'dist/job.js',
      payload: { ms: 50 },
    });
    expect(info.state).toBe('running');
    expect(t.host.get('sleeper')?.state).toBe('running');
    t.gateway.open('s1', 'alice', []);
    await waitUntil(() => t.host.get('sleeper')?.busy?.includes('processes') === false);
    // The runtime hears of the end through its lifecycle events.
    let events: string[] = [];
    for (let i = 0; i < 100 && !events.includes('completed'); i += 1) {
      events = (await ask(t, 's1', 'process_events', {}, 'sleeper')).result as string[];
      if (!events.includes('completed')) await Bun.sleep(20);
    }
    expect(events).toEqual(['starting', 'running', 'completed']);
  });

  test('idle: hibernated after idleAfterMs with exit reason idle, woken again by a message', async () => {
    const t = await startTestHost(mode, {
      enable: ['sleeper'],
      activation: { idleAfterMs: 300 },
    });
    const exits = exitsOf(t);
    t.gateway.open('s1', 'alice', []);
    const first = await ask(t, 's1', 'echo', {}, 'sleeper');
    await waitUntil(() => t.host.get('sleeper')?.state === 'hibernated', 8000, 'hibernation');
    expect(exits.map((e) => e.reason)).toEqual(['idle']);
    expect(t.host.get('sleeper')?.activation?.lastExitReason).toBe('idle');
    const second = await ask(t, 's1', 'echo', {}, 'sleeper');
    expect((second.result as { instance: string }).instance).not.toBe(
      (first.result as { instance: string }).instance,
    );
  });

  test('a mounting session, a pending timer and an app subscription hold it awake', async () => {
    const t = await startTestHost(mode, {
      enable: ['sleeper'],
      activation: { idleAfterMs: 200 },
    });
    // A session that mounts it wakes it and keeps it.
    t.gateway.open('mounting', 'alice', ['sleeper']);
    t.gateway.events.emit('uplink', {
      session: t.gateway.getSession('mounting')!,
      message: { type: 'extension_mounted', extensionId: 'sleeper' },
    });
    await waitUntil(() => t.host.get('sleeper')?.state === 'running');
    await Bun.sleep(500);
    expect(t.host.get('sleeper')?.busy).toEqual(['sessions']);
    t.gateway.close('mounting');
    // A timer of 600 ms holds it until it fires; an unref'ed one does not.
    t.gateway.open('s1', 'alice', []);
    await ask(t, 's1', 'unref_timer', { ms: 60_000 }, 'sleeper');
    await ask(t, 's1', 'timer', { ms: 600 }, 'sleeper');
    await waitUntil(() => t.host.get('sleeper')?.busy?.includes('timers') === true);
    await waitUntil(() => t.logs.some((l) => l.message === 'sleeper: timer fired'));
    await waitUntil(() => t.host.get('sleeper')?.state === 'hibernated', 8000, 'hibernation');
    // A subscription to an app event it would miss keeps it running.
    await ask(t, 's1', 'subscribe', {}, 'sleeper');
    await waitUntil(() => t.host.get('sleeper')?.busy?.includes('subscriptions') === true);
    await Bun.sleep(500);
    expect(t.host.get('sleeper')?.state).toBe('running');
  });

  test('a live backend process and a pending request hold it awake', async () => {
    const t = await startTestHost(mode, {
      enable: ['sleeper'],
      activation: { idleAfterMs: 200 },
      processService: createProcessService({ logger: () => {} }),
    });
    let answer: (value: boolean) => void = () => {};
    t.host.services.register('held', {
      wait: () =>
        new Promise<boolean>((resolve) => {
          answer = resolve;
        }),
    });
    t.gateway.open('s1', 'alice', []);
    const state = () => t.host.get('sleeper')?.state;
    // A process of 1.2 s holds it, well past idleAfterMs; once it completed, it hibernates.
    const spawned = await ask(t, 's1', 'spawn', { ms: 1200 }, 'sleeper');
    expect(spawned.result).toHaveProperty('processId');
    await waitUntil(() => t.host.get('sleeper')?.busy?.includes('processes') === true);
    await Bun.sleep(600);
    expect(state()).toBe('running');
    await waitUntil(() => state() === 'hibernated', 8000, 'hibernation after the process');
    // A request the host has not answered holds it too, until it is answered.
    const call = ask(t, 's1', 'held_call', {}, 'sleeper');
    await waitUntil(() => t.host.get('sleeper')?.busy?.includes('requests') === true);
    await Bun.sleep(600);
    expect(state()).toBe('running');
    answer(true);
    expect((await call).result).toBe(true);
    await waitUntil(() => state() === 'hibernated', 8000, 'hibernation after the request');
  });

  test('at maxActiveRuntimes the least recently used idle runtime is evicted', async () => {
    const t = await startTestHost(mode, {
      enable: ['probe', 'sleeper'],
      activation: { maxActiveRuntimes: 1, extensions: { probe: { activation: 'lazy' } } },
    });
    const exits = exitsOf(t);
    t.gateway.open('s1', 'alice', []);
    await ask(t, 's1', 'echo', {}, 'sleeper');
    expect(t.host.get('sleeper')?.state).toBe('running');
    // The probe answers the sessions that mount it (which hold it awake), and it subscribes to
    // CHAT_SWITCHED: it is not idle, so it cannot be evicted in turn.
    t.gateway.open('s2', 'alice', ['probe']);
    const reply = await ask(t, 's2', 'echo', { payload: 'x' }, 'probe');
    expect((reply.result as { payload: string }).payload).toBe('x');
    expect(t.host.get('sleeper')?.state).toBe('hibernated');
    expect(exits.map((e) => [e.extensionId, e.reason])).toEqual([['sleeper', 'evicted']]);
    // Nothing idle to evict: the sleeper's activation waits, then fails; its message is dropped.
    t.host.configure({
      activation: {
        maxActiveRuntimes: 1,
        capacityWaitMs: 300,
        extensions: { probe: { activation: 'lazy' } },
      },
    });
    await expect(t.host.wake('sleeper')).rejects.toMatchObject({ code: 'CAPACITY_EXCEEDED' });
    expect(t.host.get('sleeper')?.state).toBe('hibernated');
  });
});

describe('enabled state', () => {
  test('disable survives a new host over the same data folder; enable clears it', async () => {
    const first = await startTestHost('worker', { enable: ['probe'] });
    await first.host.disable('probe');
    const second = await startTestHost('worker', { enable: ['probe'], dataDir: first.dataDir });
    expect(second.host.get('probe')?.state).toBe('disabled');
    await second.host.enable('probe');
    const third = await startTestHost('worker', { enable: [], dataDir: first.dataDir });
    expect(third.host.get('probe')?.state).toBe('running');
  });
});
