import type { RuntimeStatsEvent } from '@spindle/types';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createStatsSampler,
  NOOP_STATS_SAMPLER,
  type StatsSamplerOptions,
  statsSamplerFor,
} from '../../src/stats/index.ts';

/**
 * A fake /proc: pid → [rss kB, utime ticks, stime ticks, children]; its smaps_rollup says half the
 * RSS is proportional and a quarter private.
 */
function fakeProc(table: Record<number, [number, number, number, number[]]>, smaps = true) {
  return (path: string): string => {
    const match = /^\/proc\/(\d+)\/(status|stat|smaps_rollup|task\/\d+\/children)$/.exec(path);
    const entry = match ? table[Number(match[1])] : undefined;
    if (!match || !entry) throw Object.assign(new Error(`ENOENT ${path}`), { code: 'ENOENT' });
    const [rss, utime, stime, children] = entry;
    if (match[2] === 'status')
      return `Name:\tbun\nState:\tS (sleeping)\nVmRSS:\t  ${rss} kB\nThreads:\t9\n`;
    if (match[2] === 'smaps_rollup') {
      if (!smaps) throw Object.assign(new Error(`ENOENT ${path}`), { code: 'ENOENT' });
      return `00-ff ---p 0 0:0 0 [rollup]\nRss: ${rss} kB\nPss: ${rss / 2} kB\nPrivate_Clean: ${rss / 8} kB\nPrivate_Dirty: ${rss / 8} kB\n`;
    }
    if (match[2] === 'stat') {
      return `${match[1]} (bun (x) y) S 1 1 1 0 -1 4194304 100 0 0 0 ${utime} ${stime} 0 0 20 0 9 0 1 1 1`;
    }
    return children.map((c) => `${c} `).join('');
  };
}

let events: RuntimeStatsEvent[];
let table: Record<number, [number, number, number, number[]]>;

function sampler(overrides: Partial<StatsSamplerOptions> = {}) {
  return createStatsSampler({
    extension: 'hello',
    name: 'Hello',
    runtimeMode: 'process',
    pid: 100,
    intervalMs: 1000,
    emit: (event) => events.push(event),
    readProc: fakeProc(table),
    platform: 'linux',
    clockTicks: 100,
    ...overrides,
  });
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(new Date('2026-01-02T03:04:05.000Z'));
  events = [];
  table = { 100: [51200, 250, 40, []] };
});

afterEach(() => {
  vi.useRealTimers();
});

