/**
 * The child bootstraps stay light until `ready`: their static import graph must not load
 * `@spindle/types` (every validator and valibot), `node:util` or `node:url`, each of which
 * cost milliseconds of every runtime and backend process start when measured.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
const HEAVY = ['@spindle/types', 'node:util', 'node:url', 'util', 'url', 'valibot'];

/** Value imports (not `import type`) of a source file, as written. */
function valueImports(source: string): string[] {
  const found: string[] = [];
  const statement = /^\s*(import|export)\s+([^'";]*?)\s*from\s*['"]([^'"]+)['"]/gms;
  for (const match of source.matchAll(statement)) {
    const clause = match[2]!.trim();
    if (clause.startsWith('type ') || clause.startsWith('type{')) continue;
    found.push(match[3]!);
  }
  for (const match of source.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)) found.push(match[1]!);
  return found;
}

/** Every module the file loads statically, following relative imports. */
function staticGraph(entry: string): { file: string; specifier: string }[] {
  const seen = new Set<string>();
  const out: { file: string; specifier: string }[] = [];
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const specifier of valueImports(readFileSync(file, 'utf8'))) {
      out.push({ file, specifier });
      if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier));
    }
  };
  visit(entry);
  return out;
}

describe('child bootstraps import little before ready', () => {
  it('parses value and type imports apart', () => {
    const source = [
      "import type { A } from '@spindle/types';",
      "import { type B, c } from './c.ts';",
      "import {\n  d,\n} from 'node:util';",
      "export { e } from './e.ts';",
    ].join('\n');
    expect(valueImports(source)).toEqual(['./c.ts', 'node:util', './e.ts']);
  });

  for (const entry of ['runtime/child/main.ts', 'processes/backend/child/main.ts']) {
    it(`${entry} loads none of ${HEAVY.join(', ')} statically`, () => {
      const graph = staticGraph(resolve(SRC, entry));
      expect(graph.length).toBeGreaterThan(0);
      const heavy = graph.filter(({ specifier }) => HEAVY.includes(specifier));
      expect(heavy).toEqual([]);
    });
  }
});
