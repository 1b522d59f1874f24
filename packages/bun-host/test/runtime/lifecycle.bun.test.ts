/**
 * Runtime lifecycle with real runtimes in every mode: failures at start, stop and kill, crash
 * restart, the crash limit, serialized enable/disable, and a host that keeps going.
 */
import { afterEach, describe, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { RUNTIME_MODES } from '@spindle/types';
import type { RuntimeExitEvent } from '../../src/runtime/controller.ts';
import { findExecutable } from '../../src/sandbox/detect.ts';
import {
  ask,
  closeTestHosts,
  descendants,
  isAlive,
  startTestHost,
  TEST_TIMING,
  waitUntil,
} from './helpers.ts';

/** Process group and session of `pid`, from /proc (fields 5 and 6 of its stat). */
function groupAndSession(pid: number): { pgid: number; sid: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { pgid: Number(fields[2]), sid: Number(fields[3]) };
}

afterEach(async () => {
  await closeTestHosts();
  expect(descendants(process.pid)).toEqual([]);
});

describe('host', () => {
  test('a bad manifest puts that extension in error; the others still start', async () => {
    const t = await startTestHost('process', { enable: ['probe'] });
    const bad = t.host.get('Bad-Name');
    expect(bad?.state).toBe('error');
    expect(bad?.error).toContain('invalid spindle.json');
    expect(bad?.manifest).toBeUndefined();
    expect(t.host.get('probe')?.state).toBe('running');
    await expect(t.host.enable('Bad-Name')).rejects.toMatchObject({ code: 'INVALID_MANIFEST' });
    await expect(t.host.enable('nope')).rejects.toMatchObject({ code: 'EXTENSION_NOT_FOUND' });
  });

  test('every state change is broadcast to frontend sessions as extension_state', async () => {
    const t = await startTestHost('process');
    t.gateway.open('s1', 'alice', []);
    await t.host.enable('probe');
    await t.host.disable('probe');
    const states = t.gateway.delivered
      .filter((d) => d.message.type === 'extension_state')
      .map((d) => {
        const { extension } = d.message as { extension: { identifier: string; state: string } };
        return `${extension.identifier}:${extension.state}`;
      });
    expect(states).toEqual(['probe:starting', 'probe:running', 'probe:stopping', 'probe:disabled']);
  });
});

describe.each(RUNTIME_MODES)('%s mode', (mode) => {
  test('an entry that throws at import: failed, with the message and the stderr tail', async () => {
    const t = await startTestHost(mode);
    const exits: RuntimeExitEvent[] = [];
    t.host.events.on('exit', (e) => exits.push(e));
    const info = await t.host.enable('broken_import');
    expect(info.state).toBe('failed');
    expect(info.error).toContain('kaboom at import');
    expect(info.error).toContain('stderr:');
    if (mode !== 'worker') expect(info.error).toContain('broken_import: about to fail');
    expect(exits.map((e) => e.reason)).toEqual(['import_failed']);
  });

  test('an entry that never finishes importing: ready_timeout', async () => {
    const t = await startTestHost(mode, { timing: { ...TEST_TIMING, readyTimeoutMs: 800 } });
    const exits: RuntimeExitEvent[] = [];
    t.host.events.on('exit', (e) => exits.push(e));
    const info = await t.host.enable('hang_import');
    expect(info.state).toBe('failed');
    expect(info.error).toContain('did not report ready within 800 ms');
    expect(exits.map((e) => e.reason)).toEqual(['ready_timeout']);
  });

  test('closing the host cuts a start that waits for ready short', async () => {
    // A ready deadline far beyond the test's own timeout: only the abort can end this start.
    const t = await startTestHost(mode, { timing: { ...TEST_TIMING, readyTimeoutMs: 600_000 } });
    const exits: RuntimeExitEvent[] = [];
    t.host.events.on('exit', (e) => exits.push(e));
    const enabling = t.host.enable('hang_import');
    await waitUntil(() => t.logs.some((l) => l.message === 'hang_import: waiting forever'));
    await t.host.close();
    expect((await enabling).state).toBe('disabled');
    expect(exits.map((e) => e.reason)).toEqual(['stopped']);
  });

  test('a missing entry: failed with a clear message', async () => {
    const t = await startTestHost(mode);
    const info = await t.host.enable('missing_entry');
    expect(info.state).toBe('failed');
    expect(info.error).toMatch(/backend entry .*dist\/backend\.js does not exist/);
  });

  test('disable stops a healthy runtime (stopped) and a blocked one (killed)', async () => {
    const t = await startTestHost(mode, {
      enable: ['probe', 'blocked'],
      timing: { ...TEST_TIMING, shutdownTimeoutMs: 300, killGraceMs: 300 },
    });
    const exits: RuntimeExitEvent[] = [];
    t.host.events.on('exit', (e) => exits.push(e));
    const probePid = t.host.get('probe')?.pid ?? 0;
    await Bun.sleep(150); // the blocked fixture spins 50 ms after ready
    await t.host.disable('probe');
    await t.host.disable('blocked');
    expect(exits.map((e) => [e.extensionId, e.reason])).toEqual([
      ['probe', 'stopped'],
      ['blocked', 'killed'],
    ]);
    expect(t.host.get('probe')?.state).toBe('disabled');
    expect(t.host.get('blocked')?.state).toBe('disabled');
    if (mode !== 'worker') expect(isAlive(probePid)).toBe(false);
  });

  test.skipIf(mode === 'worker')(
    'a runtime leads its own process group, and a forced stop kills what it started',
    async () => {
      const t = await startTestHost(mode, {
        enable: ['probe'],
        timing: { ...TEST_TIMING, shutdownTimeoutMs: 300, killGraceMs: 300 },
      });
      t.gateway.open('s1', 'alice', ['probe']);
      const pid = t.host.get('probe')?.pid ?? 0;
      const ids = groupAndSession(pid);
      expect(ids.pgid).toBe(pid);
      expect(ids.sid).toBe(pid);
      const cmd = [findExecutable('sleep') ?? '/bin/sleep', '60'];
      if (mode === 'sandbox') {
        // A sandboxed runtime executes nothing (seccomp): what it starts, it starts through
        // backendProcesses.
        const refused = await ask(t, 's1', 'spawn_idle_child', { cmd });
        expect(refused.error?.message).toMatch(/EPERM|not permitted/);
        return;
      }
      expect(typeof (await ask(t, 's1', 'spawn_idle_child', { cmd })).result).toBe('number');
      const tree = descendants(pid);
      expect(tree.length).toBeGreaterThan(0);
      expect((await ask(t, 's1', 'block')).result).toBe('blocking');
      await Bun.sleep(100);
      const exits: RuntimeExitEvent[] = [];
      t.host.events.on('exit', (e) => exits.push(e));
      await t.host.disable('probe');
      expect(exits.map((e) => e.reason)).toEqual(['killed']);
      // Its own child goes with it.
      await waitUntil(() => [pid, ...tree].every((p) => !isAlive(p)), 5_000, 'the group gone');
    },
  );

  test('a crash is restarted with backoff and the runtime serves again', async () => {
    const t = await startTestHost(mode, { enable: ['probe'] });
    t.gateway.open('s1', 'alice', ['probe']);
    const states: string[] = [];
    const exits: RuntimeExitEvent[] = [];
    t.host.events.on('state', (c) => states.push(c.state));
    t.host.events.on('exit', (e) => exits.push(e));
    expect((await ask(t, 's1', 'crash')).result).toBe('crashing');
    await waitUntil(
      () => states.includes('restarting') && t.host.get('probe')?.state === 'running',
    );
    expect(states).toEqual(['restarting', 'starting', 'running']);
    expect(exits.map((e) => e.reason)).toEqual(['crashed']);
    expect(exits[0]?.stderrTail).toContain('probe: crashing on request');
    expect((await ask(t, 's1', 'echo', { payload: 'back' })).result).toMatchObject({
      payload: 'back',
    });
  });

  test('three crashes within the window leave the extension crashed until enabled again', async () => {
    const t = await startTestHost(mode);
    const exits: RuntimeExitEvent[] = [];
    t.host.events.on('exit', (e) => exits.push(e));
    await t.host.enable('crash_loop');
    await waitUntil(() => t.host.get('crash_loop')?.state === 'crashed');
    expect(exits.map((e) => e.reason)).toEqual(['crashed', 'crashed', 'crashed']);
    expect(t.host.get('crash_loop')?.error).toContain('3 crashes');
    await Bun.sleep(200);
    expect(exits).toHaveLength(3);
    const again = await t.host.enable('crash_loop');
    expect(again.state).toBe('running');
    await t.host.disable('crash_loop');
  });

  test('concurrent enable/disable/restart are serialized: never two runtimes at once', async () => {
    const t = await startTestHost(mode);
    let live = 0;
    let maxLive = 0;
    t.host.events.on('state', (c) => {
      if (c.state === 'running') live += 1;
      maxLive = Math.max(maxLive, live);
    });
    t.host.events.on('exit', () => {
      live -= 1;
    });
    await Promise.all([
      t.host.enable('probe'),
      t.host.disable('probe'),
      t.host.enable('probe'),
      t.host.restart('probe'),
      t.host.enable('probe'),
    ]);
    expect(maxLive).toBe(1);
    expect(live).toBe(1);
    expect(t.host.get('probe')?.state).toBe('running');
  });
});

describe('server factory', () => {
  test('is started after discovery and stopped first by close()', async () => {
    const order: string[] = [];
    const t = await startTestHost('worker', {
      enable: ['probe'],
      server: (host) => {
        order.push(
          `start with ${host.list().length} extensions, probe ${host.get('probe')?.state}`,
        );
        return {
          port: 4321,
          stop: () => void order.push(`stop, probe ${host.get('probe')?.state}`),
        };
      },
    });
    expect(t.host.port).toBe(4321);
    await t.host.close();
    expect(order).toEqual(['start with 8 extensions, probe disabled', 'stop, probe running']);
  });

  test('a server that fails to start fails createSpindleHost', async () => {
    await expect(
      startTestHost('worker', {
        server: () => {
          throw new Error('port taken');
        },
      }),
    ).rejects.toThrow('port taken');
  });
});
