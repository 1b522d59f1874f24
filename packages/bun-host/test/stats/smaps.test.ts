/** PSS and USS of a process tree from smaps_rollup (fake /proc, and this process for real). */
import { describe, expect, it } from 'vitest';
import { parseSmapsRollup, readTreeMemory } from '../../src/stats/smaps.ts';

const rollup = (rss: number, pss: number, clean: number, dirty: number) =>
  `55f-7ff ---p 00000000 00:00 0 [rollup]\nRss: ${rss} kB\nPss: ${pss} kB\nPss_Anon: 1 kB\nShared_Clean: 9 kB\nPrivate_Clean: ${clean} kB\nPrivate_Dirty: ${dirty} kB\n`;

describe('smaps_rollup', () => {
  it('reads Rss, Pss and Private_Clean + Private_Dirty (not Pss_Anon)', () => {
    expect(parseSmapsRollup(rollup(1732, 198, 40, 108))).toEqual({
      rssKb: 1732,
      pssKb: 198,
      ussKb: 148,
    });
    expect(parseSmapsRollup('')).toEqual({ rssKb: 0, pssKb: 0, ussKb: 0 });
  });

  it('sums a tree, skips a child that vanished, and throws when the root is gone', () => {
    const files: Record<string, string> = {
      '/proc/10/smaps_rollup': rollup(100, 50, 5, 5),
      '/proc/10/task/10/children': '11 12 ',
      '/proc/11/smaps_rollup': rollup(40, 20, 1, 2),
      '/proc/11/task/11/children': '',
    };
    const read = (path: string) => {
      const text = files[path];
      if (text === undefined) throw new Error(`ENOENT ${path}`);
      return text;
    };
    expect(readTreeMemory(10, read)).toEqual({ rssKb: 140, pssKb: 70, ussKb: 13, pids: [10, 11] });
    expect(() => readTreeMemory(99, read)).toThrow(/ENOENT/);
  });

  it.runIf(process.platform === 'linux')('measures this process', async () => {
    const { readFileSync } = await import('node:fs');
    const memory = readTreeMemory(process.pid, (p) => readFileSync(p, 'utf8'));
    expect(memory.pssKb).toBeGreaterThan(0);
    expect(memory.pssKb).toBeLessThanOrEqual(memory.rssKb);
    expect(memory.ussKb).toBeLessThanOrEqual(memory.pssKb);
  });
});
