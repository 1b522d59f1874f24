/** Runtime stats through the host: off by default; when on, startup, samples and shutdown. */
import { afterEach, describe, expect, test } from 'bun:test';
import { RUNTIME_MODES, type RuntimeStatsEvent } from '@spindle/types';
import { closeTestHosts, descendants, startTestHost, waitUntil } from './helpers.ts';

afterEach(async () => {
  await closeTestHosts();
  expect(descendants(process.pid)).toEqual([]);
});

const statsOn = {
  ...process.env,
  LUMIVERSE_SPINDLE_RUNTIME_STATS: 'yes',
  LUMIVERSE_SPINDLE_RUNTIME_SAMPLE_INTERVAL_MS: '100',
};

describe.each(RUNTIME_MODES)('%s mode', (mode) => {
  test('off by default: no stats events and no stats log lines', async () => {
    const t = await startTestHost(mode, {
      enable: ['probe'],
      env: { ...process.env, LUMIVERSE_SPINDLE_RUNTIME_STATS: undefined },
    });
    const events: RuntimeStatsEvent[] = [];
    t.host.events.on('stats', (e) => events.push(e));
    await Bun.sleep(250);
    await t.host.disable('probe');
    expect(events).toEqual([]);
    expect(t.gateway.delivered.filter((d) => d.message.type === 'runtime_stats')).toEqual([]);
    expect(t.logs.filter((l) => /stats|SAMPLE_INTERVAL/i.test(l.message))).toEqual([]);
  });

  test('on: startup with startupMs, periodic samples, shutdown on stop', async () => {
    const t = await startTestHost(mode, { env: statsOn });
    t.gateway.open('s-admin', 'root', [], { isAdmin: true });
    t.gateway.open('s-user', 'alice', ['probe']);
    const events: RuntimeStatsEvent[] = [];
    t.host.events.on('stats', (e) => events.push(e));
    const info = await t.host.enable('probe');
    await waitUntil(() => events.some((e) => e.phase === 'sample'), 5_000, 'a sample');
    await t.host.disable('probe');
    const phases = events.map((e) => e.phase);
    expect(phases[0]).toBe('startup');
    expect(phases.at(-1)).toBe('shutdown');
    expect(phases.filter((p) => p === 'shutdown')).toHaveLength(1);
    const startup = events[0]!;
    expect(startup).toMatchObject({ extension: 'probe', runtimeMode: mode, pid: info.pid });
    expect(startup.startupMs).toBeGreaterThanOrEqual(0);
    if (mode === 'worker') {
      expect(startup.unmeasured).toEqual(['rssKb', 'pssKb', 'ussKb', 'cpuUserMs', 'cpuSystemMs']);
      expect(startup.note).toContain('worker');
    } else {
      expect(startup.rssKb).toBeGreaterThan(0);
      // PSS divides shared pages among the processes that map them: below RSS, above USS.
      expect(startup.pssKb).toBeGreaterThan(0);
      expect(startup.pssKb).toBeLessThan(startup.rssKb ?? 0);
      expect(startup.ussKb).toBeLessThanOrEqual(startup.pssKb ?? 0);
      expect(events.at(-1)?.rssKb).toBeGreaterThan(0);
    }
    const toAdmin = t.gateway.delivered.filter((d) => d.message.type === 'runtime_stats');
    expect(toAdmin.map((d) => d.sessionId)).toEqual(events.map(() => 's-admin'));
    if (mode === 'sandbox') expect(startup.sandbox).toEqual(info.sandbox!);
    else expect(startup.sandbox).toBeUndefined();
  });
});
