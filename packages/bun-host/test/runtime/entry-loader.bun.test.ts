/**
 * `loadEntryModule` and `runEntryModule`: the fast synchronous path and every case that must
 * fall back to import().
 */
import { afterAll, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEntryModule, runEntryModule } from '../../src/runtime/entry-loader.ts';

const dir = mkdtempSync(join(tmpdir(), 'spindle-entry-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes a module that counts its evaluations in `globalThis.__evals[name]`. */
function moduleFile(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(
    path,
    `globalThis.__evals ??= {}; globalThis.__evals[${JSON.stringify(name)}] = (globalThis.__evals[${JSON.stringify(name)}] ?? 0) + 1;\n${body}\n`,
  );
  return path;
}

function evaluations(name: string): number {
  return (globalThis as { __evals?: Record<string, number> }).__evals?.[name] ?? 0;
}

describe('loadEntryModule', () => {
  test('an ES module without top-level await: its namespace, evaluated once', async () => {
    const path = moduleFile(
      'sync.mjs',
      'export default function run() { return 1; }\nexport const named = 2;',
    );
    const ns = await loadEntryModule(path);
    expect(typeof ns.default).toBe('function');
    expect(ns.named).toBe(2);
    expect(evaluations('sync.mjs')).toBe(1);
  });

  test('the module runs synchronously, before the call returns (no wait for a later turn)', async () => {
    const path = moduleFile('eager.mjs', 'export const eager = true;');
    const loading = loadEntryModule(path);
    expect(evaluations('eager.mjs')).toBe(1);
    expect((await loading).eager).toBe(true);
  });

  test('a module that awaits at top level is finished by import(), never evaluated twice', async () => {
    const path = moduleFile(
      'tla.mjs',
      'await new Promise((resolve) => setTimeout(resolve, 20));\nexport const after = "awaited";',
    );
    const ns = await loadEntryModule(path);
    expect(ns.after).toBe('awaited');
    expect(evaluations('tla.mjs')).toBe(1);
  });

  test('a CommonJS file comes back as import() gives it: module.exports is the default', async () => {
    const path = moduleFile(
      'cjs.cjs',
      'module.exports = function run() {};\nmodule.exports.extra = 3;',
    );
    const ns = await loadEntryModule(path);
    expect(typeof ns.default).toBe('function');
    expect((ns.default as { extra?: number }).extra).toBe(3);
    expect(evaluations('cjs.cjs')).toBe(1);
  });

  test('a module that throws rejects with its own error, evaluated once', async () => {
    const path = moduleFile('throws.mjs', 'throw new Error("boom at import");');
    await expect(loadEntryModule(path)).rejects.toThrow('boom at import');
    expect(evaluations('throws.mjs')).toBe(1);
  });

  test('a syntax error and a missing file reject', async () => {
    const bad = join(dir, 'bad.mjs');
    writeFileSync(bad, 'export const = ;');
    await expect(loadEntryModule(bad)).rejects.toBeInstanceOf(Error);
    await expect(loadEntryModule(join(dir, 'missing.mjs'))).rejects.toBeInstanceOf(Error);
  });
});

/** Whether `promise` settles within a few microtask checkpoints (no turn of the loop). */
async function settlesInMicrotasks(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  promise.then(
    () => {
      settled = true;
    },
    () => {
      settled = true;
    },
  );
  for (let i = 0; i < 5; i++) await Promise.resolve();
  await promise.catch(() => {});
  return settled;
}

describe('runEntryModule', () => {
  test('a script without import or export (loaded as CommonJS) runs once, synchronously', async () => {
    const path = moduleFile('script.js', 'globalThis.__scriptRan = true;');
    const running = runEntryModule(path);
    expect(evaluations('script.js')).toBe(1);
    expect(await settlesInMicrotasks(running)).toBe(true);
    expect((globalThis as { __scriptRan?: boolean }).__scriptRan).toBe(true);
    expect(evaluations('script.js')).toBe(1);
  });

  test('an ES module without top-level await runs once and settles at once', async () => {
    const path = moduleFile('run-sync.mjs', 'export const value = 1;');
    expect(await settlesInMicrotasks(runEntryModule(path))).toBe(true);
    expect(evaluations('run-sync.mjs')).toBe(1);
  });

  test('a module that awaits at top level is finished by import() before it resolves', async () => {
    const path = moduleFile(
      'run-tla.mjs',
      'await new Promise((resolve) => setTimeout(resolve, 20));\nglobalThis.__tlaDone = true;',
    );
    await runEntryModule(path);
    expect((globalThis as { __tlaDone?: boolean }).__tlaDone).toBe(true);
    expect(evaluations('run-tla.mjs')).toBe(1);
  });

  test('a script or a module that throws rejects with its own error, evaluated once', async () => {
    const script = moduleFile('run-throws.js', 'throw new Error("script boom");');
    await expect(runEntryModule(script)).rejects.toThrow('script boom');
    expect(evaluations('run-throws.js')).toBe(1);
    const esm = moduleFile('run-throws.mjs', 'throw new Error("module boom");');
    await expect(runEntryModule(esm)).rejects.toThrow('module boom');
    expect(evaluations('run-throws.mjs')).toBe(1);
  });

  test('a syntax error and a missing file reject', async () => {
    const bad = join(dir, 'run-bad.js');
    writeFileSync(bad, 'const = ;');
    await expect(runEntryModule(bad)).rejects.toBeInstanceOf(Error);
    await expect(runEntryModule(join(dir, 'run-missing.js'))).rejects.toBeInstanceOf(Error);
  });
});
