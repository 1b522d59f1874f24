import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MEASURED,
  DEFAULT_QUICK,
  DEFAULT_WARMUP,
  resolveRounds,
  roundOrder,
  runBenchmark,
  runRounds,
} from '../src/harness/interleave.ts';
import type { Benchmark, MeasureContext, Sampler } from '../src/harness/types.ts';

/** A sampler that returns scripted values and records every call in a shared journal. */
function scripted(name: string, journal: string[], values: (number | number[])[]): Sampler {
  let i = 0;
  return {
    async sample() {
      journal.push(name);
      const v = values[i++];
      if (v === undefined) throw new Error(`${name} ran out of scripted values`);
      return v;
    },
    async close() {
      journal.push(`close ${name}`);
    },
  };
}

const ctx: MeasureContext = { bunPath: '/nonexistent/bun', quick: false, log: () => {} };

describe('roundOrder', () => {
  it('alternates which side goes first', () => {
    expect([0, 1, 2, 3].map((i) => roundOrder(i, true))).toEqual([
      ['floor', 'figure'],
      ['figure', 'floor'],
      ['floor', 'figure'],
      ['figure', 'floor'],
    ]);
  });
  it('is the floor alone without a figure', () => {
    expect(roundOrder(1, false)).toEqual(['floor']);
  });
});

describe('resolveRounds', () => {
  it('applies defaults', () => {
    expect(resolveRounds(undefined, false)).toEqual({
      warmup: DEFAULT_WARMUP,
      measured: DEFAULT_MEASURED,
    });
    expect(resolveRounds({ warmup: 0, measured: 7 }, false)).toEqual({ warmup: 0, measured: 7 });
  });
  it('keeps one warm-up round and the quick count under --quick', () => {
    expect(resolveRounds({ warmup: 9, measured: 99 }, true)).toEqual({
      warmup: 1,
      measured: DEFAULT_QUICK,
    });
    expect(resolveRounds({ quick: 2 }, true)).toEqual({ warmup: 1, measured: 2 });
  });
});

describe('runRounds', () => {
  it('interleaves, discards warm-up samples and flattens batches', async () => {
    const journal: string[] = [];
    const floor = scripted('floor', journal, [100, 1, [2, 3], 4]);
    const figure = scripted('figure', journal, [200, 10, 20, [30, 31]]);
    const seen: string[] = [];
    const out = await runRounds({ floor, figure }, { warmup: 1, measured: 3 }, (side, v, round) =>
      seen.push(`${side}@${round}:${v.join(',')}`),
    );
    expect(journal).toEqual([
      'floor',
      'figure',
      'figure',
      'floor',
      'floor',
      'figure',
      'figure',
      'floor',
    ]);
    expect(out).toEqual({ floor: [1, 2, 3, 4], figure: [10, 20, 30, 31] });
    expect(seen).toEqual([
      'figure@0:10',
      'floor@0:1',
      'floor@1:2,3',
      'figure@1:20',
      'figure@2:30,31',
      'floor@2:4',
    ]);
  });
  it('samples the floor alone for a seed floor', async () => {
    const journal: string[] = [];
    const out = await runRounds(
      { floor: scripted('floor', journal, [9, 1, 2]) },
      { warmup: 1, measured: 2 },
    );
    expect(out).toEqual({ floor: [1, 2], figure: [] });
  });
});

describe('runBenchmark closes what it opened', () => {
  const bench = (floor: () => Promise<Sampler>, figure?: () => Promise<Sampler>): Benchmark => ({
    name: 'x',
    title: 'x',
    unit: 'ms',
    floor: { label: 'floor', open: floor },
    ...(figure ? { figure: { label: 'figure', open: figure } } : {}),
    rounds: { warmup: 0, measured: 1 },
  });

  it('closes both sides after a normal run, newest first', async () => {
    const journal: string[] = [];
    const out = await runBenchmark(
      bench(
        async () => scripted('floor', journal, [1]),
        async () => scripted('figure', journal, [2]),
      ),
      ctx,
    );
    expect(out).toEqual({ floor: [1], figure: [2] });
    expect(journal.slice(-2)).toEqual(['close figure', 'close floor']);
  });

  it('closes the floor when opening the figure throws, and rethrows that error', async () => {
    const journal: string[] = [];
    const run = runBenchmark(
      bench(
        async () => scripted('floor', journal, [1]),
        async () => {
          throw new Error('figure would not open');
        },
      ),
      ctx,
    );
    await expect(run).rejects.toThrow('figure would not open');
    expect(journal).toEqual(['close floor']);
  });

  it('closes both when a sample throws, and keeps the sample error over a close error', async () => {
    const journal: string[] = [];
    const logs: string[] = [];
    const failingClose: Sampler = {
      sample: async () => 1,
      close: async () => {
        journal.push('close floor');
        throw new Error('close broke');
      },
    };
    const run = runBenchmark(
      bench(
        async () => failingClose,
        async () => scripted('figure', journal, []),
      ),
      { ...ctx, log: (m) => logs.push(m) },
    );
    await expect(run).rejects.toThrow('figure ran out of scripted values');
    expect(journal).toEqual(['figure', 'close figure', 'close floor']);
    expect(logs.join('\n')).toMatch(/close broke/);
  });

  it('surfaces a close error when nothing else failed', async () => {
    const run = runBenchmark(
      bench(async () => ({
        sample: async () => 1,
        close: async () => {
          throw new Error('close broke');
        },
      })),
      ctx,
    );
    await expect(run).rejects.toThrow('close broke');
  });
});
