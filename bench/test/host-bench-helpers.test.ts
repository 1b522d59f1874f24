import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { lateness, measureLag, tickCount } from '../src/benchmarks/lib/lag.ts';
import {
  isLive,
  liveDescendants,
  openFdCount,
  parseStat,
  parseVmRssKiB,
  rssMiB,
} from '../src/benchmarks/lib/procfs.ts';
import { ownLive, waitGone } from '../src/benchmarks/lib/reap.ts';
import {
  BLOCKED_ENTRY,
  benchIdentifier,
  createTempExtensions,
  READY_ENTRY,
} from '../src/benchmarks/lib/temp-extensions.ts';
import { formatValue, tableRows } from '../src/harness/report.ts';
import { describeCondition } from '../src/harness/target.ts';
import { BENCHMARKS } from '../src/registry.ts';

const STATUS = `Name:\tbun\nUmask:\t0022\nState:\tS (sleeping)\nVmPeak:\t  100000 kB\nVmRSS:\t   24832 kB\nRssAnon:\t 10000 kB\n`;

describe('procfs parsers', () => {
  it('reads VmRSS in KiB, and nothing for a zombie without one', () => {
    expect(parseVmRssKiB(STATUS)).toBe(24_832);
    expect(parseVmRssKiB('Name:\tbun\nState:\tZ (zombie)\n')).toBeUndefined();
  });

  it('reads state and parent from a stat line whose command holds spaces and parens', () => {
    expect(parseStat('1234 (bun (x) y) S 77 1234 1234 0 -1 4194560')).toEqual({
      state: 'S',
      ppid: 77,
    });
    expect(parseStat('9 (setpriv) Z 8 9 9 0')).toEqual({ state: 'Z', ppid: 8 });
  });

  it('refuses a stat line it cannot read with INTERNAL', () => {
    expect(() => parseStat('garbage')).toThrow(expect.objectContaining({ code: 'INTERNAL' }));
  });
});

describe.runIf(process.platform === 'linux')('procfs readers (Linux)', () => {
  it('see this process and not a pid that cannot exist', () => {
    expect(rssMiB(process.pid)).toBeGreaterThan(1);
    expect(isLive(process.pid)).toBe(true);
    expect(isLive(2 ** 30)).toBe(false);
    expect(rssMiB(2 ** 30)).toBeUndefined();
    expect(openFdCount()).toBeGreaterThanOrEqual(3);
    expect(liveDescendants(process.pid)).not.toContain(process.pid);
  });
});

describe('lag probe', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('counts lateness past the period, never negative', () => {
    expect(lateness(100, 112.5, 10)).toBe(2.5);
    expect(lateness(100, 109.2, 10)).toBe(0);
    expect(tickCount(10_000, 10)).toBe(1000);
    expect(tickCount(3, 10)).toBe(1);
  });

  it('collects one lateness per tick over the window', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'performance'] });
    const done = measureLag(100, 10);
    await vi.advanceTimersByTimeAsync(100);
    const values = await done;
    expect(values).toHaveLength(10);
    expect(values.every((v) => v === 0)).toBe(true);
  });
});

describe('temp extensions', () => {
  it('writes valid manifests and the given dist files, and removes everything', () => {
    const temp = createTempExtensions(2, { 'ready.js': READY_ENTRY, 'blocked.js': BLOCKED_ENTRY });
    try {
      expect(temp.identifiers).toEqual([benchIdentifier(0), benchIdentifier(1)]);
      const dir = temp.paths.get('bench_ext_1')!;
      const manifest = JSON.parse(readFileSync(join(dir, 'spindle.json'), 'utf8'));
      expect(manifest).toMatchObject({ identifier: 'bench_ext_1', permissions: [] });
      expect(readFileSync(join(dir, 'dist', 'blocked.js'), 'utf8')).toContain('ctx.heartbeat()');
      expect(existsSync(join(dir, 'dist', 'backend.js'))).toBe(true);
      expect(existsSync(temp.dataDir)).toBe(true);
    } finally {
      temp.remove();
    }
    expect(existsSync(temp.extensionsDir)).toBe(false);
  });
});

describe('memory and descriptor units', () => {
  it('formats MB and fd values', () => {
    expect(formatValue(35.625, 'MB')).toBe('35.6 MB');
    expect(formatValue(3.2345, 'MB')).toBe('3.23 MB');
    expect(formatValue(9, 'fd')).toBe('9 fd');
    expect(describeCondition({ stat: 'median', relation: 'at-most', plus: 10 }, 'MB')).toBe(
      '≤ floor + 10 MB',
    );
  });

  it('shows the churn rows as before/after with the band as target', () => {
    const rows = tableRows([
      {
        name: 'backend-churn-fds',
        title: 't',
        unit: 'fd',
        floor: { label: 'before', summary: { n: 5, median: 9, p99: 9, p1: 9, min: 9, max: 9 } },
        figure: { label: 'after', summary: { n: 5, median: 9, p99: 9, p1: 9, min: 9, max: 9 } },
        target: '≤ floor + 0 fd',
        ratio: 1,
        verdict: 'PASS',
        conditions: [],
        seconds: 1,
      },
    ]);
    expect(rows[1]).toEqual([
      'backend-churn-fds',
      'figure',
      'after',
      '5',
      '9 fd',
      '9 fd',
      '1.00×',
      '≤ floor + 0 fd',
      'PASS',
    ]);
  });
});

describe('registry of the host benchmarks', () => {
  it('imports without starting anything and names every figure of issues 4 and 5', () => {
    const names = BENCHMARKS.map((b) => b.name);
    for (const name of [
      'backend-spawn-ready-process',
      'backend-spawn-ready-sandbox',
      'heartbeat-timeout',
      'backend-churn-rss',
      'backend-churn-fds',
      'runtime-start-ready-process',
      'runtime-start-ready-sandbox',
      'runtime-start-ready-worker',
      'runtime-idle-rss-process',
      'runtime-idle-rss-sandbox',
      'runtime-idle-rss-worker',
      'many-runtimes-lag-worker',
      'many-runtimes-lag-process',
      'many-runtimes-rss-worker',
      'many-runtimes-rss-process',
    ]) {
      expect(names).toContain(name);
    }
    expect(new Set(names).size).toBe(names.length);
  });
});

describe.runIf(process.platform === 'linux')('waitGone', () => {
  it('never signals a pid that is not a descendant of this process', async () => {
    // Our parent is alive and not our descendant: it must be left alone, at once.
    await expect(waitGone([process.ppid, 2 ** 30], 0, 'foreign')).resolves.toBeUndefined();
    expect(isLive(process.ppid)).toBe(true);
    expect(ownLive([process.ppid])).toEqual([]);
  });

  it('waits for an own child to end, and SIGKILLs it after the bound', async () => {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {
      stdio: 'ignore',
    });
    const pid = child.pid!;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      await vi.waitFor(() => expect(ownLive([pid])).toEqual([pid]));
      await expect(waitGone([pid], 50, 'stubborn')).rejects.toMatchObject({ code: 'INTERNAL' });
      await exited;
      expect(ownLive([pid])).toEqual([]);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
