/** The /proc reading of a runtime's process tree for its memory cap. */
import { describe, expect, it } from 'vitest';
import { procAvailable, readTreeRssBytes } from '../../src/runtime/memory-cap.ts';

function fakeProc(tree: Record<number, { rssKb: number; children: number[] }>) {
  return (path: string): string => {
    const match = /^\/proc\/(\d+)\/(status|task\/\d+\/children)$/.exec(path);
    const pid = Number(match?.[1]);
    const entry = tree[pid];
    if (!match || !entry) throw new Error(`ENOENT ${path}`);
    if (match[2] === 'status') return `Name:\tbun\nVmRSS:\t  ${entry.rssKb} kB\n`;
    return entry.children.join(' ');
  };
}

describe('readTreeRssBytes', () => {
  it('sums the resident set of a process and its descendants', () => {
    const read = fakeProc({
      10: { rssKb: 100, children: [11] }, // bwrap
      11: { rssKb: 50, children: [12, 99] }, // its init; 99 vanished mid-walk
      12: { rssKb: 1000, children: [] }, // bun
    });
    expect(readTreeRssBytes(10, read)).toBe(1150 * 1024);
  });

  it('is undefined once the process itself is gone', () => {
    expect(readTreeRssBytes(7, fakeProc({}))).toBeUndefined();
  });

  it('reads this process on Linux', () => {
    if (process.platform !== 'linux') return;
    expect(procAvailable()).toBe(true);
    expect(readTreeRssBytes(process.pid)).toBeGreaterThan(1024 * 1024);
  });
});