describe('createStatsSampler', () => {
  it('startup carries startupMs, RSS and CPU from /proc, in the upstream event shape too', () => {
    sampler().startup(123);
    expect(events).toEqual([
      {
        extension: 'hello',
        extensionId: 'hello',
        identifier: 'hello',
        name: 'Hello',
        runtimeMode: 'process',
        phase: 'startup',
        at: '2026-01-02T03:04:05.000Z',
        pid: 100,
        startupMs: 123,
        rssKb: 51200,
        pssKb: 25600,
        ussKb: 12800,
        cpuUserMs: 2500,
        cpuSystemMs: 400,
      },
    ]);
  });

  it('a kernel without smaps_rollup: RSS and CPU, PSS and USS unmeasured', () => {
    sampler({ readProc: fakeProc(table, false) }).startup(1);
    expect(events[0]).toMatchObject({
      rssKb: 51200,
      cpuUserMs: 2500,
      unmeasured: ['pssKb', 'ussKb'],
      note: expect.stringMatching(/smaps_rollup/),
    });
    expect(events[0]).not.toHaveProperty('pssKb');
  });

  it('samples every interval until stop, which emits shutdown and leaves no timer', () => {
    const s = sampler();
    expect(vi.getTimerCount()).toBe(0);
    s.startup(10);
    expect(vi.getTimerCount()).toBe(1);
    table[100] = [60000, 300, 50, []];
    vi.advanceTimersByTime(3000);
    expect(events.map((e) => e.phase)).toEqual(['startup', 'sample', 'sample', 'sample']);
    expect(events[3]).toMatchObject({
      rssKb: 60000,
      cpuUserMs: 3000,
      cpuSystemMs: 500,
      at: '2026-01-02T03:04:08.000Z',
    });
    expect(events[3]!.startupMs).toBeUndefined();
    s.stop();
    expect(events.at(-1)!.phase).toBe('shutdown');
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(10_000);
    s.stop();
    s.startup(1);
    expect(events).toHaveLength(5);
  });

  it('shutdown carries the exit reason of a runtime that ended while running', () => {
    const s = sampler({ intervalMs: 0 });
    s.startup(5);
    s.stop('memory_limit');
    s.stop('crashed');
    expect(events.map((e) => [e.phase, e.exitReason])).toEqual([
      ['startup', undefined],
      ['shutdown', 'memory_limit'],
    ]);
  });

  it('interval 0: startup and shutdown only, never a timer', () => {
    const s = sampler({ intervalMs: 0 });
    s.startup(5);
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(120_000);
    s.stop();
    expect(events.map((e) => e.phase)).toEqual(['startup', 'shutdown']);
  });

  it('sums the process tree (sandbox: bwrap → namespace init → Bun) and reports the layers', () => {
    table = { 100: [1200, 1, 1, [101]], 101: [800, 0, 1, [102]], 102: [90000, 500, 100, []] };
    sampler({ runtimeMode: 'sandbox', sandbox: ['bwrap', 'landlock'] }).startup(80);
    expect(events[0]).toMatchObject({
      runtimeMode: 'sandbox',
      sandbox: ['bwrap', 'landlock'],
      rssKb: 92000,
      pssKb: 46000,
      cpuUserMs: 5010,
      cpuSystemMs: 1020,
    });
  });

  it('reports sandbox only in sandbox mode', () => {
    sampler({ sandbox: ['bwrap'] }).startup(1);
    expect(events[0]).not.toHaveProperty('sandbox');
  });

  it('a process that is gone is reported as unmeasured, not as zero', () => {
    const s = sampler();
    s.startup(1);
    delete table[100];
    s.stop();
    expect(events[1]).toMatchObject({
      phase: 'shutdown',
      pid: 100,
      unmeasured: ['rssKb', 'pssKb', 'ussKb', 'cpuUserMs', 'cpuSystemMs'],
      note: expect.stringMatching(/process 100 is gone/),
    });
    expect(events[1]).not.toHaveProperty('rssKb');
  });

  it('worker mode: the host pid, nothing per-worker, and why', () => {
    const s = sampler({ runtimeMode: 'worker', pid: process.pid });
    s.startup(7);
    vi.advanceTimersByTime(1000);
    s.stop();
    for (const event of events) {
      expect(event).toMatchObject({
        runtimeMode: 'worker',
        pid: process.pid,
        unmeasured: ['rssKb', 'pssKb', 'ussKb', 'cpuUserMs', 'cpuSystemMs'],
        note: expect.stringMatching(/cannot be separated from the host/),
      });
      expect(event).not.toHaveProperty('rssKb');
    }
    expect(events[0]!.startupMs).toBe(7);
  });

  it('without /proc: RSS from the fallback reader, CPU unmeasured', () => {
    sampler({ platform: 'darwin', readRssKb: (pid) => (pid === 100 ? 4096 : undefined) }).startup(
      3,
    );
    expect(events[0]).toMatchObject({
      rssKb: 4096,
      unmeasured: ['pssKb', 'ussKb', 'cpuUserMs', 'cpuSystemMs'],
    });
    expect(events[0]!.note).toMatch(/darwin does not have/);
  });

  it('a throwing emit is reported once and sampling goes on', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    let calls = 0;
    const s = sampler({
      emit: () => {
        calls += 1;
        throw new Error('socket closed');
      },
    });
    s.startup(1);
    vi.advanceTimersByTime(2000);
    s.stop();
    expect(calls).toBe(4);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![0]).toMatch(/hello: emit failed: socket closed/);
    warn.mockRestore();
  });
});

describe('statsSamplerFor', () => {
  it('stats off: the no-op sampler, no timer, no event, no log', () => {
    const warn = vi.spyOn(console, 'warn');
    const emit = vi.fn();
    const s = statsSamplerFor(
      { enabled: false, sampleIntervalMs: 0 },
      { extension: 'hello', runtimeMode: 'process', pid: 1, emit },
    );
    expect(s).toBe(NOOP_STATS_SAMPLER);
    s.startup(5);
    vi.advanceTimersByTime(60_000);
    s.stop();
    expect(vi.getTimerCount()).toBe(0);
    expect(emit).not.toHaveBeenCalled();
    expect(warn).not.toHaveBeenCalled();
    warn.mockRestore();
  });

  it('stats on: samples at the configured period', () => {
    const s = statsSamplerFor(
      { enabled: true, sampleIntervalMs: 500 },
      {
        extension: 'hello',
        runtimeMode: 'process',
        pid: 100,
        emit: (e) => events.push(e),
        readProc: fakeProc(table),
        platform: 'linux',
        clockTicks: 100,
      },
    );
    s.startup(1);
    vi.advanceTimersByTime(1000);
    s.stop();
    expect(events.map((e) => e.phase)).toEqual(['startup', 'sample', 'sample', 'shutdown']);
  });
});
