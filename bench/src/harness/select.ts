/**
 * Checks the registry and picks the benchmarks a run asked for. Pure.
 */
import { SpindleError } from '@spindle/types';
import type { Benchmark } from './types.ts';

const NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/**
 * Throws `INVALID_OPTIONS` for a registry mistake: a name that is not kebab-case, a duplicate
 * name, a target without a figure, a non-positive round count or timeout.
 */
export function validateRegistry(list: readonly Benchmark[]): void {
  const seen = new Set<string>();
  for (const b of list) {
    const fail = (why: string) => {
      throw new SpindleError('INVALID_OPTIONS', `benchmark "${b.name}": ${why}`, {
        details: { name: b.name },
      });
    };
    if (!NAME.test(b.name)) fail('name must be kebab-case');
    if (seen.has(b.name)) fail('name is registered twice');
    seen.add(b.name);
    if (b.target && b.target.length > 0 && !b.figure) fail('a target needs a figure');
    const counts = [b.rounds?.warmup, b.rounds?.measured, b.rounds?.quick, b.timeoutMs];
    for (const n of counts) {
      if (n !== undefined && !(Number.isInteger(n) && n >= 0)) fail(`bad count ${n}`);
    }
    if (b.rounds?.measured === 0 || b.rounds?.quick === 0 || b.timeoutMs === 0) {
      fail('measured rounds, quick rounds and timeout must be positive');
    }
  }
}

/**
 * The benchmarks whose name contains `filter` (case-insensitive), in registry order; all
 * without a filter. Throws `INVALID_OPTIONS` naming the known benchmarks when none matches.
 */
export function selectBenchmarks(list: readonly Benchmark[], filter?: string): Benchmark[] {
  if (filter === undefined) return [...list];
  const needle = filter.toLowerCase();
  const picked = list.filter((b) => b.name.toLowerCase().includes(needle));
  if (picked.length === 0) {
    throw new SpindleError(
      'INVALID_OPTIONS',
      `no benchmark matches "${filter}"; known: ${list.map((b) => b.name).join(', ')}`,
      { details: { filter } },
    );
  }
  return picked;
}
