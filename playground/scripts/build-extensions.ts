// Builds every demo extension the way an author would ship it: `src/frontend.ts` → a
// self-contained browser ESM bundle `dist/frontend.js`, `src/backend.ts` → `dist/backend.js`,
// and any `src/worker.ts` (a backend subprocess entry) → `dist/worker.js`. Run by Bun.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dir, '..', 'extensions');
const targets: Array<{ file: string; target: 'browser' | 'bun' }> = [
  { file: 'frontend.ts', target: 'browser' },
  { file: 'backend.ts', target: 'bun' },
  { file: 'worker.ts', target: 'bun' },
];

let failed = false;
for (const name of readdirSync(root, { withFileTypes: true })) {
  if (!name.isDirectory() || !existsSync(join(root, name.name, 'spindle.json'))) continue;
  const dir = join(root, name.name);
  rmSync(join(dir, 'dist'), { recursive: true, force: true });
  for (const { file, target } of targets) {
    const entry = join(dir, 'src', file);
    if (!existsSync(entry)) continue;
    const result = await Bun.build({
      entrypoints: [entry],
      outdir: join(dir, 'dist'),
      target,
      format: 'esm',
      minify: false,
      sourcemap: 'none',
    });
    if (!result.success) {
      failed = true;
      console.error(`[build] ${name.name}/${file} failed`);
      for (const log of result.logs) console.error(log);
    }
  }
  console.log(`[build] ${name.name}`);
}
if (failed) process.exit(1);
