import { isSpindleError } from '@spindle/types';
import { describe, expect, it } from 'vitest';
import { parseArgs } from '../src/harness/args.ts';
import { selectBenchmarks, validateRegistry } from '../src/harness/select.ts';
import type { Benchmark } from '../src/harness/types.ts';
import { BENCHMARKS } from '../src/registry.ts';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return isSpindleError(error) ? error.code : 'not a SpindleError';
  }
  return 'did not throw';
}

describe('parseArgs', () => {
  it('defaults to a full run that writes the report', () => {
    expect(parseArgs([])).toEqual({ quick: false, write: true, strict: false, help: false });
  });
  it('reads every flag, in both --flag value and --flag=value forms, skipping a bare --', () => {
    expect(
      parseArgs(['--', '--quick', '--filter', 'ws', '--out=x.md', '--no-write', '--strict']),
    ).toEqual({
      quick: true,
      filter: 'ws',
      out: 'x.md',
      write: false,
      strict: true,
      help: false,
    });
  });
  it('rejects unknown flags and missing values with INVALID_OPTIONS', () => {
    expect(codeOf(() => parseArgs(['--fast']))).toBe('INVALID_OPTIONS');
    expect(codeOf(() => parseArgs(['--filter']))).toBe('INVALID_OPTIONS');
    expect(codeOf(() => parseArgs(['--filter', '--quick']))).toBe('INVALID_OPTIONS');
    expect(codeOf(() => parseArgs(['--out=']))).toBe('INVALID_OPTIONS');
  });
});

const b = (name: string, extra: Partial<Benchmark> = {}): Benchmark => ({
  name,
  title: name,
  unit: 'ms',
  floor: { label: 'f', open: async () => ({ sample: async () => 1, close: async () => {} }) },
  ...extra,
});

describe('selectBenchmarks', () => {
  const list = [b('spawn-ipc'), b('ws-echo'), b('ws-throughput')];
  it('keeps registry order and matches a case-insensitive substring', () => {
    expect(selectBenchmarks(list, 'WS').map((x) => x.name)).toEqual(['ws-echo', 'ws-throughput']);
    expect(selectBenchmarks(list).map((x) => x.name)).toHaveLength(3);
  });
  it('names the known benchmarks when nothing matches', () => {
    expect(() => selectBenchmarks(list, 'nope')).toThrow(/spawn-ipc, ws-echo, ws-throughput/);
  });
});

describe('validateRegistry', () => {
  it('accepts the real registry', () => {
    expect(() => validateRegistry(BENCHMARKS)).not.toThrow();
  });
  it('rejects duplicates, bad names, targets without figures and bad counts', () => {
    expect(codeOf(() => validateRegistry([b('a'), b('a')]))).toBe('INVALID_OPTIONS');
    expect(codeOf(() => validateRegistry([b('Not Kebab')]))).toBe('INVALID_OPTIONS');
    expect(
      codeOf(() =>
        validateRegistry([b('t', { target: [{ stat: 'median', relation: 'at-most', times: 1 }] })]),
      ),
    ).toBe('INVALID_OPTIONS');
    expect(codeOf(() => validateRegistry([b('r', { rounds: { measured: 0 } })]))).toBe(
      'INVALID_OPTIONS',
    );
    expect(codeOf(() => validateRegistry([b('r', { rounds: { warmup: 1.5 } })]))).toBe(
      'INVALID_OPTIONS',
    );
  });
});
