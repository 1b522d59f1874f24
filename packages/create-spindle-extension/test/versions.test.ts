/** A new project uses the tool versions this repository builds and tests the runtime with. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { TOOL_VERSIONS } from '../src/versions.ts';

it('TOOL_VERSIONS follow the root devDependencies', () => {
  const root = JSON.parse(
    readFileSync(join(import.meta.dirname, '..', '..', '..', 'package.json'), 'utf8'),
  ) as { devDependencies: Record<string, string> };
  const floor = (range: string) => range.replace(/^[\^~]/, '');
  for (const [name, range] of Object.entries(TOOL_VERSIONS)) {
    expect([name, floor(range)]).toEqual([name, floor(root.devDependencies[name] ?? '')]);
  }
});
