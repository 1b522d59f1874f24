/**
 * The backend test kit under vitest: vitest run on the Bun runtime (`bun --bun vitest run`, as
 * the package README documents) runs a project that uses the kit (`fixtures/vitest-on-bun`), and
 * every test of it passes. Run here by vitest on Node, which starts that vitest on Bun as a
 * child process.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const run = promisify(execFile);
const REPO = resolve(import.meta.dirname, '..', '..', '..', '..');
const BUN = join(REPO, 'node_modules', 'bun', 'bin', 'bun.exe');
const VITEST = join(REPO, 'node_modules', 'vitest', 'vitest.mjs');
const CONFIG = join(import.meta.dirname, 'fixtures', 'vitest-on-bun', 'vitest.config.ts');

interface JsonReport {
  numTotalTests: number;
  numPassedTests: number;
  testResults: Array<{ assertionResults: Array<{ title: string; status: string }> }>;
}

it('bun --bun vitest run: the kit works under vitest on the Bun runtime', async () => {
  const out = mkdtempSync(join(tmpdir(), 'spindle-vitest-on-bun-'));
  try {
    const report = join(out, 'report.json');
    await run(
      BUN,
      ['--bun', VITEST, 'run', '--config', CONFIG, '--reporter=json', `--outputFile=${report}`],
      { cwd: REPO, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
    ).catch((error: { stdout?: string; stderr?: string }) => {
      throw new Error(`vitest on Bun failed:\n${error.stdout ?? ''}${error.stderr ?? ''}`);
    });
    const json = JSON.parse(readFileSync(report, 'utf8')) as JsonReport;
    const results = json.testResults.flatMap((file) =>
      file.assertionResults.map((r) => [r.title, r.status]),
    );
    expect(results).toEqual([
      ['runs on Bun', 'passed'],
      ['drives a backend half and one of its backend processes', 'passed'],
    ]);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}, 150_000);
