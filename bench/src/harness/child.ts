/**
 * Entry of a benchmark child process (run by Bun, or by Node with tsx for `runtime: 'node'`):
 * `child.ts --name <benchmark> [--quick] [--registry <module>]`. Runs that one benchmark and
 * reports on stdout in the line protocol of `protocol.ts`. `--registry` (an absolute path of a
 * module exporting `BENCHMARKS`) exists for the harness's own tests. One fresh process per
 * benchmark keeps heaps, JIT state and leaked handles of one benchmark out of the next.
 */
import { SpindleError, serializeError } from '@spindle/types';
import { runBenchmark } from './interleave.ts';
import { BUN_PATH_ENV, type ChildLine, LINE_PREFIX } from './protocol.ts';
import type { Benchmark } from './types.ts';

function emit(line: ChildLine): Promise<void> {
  return new Promise((resolve) => {
    process.stdout.write(`${LINE_PREFIX}${JSON.stringify(line)}\n`, () => resolve());
  });
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const name = argv[argv.indexOf('--name') + 1];
  const quick = argv.includes('--quick');
  const registry = argv.includes('--registry')
    ? argv[argv.indexOf('--registry') + 1]!
    : '../registry.ts';
  const bunPath = process.env[BUN_PATH_ENV];
  try {
    const { BENCHMARKS } = (await import(registry)) as { BENCHMARKS: readonly Benchmark[] };
    const bench = BENCHMARKS.find((b) => b.name === name);
    if (!argv.includes('--name') || !bench) {
      throw new SpindleError('INVALID_OPTIONS', `unknown benchmark "${name}" in ${registry}`);
    }
    if (!bunPath) throw new SpindleError('INVALID_OPTIONS', `${BUN_PATH_ENV} is not set`);
    const log = (message: string) => process.stderr.write(`${message}\n`);
    const observations = await runBenchmark(
      bench,
      { bunPath, quick, log },
      (side, values, round) => {
        void emit({ type: 'sampled', side, round, values: [...values] });
      },
    );
    await emit({ type: 'completed', ...observations });
    return 0;
  } catch (error) {
    await emit({ type: 'failed', error: serializeError(error) });
    return 1;
  }
}

// Exit explicitly: a handle a benchmark forgot must not keep the child alive until the timeout.
process.exit(await main());
