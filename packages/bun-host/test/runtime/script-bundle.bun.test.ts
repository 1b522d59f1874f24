/** One-file builds of the child bootstraps (`runtime/script-bundle.ts`). */
import { afterAll, afterEach, describe, expect, spyOn, test } from 'bun:test';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { BACKEND_CHILD_SCRIPT } from '../../src/processes/index.ts';
import { CHILD_BOOTSTRAP_PATH } from '../../src/runtime/paths.ts';
import { bundledScript } from '../../src/runtime/script-bundle.ts';
import { resetSandboxDetection } from '../../src/sandbox/detect.ts';

const dirs: string[] = [];
const cache = mkdtempSync(join(tmpdir(), 'spindle-bundle-cache-'));
afterAll(() => rmSync(cache, { recursive: true, force: true }));
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  resetSandboxDetection();
});

describe('bundledScript', () => {
  test('builds each bootstrap once into one CommonJS file with bytecode, named by its content and the Bun version', async () => {
    const [a, b, backend] = await Promise.all([
      bundledScript(CHILD_BOOTSTRAP_PATH, cache),
      bundledScript(CHILD_BOOTSTRAP_PATH, cache),
      bundledScript(BACKEND_CHILD_SCRIPT, cache),
    ]);
    expect(a).toBe(b);
    // In the cache folder it was given, never in the installed package.
    expect(dirname(a)).toBe(cache);
    expect(a).not.toContain('node_modules');
    expect(a).toMatch(/\/runtime-child-main-[0-9a-z]+\.js$/);
    expect(backend).toMatch(/\/backend-child-main-[0-9a-z]+\.js$/);
    const code = readFileSync(a, 'utf8');
    expect(a).toContain(Bun.hash(`${Bun.version}:${Bun.revision}:${code}`).toString(36));
    // CommonJS with its bytecode next to it, which Bun picks up by name.
    expect(code.startsWith('// @bun @bytecode @bun-cjs')).toBe(true);
    expect(existsSync(`${a}.jsc`)).toBe(true);
    expect(existsSync(`${backend}.jsc`)).toBe(true);
    // Self-contained: no import of a workspace package is left, and valibot was not pulled in.
    expect(code).not.toMatch(/from\s+["']@spindle\//);
    expect(code).not.toContain('valibot');
  });

  test('a source that cannot be built is run as it is, after one warning', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spindle-bundle-'));
    dirs.push(dir);
    const broken = join(dir, 'broken.ts');
    writeFileSync(broken, 'export const x = ;\n');
    const warn = spyOn(console, 'warn').mockImplementation(() => {});
    try {
      expect(await bundledScript(broken, cache)).toBe(broken);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0]?.[0])).toContain(`cannot build ${broken}`);
    } finally {
      warn.mockRestore();
    }
  });
});
