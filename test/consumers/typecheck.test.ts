/**
 * TypeScript users of the installed packages: the consumer files (the web page and the Bun
 * program the other consumer tests run) type-check under `moduleResolution` NodeNext and
 * Bundler, `strict` and `exactOptionalPropertyTypes`, without `skipLibCheck`, and with
 * `types: []` (Bun's types must come with `@spindle/bun-host`). Each file also holds
 * `@ts-expect-error` lines, so types that had decayed to `any` would fail the check. The backend
 * files type the global `spindle` with `@spindle/types/globals`, once through `types` in the
 * tsconfig and once through a triple-slash reference.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';
import { APP, WORKSPACE } from './consumer.ts';

const run = promisify(execFile);
const TSC = join(WORKSPACE, 'node_modules', 'typescript', 'bin', 'tsc');

async function typecheck(config: string): Promise<string> {
  try {
    const { stdout } = await run(
      process.execPath,
      [TSC, '-p', join(APP, config), '--pretty', 'false'],
      {
        cwd: APP,
        timeout: 120_000,
      },
    );
    return stdout;
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    return `${stdout}${stderr}` || String(error);
  }
}

test.concurrent.each([
  'tsconfig.web-nodenext.json',
  'tsconfig.web-bundler.json',
  'tsconfig.bun-nodenext.json',
  'tsconfig.bun-bundler.json',
  // The backend global from `@spindle/types/globals`: through `types` and through a reference.
  'tsconfig.globals-types.json',
  'tsconfig.globals-reference.json',
])('tsc --noEmit -p %s passes', async (config) => {
  expect(await typecheck(config)).toBe('');
});
