// Builds every demo extension the way an author's project is built (`spindle-host build`, the
// conventions of docs/first-extension.md): `src/frontend.ts` → a self-contained browser ESM
// bundle `dist/frontend.js`, `src/backend.ts` → `dist/backend.js`, and each
// `src/children/<name>.ts` (a backend process entry) → `dist/children/<name>.js`. Outputs that
// did not change are left as they are. Run by Bun.
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildExtension, createDevLogger, formatProblem } from '@spindle/bun-host';

const root = resolve(import.meta.dir, '..', 'extensions');
const log = createDevLogger();

let failed = false;
for (const entry of readdirSync(root, { withFileTypes: true })) {
  if (!entry.isDirectory() || !existsSync(join(root, entry.name, 'spindle.json'))) continue;
  const result = await buildExtension(join(root, entry.name));
  if (result.ok) {
    log.line('info', result.identifier, `built: ${result.entries.map((e) => e.output).join(', ')}`);
    continue;
  }
  failed = true;
  log.line('error', result.identifier, 'build failed:');
  for (const error of result.errors)
    log.line('error', result.identifier, formatProblem(error, result.dir));
}
if (failed) process.exit(1);
