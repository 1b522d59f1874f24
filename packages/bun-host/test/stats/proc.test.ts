import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  clockTicksPerSecond,
  parseStatTicks,
  parseStatusRss,
  readProcUsage,
} from '../../src/stats/index.ts';

const children: ChildProcess[] = [];
const read = (path: string) => readFileSync(path, 'utf8');
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

describe('/proc parsing', () => {
  it('reads VmRSS, and nothing for a process without one', () => {
    expect(parseStatusRss('Name:\tx\nVmRSS:\t   1234 kB\nVmSwap:\t0 kB\n')).toBe(1234);
    expect(parseStatusRss('Name:\tkthreadd\nState:\tS\n')).toBeUndefined();
  });

  it('reads utime/stime after a command name with spaces and parentheses', () => {
    const stat = '42 (a) b (c)) R 1 42 42 0 -1 4194560 1 0 0 0 17 5 0 0 20 0 1 0 100 1 1';
    expect(parseStatTicks(stat)).toEqual({ utime: 17, stime: 5 });
    expect(() => parseStatTicks('garbage')).toThrow(/unexpected \/proc stat line/);
  });
});

describe.skipIf(process.platform !== 'linux')('/proc of real processes', () => {
  it('measures this test process like the kernel and Node do', () => {
    const usage = readProcUsage(process.pid, read);
    expect(usage.pids[0]).toBe(process.pid);
    const nodeRssKb = process.memoryUsage.rss() / 1024;
    expect(usage.rssKb).toBeGreaterThan(nodeRssKb * 0.8);
    expect(usage.rssKb).toBeLessThan(nodeRssKb * 1.25 + 50_000);
    const cpu = process.cpuUsage();
    // /proc counts whole clock ticks, so it may trail process.cpuUsage() by a tick or two.
    expect(usage.cpuUserMs).toBeLessThanOrEqual(cpu.user / 1000 + 20);
    expect(usage.cpuUserMs).toBeGreaterThan(0);
    expect(clockTicksPerSecond()).toBeGreaterThan(0);
  });

  it('includes a spawned child in the tree', async () => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    children.push(child);
    await new Promise((r) => child.once('spawn', r));
    expect(readProcUsage(process.pid, read).pids).toContain(child.pid);
  });
});
