/**
 * A generated project (both halves and a backend process) as pnpm users get it: installed with
 * pnpm from the packed tarballs (`pnpm.overrides`; Bun's install script allowed by the project's
 * `pnpm.onlyBuiltDependencies`), type-checked, built and tested through pnpm's scripts.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { pnpmCommand } from '../../scripts/release/pipeline.ts';
import { scratchDir } from './consumer.ts';
import { create, passedTests, run, useTarballs } from './scaffold.ts';

test('pnpm install, pnpm typecheck, pnpm build, pnpm test', async () => {
  const dir = await create(scratchDir('scaffold-pnpm'), 'pnpm-ext', ['--child']);
  useTarballs(dir, 'pnpm');
  const [pnpm, ...prefix] = pnpmCommand();
  const p = (...args: string[]) => run(pnpm as string, [...prefix, ...args], dir);
  await p('install', '--prefer-offline', '--reporter=append-only');
  // The real Bun binary, put in place by its install script (not npm's stand-in).
  expect(existsSync(join(dir, 'node_modules', 'bun', 'bin', 'bun.exe'))).toBe(true);
  await p('typecheck');
  expect(await p('build')).toMatch(/\[pnpm_ext\] built in \d+ ms/);
  expect(passedTests(await p('test'))).toBe(7);
}, 300_000);
