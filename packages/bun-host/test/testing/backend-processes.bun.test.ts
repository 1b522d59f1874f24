/**
 * Backend processes under a test host, in every runtime mode: real subprocesses with the host's
 * supervision. The whole lifecycle (spawn, ready, messages both ways, heartbeats, a graceful
 * stop), a heartbeat timeout with the deadline compressed by the test host (the extension asks
 * for 15 s), a startup timeout, and the same 15 s watchdog passed on a test clock.
 */
import { afterEach, describe, expect, setDefaultTimeout, test } from 'bun:test';
import { RUNTIME_MODES } from '@spindle/types';
import {
  type BackendTestHost,
  createBackendTestHost,
  createTestClock,
} from '../../src/testing/index.ts';
import { ask, descendants, isAlive, PROBE } from './helpers.ts';

setDefaultTimeout(60_000);

const hosts: BackendTestHost[] = [];
afterEach(async () => {
  for (const t of hosts.splice(0)) await t.dispose();
});

async function start(options: Parameters<typeof createBackendTestHost>[0]) {
  const t = await createBackendTestHost(options);
  hosts.push(t);
  return t;
}

describe.each(RUNTIME_MODES)('%s mode', (mode) => {
  test('full lifecycle: spawn, ready, messages both ways, heartbeats, stop', async () => {
    const t = await start({ extensionDir: PROBE, mode });
    const before = new Set(descendants(process.pid));
    const processId = (await ask(t, 'child.spawn', { payload: { start: 10 } })) as string;
    const running = t.processes.get(processId);
    expect(running).toMatchObject({
      side: 'backend',
      kind: 'counter',
      state: 'running',
      userId: 'alice',
    });
    // A real subprocess of the host.
    const spawned = descendants(process.pid).filter((pid) => !before.has(pid));
    expect(spawned.length).toBeGreaterThan(0);

    await ask(t, 'child.send', { processId, payload: 'a' });
    await ask(t, 'child.send', { processId, payload: 'b' });
    let messages: Array<{ payload: { count?: number } }> = [];
    for (let i = 0; i < 400 && messages.length < 2; i += 1) {
      messages = (await ask(t, 'child.messages')) as typeof messages;
      if (messages.length < 2) await Bun.sleep(10);
    }
    expect(messages.map((m) => m.payload.count)).toEqual([11, 12]);
    await t.processes.waitFor((r) => r.processId === processId && r.lastHeartbeatAt !== undefined);

    await ask(t, 'child.stop', { processId });
    const ended = await t.processes.waitFor(
      (r) => r.processId === processId && r.state === 'stopped',
    );
    expect(ended.exitReason).toBe('stopped');
    expect(await ask(t, 'child.get', { processId })).toMatchObject({ state: 'stopped' });
    await t.processes.waitFor(() => spawned.every((pid) => !isAlive(pid)));
  });

  test('a heartbeat timeout within the compressed deadline (the extension asked for 15 s)', async () => {
    const t = await start({ extensionDir: PROBE, mode, deadlines: { maxHeartbeatMs: 300 } });
    const processId = (await ask(t, 'child.spawn', {
      payload: { silent: true },
      heartbeatTimeoutMs: 15_000,
    })) as string;
    const ended = await t.processes.waitFor(
      (r) => r.processId === processId && r.state === 'timed_out',
    );
    expect(ended.error).toMatch(/heartbeat/i);
  });
});

test('a startup timeout: a child that never calls ready() ends timed_out, spawn() rejects', async () => {
  const t = await start({ extensionDir: PROBE, deadlines: { minStartupMs: 50 } });
  t.frontend.send({
    id: 'slow',
    cmd: 'child.spawn',
    payload: { noReady: true },
    startupTimeoutMs: 200,
  });
  const answer = await t.frontend.waitForMessage(
    (m) => (m.payload as { id?: string }).id === 'slow',
  );
  expect(answer.payload).toMatchObject({ error: { code: 'SPAWN_TIMEOUT' } });
  const row = await t.processes.waitFor((r) => r.kind === 'counter' && r.state === 'timed_out');
  expect(row.exitReason).toBe('timed_out');
});

test('a test clock passes a 15 s heartbeat deadline in no real time', async () => {
  const clock = createTestClock();
  const t = await start({ extensionDir: PROBE, clock });
  const processId = (await ask(t, 'child.spawn', {
    payload: { silent: true },
    heartbeatTimeoutMs: 15_000,
  })) as string;
  await clock.advance(14_000);
  expect(t.processes.get(processId)?.state).toBe('running');
  await clock.advance(1_500);
  const ended = await t.processes.waitFor(
    (r) => r.processId === processId && r.state === 'timed_out',
  );
  expect(Date.parse(ended.endedAt ?? '') - Date.parse(ended.startedAt)).toBeGreaterThanOrEqual(
    15_000,
  );
});
