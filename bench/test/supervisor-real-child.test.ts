/**
 * One real run through the whole parent ↔ child path: a Bun child that spawns its own Bun
 * children. Asserts results and cleanup, never speed.
 */
import { describe, expect, it } from 'vitest';
import { resolveBunBinary } from '../src/harness/bun-path.ts';
import { runInChild } from '../src/harness/supervisor.ts';
import { BENCHMARKS } from '../src/registry.ts';

describe('runInChild with a real Bun child', () => {
  it('runs the spawn floor in quick mode and leaves no process behind', async () => {
    const bench = BENCHMARKS.find((b) => b.name === 'spawn-ipc-first-message')!;
    const logs: string[] = [];
    const outcome = await runInChild(bench, {
      bunPath: resolveBunBinary(),
      quick: true,
      log: (line) => logs.push(line),
    });
    expect(outcome.ok, JSON.stringify(outcome)).toBe(true);
    if (!outcome.ok) return;
    expect(outcome.floor).toHaveLength(5);
    expect(outcome.floor.every((ms) => ms > 0)).toBe(true);
    expect(outcome.figure).toEqual([]);
    expect(logs.join('\n')).not.toMatch(/left processes behind/);
  }, 60_000);
});
