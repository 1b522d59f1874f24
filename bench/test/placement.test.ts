import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { allowedCpus, descendants } from '../src/harness/placement.ts';

describe('allowedCpus', () => {
  it('reads single CPUs, ranges and lists from Cpus_allowed_list', () => {
    expect(allowedCpus('Name:\tbun\nCpus_allowed_list:\t0-1\n')).toEqual([0, 1]);
    expect(allowedCpus('Cpus_allowed_list:\t0,2-4,7\nMems_allowed_list:\t0\n')).toEqual([
      0, 2, 3, 4, 7,
    ]);
    expect(allowedCpus('Cpus_allowed_list:\t3\n')).toEqual([3]);
  });

  it('finds nothing without the line', () => {
    expect(allowedCpus('Name:\tbun\n')).toEqual([]);
    expect(allowedCpus('')).toEqual([]);
  });
});

describe.skipIf(process.platform !== 'linux')('descendants', () => {
  it('lists a child and its own child, and nothing once they are gone', async () => {
    // sh starts sleep in the background and waits: a child with a child of its own.
    const child = spawn('sh', ['-c', 'sleep 30 & wait'], { stdio: 'ignore' });
    try {
      const pid = child.pid as number;
      // Until sh has started sleep.
      for (let i = 0; i < 100 && descendants(pid).length === 0; i += 1) {
        await new Promise((r) => setTimeout(r, 20));
      }
      const found = [pid, ...descendants(pid)];
      expect(descendants(process.pid)).toContain(child.pid);
      expect(found).toHaveLength(2);
      expect(descendants(process.pid)).toContain(found[1]);
    } finally {
      const grandchild = descendants(child.pid as number);
      child.kill('SIGKILL');
      for (const pid of grandchild) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      await new Promise((r) => child.once('exit', r));
    }
    expect(descendants(process.pid)).not.toContain(child.pid);
  });
});
