/**
 * `pnpm bench`: runs the registered benchmarks one by one, each in a fresh child process,
 * prints the table and writes `BENCHMARKS.md`. Runs under Node (tsx); the children run under
 * Bun (see `bench/README.md` for why).
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isSpindleError } from '@spindle/types';
import { parseArgs, USAGE } from './harness/args.ts';
import { resolveBunBinary } from './harness/bun-path.ts';
import { collectMachine } from './harness/machine.ts';
import { renderMarkdown } from './harness/markdown.ts';
import {
  type BenchmarkResult,
  buildResult,
  formatValue,
  TABLE_HEADER,
  tableRows,
} from './harness/report.ts';
import { selectBenchmarks, validateRegistry } from './harness/select.ts';
import { runInChild } from './harness/supervisor.ts';
import { renderTable } from './harness/table.ts';
import { BENCHMARKS } from './registry.ts';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

async function main(): Promise<number> {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.help) {
    console.log(USAGE);
    return 0;
  }
  validateRegistry(BENCHMARKS);
  const selected = selectBenchmarks(BENCHMARKS, opts.filter);
  const bunPath = resolveBunBinary();
  const machine = await collectMachine(bunPath, REPO_ROOT);
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const results: BenchmarkResult[] = [];
  const err = (s: string) => process.stderr.write(s);
  try {
    for (const bench of selected) {
      if (stop.signal.aborted) break;
      err(`▶ ${bench.name} (${bench.runtime ?? 'bun'}${opts.quick ? ', quick' : ''}) `);
      const started = performance.now();
      let dots = true;
      const outcome = await runInChild(bench, {
        bunPath,
        quick: opts.quick,
        signal: stop.signal,
        onSample: (side) => err(side === 'floor' ? '.' : ':'),
        log: (line) => {
          if (dots) err('\n');
          dots = false;
          err(`${line}\n`);
        },
      });
      const result = buildResult(bench, outcome, (performance.now() - started) / 1000);
      results.push(result);
      const floorMedian = result.floor.summary
        ? `floor median ${formatValue(result.floor.summary.median, result.unit)}`
        : (result.error ?? '');
      err(`${dots ? ' ' : ''}${result.verdict} ${floorMedian} (${result.seconds.toFixed(1)} s)\n`);
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }

  console.log('');
  console.log(renderTable(TABLE_HEADER, tableRows(results)));
  for (const r of results) {
    for (const c of r.conditions) {
      const mark = c.held ? 'held' : 'MISSED';
      console.log(
        `  ${r.name}: ${c.text}: ${formatValue(c.actual, r.unit)} vs ${formatValue(c.bound, r.unit)} ${mark}`,
      );
    }
    if (r.error) console.log(`  ${r.name}: ${r.error}`);
  }

  if (opts.write && !stop.signal.aborted) {
    const out = opts.out
      ? resolve(process.env.INIT_CWD ?? process.cwd(), opts.out)
      : resolve(REPO_ROOT, 'BENCHMARKS.md');
    const report = {
      machine,
      quick: opts.quick,
      results,
      ...(opts.filter ? { filter: opts.filter } : {}),
    };
    await writeFile(out, renderMarkdown(report));
    console.log(`\nwrote ${out}`);
  }
  if (stop.signal.aborted) return 130;
  if (results.some((r) => r.verdict === 'ERROR')) return 1;
  if (opts.strict && results.some((r) => r.verdict === 'MISS')) return 1;
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const text = isSpindleError(error) ? `${error.code}: ${error.message}` : String(error);
    process.stderr.write(`${text}\n`);
    process.exitCode = 2;
  },
);
