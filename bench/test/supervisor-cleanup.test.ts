/**
 * The supervisor's guarantees with misbehaving benchmarks, run in real Bun children: a hung
 * benchmark ends with TIMEOUT, a leaked grandchild is killed with the process group, a thrown
 * error arrives with its code. The timeout is compressed (1.5 s); nothing asserts speed.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { resolveBunBinary } from '../src/harness/bun-path.ts';
import { buildResult } from '../src/harness/report.ts';
import { runInChild } from '../src/harness/supervisor.ts';
import type { Benchmark } from '../src/harness/types.ts';
import { BENCHMARKS } from './fixtures/registry.ts';

const registry = fileURLToPath(new URL('./fixtures/registry.ts', import.meta.url));
const bunPath = resolveBunBinary();

/** True while `pid` runs; a zombie (killed, not yet reaped by init) counts as gone. */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

async function run(name: string) {
  const bench = BENCHMARKS.find((b) => b.name === name) as Benchmark;
  const logs: string[] = [];
  const outcome = await runInChild(bench, {
    bunPath,
    quick: true,
    registry,
    log: (line) => logs.push(line),
  });
  const pids = logs.flatMap((l) => /grandchild (\d+)/.exec(l)?.[1] ?? []).map(Number);
  return { outcome, logs, pids };
}

describe('runInChild end to end', () => {
  it('streams interleaved figure and floor samples and judges the result', async () => {
    const bench = BENCHMARKS.find((b) => b.name === 'pair') as Benchmark;
    const seen: string[] = [];
    const outcome = await runInChild(bench, {
      bunPath,
      quick: true,
      registry,
      log: () => {},
      onSample: (side, values) => seen.push(`${side}:${values.length}`),
    });
    expect(outcome).toEqual({ ok: true, floor: [1, 1, 1, 1, 1, 1], figure: [2, 2, 2] });
    expect(seen).toEqual(['figure:1', 'floor:2', 'floor:2', 'figure:1', 'figure:1', 'floor:2']);
    const result = buildResult(bench, outcome, 0);
    expect(result).toMatchObject({ verdict: 'PASS', ratio: 2, target: '≤ 3× floor' });
  }, 30_000);

  it('runs a runtime: node benchmark under Node', async () => {
    const { outcome } = await run('under-node');
    expect(outcome).toEqual({ ok: true, floor: [1, 1], figure: [] });
  }, 30_000);
});

describe('runInChild cleanup', () => {
  it('ends a hung benchmark with TIMEOUT and kills its grandchild', async () => {
    const { outcome, pids } = await run('hangs');
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.error.code).toBe('TIMEOUT');
    expect(pids).toHaveLength(1);
    expect(running(pids[0]!)).toBe(false);
  }, 30_000);

  it('kills a grandchild a finished benchmark forgot, and says so', async () => {
    const { outcome, logs, pids } = await run('leaks');
    expect(outcome).toEqual({ ok: true, floor: [1, 1], figure: [] });
    expect(pids).toHaveLength(1);
    expect(running(pids[0]!)).toBe(false);
    expect(logs.join('\n')).toMatch(/left processes behind/);
  }, 30_000);

  it('does not wait for a forgotten grandchild that holds the stdout pipe open', async () => {
    const { outcome, pids } = await run('leaks-holding-stdout');
    expect(outcome).toEqual({ ok: true, floor: [1], figure: [] });
    expect(pids).toHaveLength(1);
    expect(running(pids[0]!)).toBe(false);
  }, 30_000);

  it('reports a thrown error with its code', async () => {
    const { outcome } = await run('throws');
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) {
      expect(outcome.error.code).toBe('INTERNAL');
      expect(outcome.error.message).toMatch(/sample broke on purpose/);
    }
  }, 30_000);
});
