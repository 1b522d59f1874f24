import { describe, expect, it } from 'vitest';
import type { MachineInfo } from '../src/harness/machine.ts';
import { escapeCell, renderMarkdown, renderMarkdownTable } from '../src/harness/markdown.ts';
import { type BenchmarkResult, buildResult, TABLE_HEADER } from '../src/harness/report.ts';
import type { Benchmark } from '../src/harness/types.ts';

const never = async () => {
  throw new Error('not opened in this test');
};

const seedFloor: Benchmark = {
  name: 'seed',
  title: 'seed floor',
  unit: 'ms',
  floor: { label: 'bare thing | with a pipe', open: never },
};
const withFigure: Benchmark = {
  name: 'pair',
  title: 'figure and floor',
  unit: 'ms',
  floor: { label: 'raw', open: never },
  figure: { label: 'ours', open: never },
  target: [{ stat: 'median', relation: 'at-most', times: 1.3 }],
};

const machine: MachineInfo = {
  cpu: 'Test CPU',
  cores: 2,
  ramGiB: 23.5,
  os: 'Debian GNU/Linux 12 (bookworm)',
  kernel: 'Linux 6.1 x64',
  node: 'v20.0.0',
  bun: '1.4.5',
  date: '2026-01-01T00:00:00.000Z',
  commit: 'abc1234',
};

/** Splits a Markdown row into cells, honouring `\|` escapes. */
function cells(row: string): string[] {
  return row
    .slice(2, -2)
    .split(/(?<!\\) \| /)
    .map((c) => c.trim());
}

const results: BenchmarkResult[] = [
  buildResult(seedFloor, { ok: true, floor: [1, 2, 3], figure: [] }, 1),
  buildResult(withFigure, { ok: true, floor: [10, 10], figure: [12, 12] }, 1),
  buildResult(
    withFigure,
    { ok: false, error: { name: 'SpindleError', message: 'ran over', code: 'TIMEOUT' } },
    1,
  ),
];

describe('renderMarkdownTable', () => {
  const lines = renderMarkdownTable(results).split('\n');

  it('has a header, a separator and one row per measured side', () => {
    expect(lines).toHaveLength(2 + 1 + 2 + 2);
    expect(cells(lines[0]!)).toEqual([...TABLE_HEADER]);
    expect(lines[1]!.split('|').filter(Boolean)).toHaveLength(TABLE_HEADER.length);
  });

  it('gives every row as many cells as the header, escaping pipes in labels', () => {
    for (const line of lines.slice(2)) expect(cells(line)).toHaveLength(TABLE_HEADER.length);
    expect(lines[2]).toContain('bare thing \\| with a pipe');
  });

  it('marks a seed floor FLOOR and a figure PASS with its ratio and target', () => {
    expect(cells(lines[2]!).at(-1)).toBe('FLOOR');
    const figureRow = cells(lines[4]!);
    expect(figureRow.slice(0, 2)).toEqual(['pair', 'figure']);
    expect(figureRow.slice(-3)).toEqual(['1.20×', '≤ 1.3× floor', 'PASS']);
  });

  it('marks a failed benchmark ERROR with dashes for its numbers', () => {
    const floorRow = cells(lines[5]!);
    expect(floorRow.slice(3, 6)).toEqual(['—', '—', '—']);
    expect(floorRow.at(-1)).toBe('ERROR');
  });
});

describe('renderMarkdown', () => {
  const text = renderMarkdown({ machine, quick: true, filter: 'se', results });
  it('states machine, date, commit and run mode', () => {
    for (const fact of ['Test CPU, 2 logical cores', '23.5 GiB', 'abc1234', '1.4.5', 'v20.0.0']) {
      expect(text).toContain(fact);
    }
    expect(text).toContain('2026-01-01T00:00:00.000Z');
    expect(text).toMatch(/quick.*filter `se`/);
  });
  it('lists errors with their code and has a method section', () => {
    expect(text).toContain('- `pair`: TIMEOUT: ran over');
    expect(text).toContain('## Method');
  });
});

describe('escapeCell', () => {
  it('escapes pipes and backslashes and flattens line breaks', () => {
    expect(escapeCell('a|b\\c\nd')).toBe('a\\|b\\\\c d');
  });
});

describe('buildResult', () => {
  it('turns an empty observation set into an ERROR instead of NaN', () => {
    const r = buildResult(seedFloor, { ok: true, floor: [], figure: [] }, 0);
    expect(r.verdict).toBe('ERROR');
    expect(r.error).toMatch(/empty sample set/);
  });
});
