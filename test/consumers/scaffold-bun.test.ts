/**
 * A generated project (both halves and a backend process) as Bun users get it: installed with
 * `bun install` from the packed tarballs (`overrides`; Bun's own npm package allowed to run its
 * install script by the project's `trustedDependencies`), type-checked, built and tested through
 * `bun run`.
 */
import { expect, test } from 'vitest';
import { scratchDir } from './consumer.ts';
import { BUN, create, passedTests, run, useTarballs } from './scaffold.ts';

test('bun install, bun run typecheck, bun run build, bun run test', async () => {
  const dir = await create(scratchDir('scaffold-bun'), 'bun-ext', ['--child']);
  useTarballs(dir, 'bun');
  await run(BUN, ['install'], dir);
  await run(BUN, ['run', 'typecheck'], dir);
  expect(await run(BUN, ['run', 'build'], dir)).toMatch(/\[bun_ext\] built in \d+ ms/);
  expect(passedTests(await run(BUN, ['run', 'test'], dir))).toBe(7);
}, 300_000);
