/** Plain Node imports the installed `@spindle/types` (ESM, built JavaScript) and validates frames. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';
import { APP } from './consumer.ts';

const run = promisify(execFile);

test('a Node ESM program imports @spindle/types and @spindle/types/errors and validates frames', async () => {
  const { stdout } = await run(process.execPath, [join(APP, 'node', 'validate.mjs')], {
    cwd: APP,
  });
  const report = JSON.parse(stdout) as Record<string, unknown>;
  expect(report).toEqual({
    resolved: `file://${APP}/node_modules/@spindle/types/dist/index.js`,
    resolvedErrors: `file://${APP}/node_modules/@spindle/types/dist/errors.js`,
    good: { type: 'hello', protocolVersion: 2, token: 'a-token-of-sixteen-chars' },
    bad: 'INVALID_FRAME',
    notJson: 'INVALID_JSON',
    errorClass: true,
    knowsCodes: true,
  });
});
