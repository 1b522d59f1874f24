/**
 * `generateProject` for each variant: which files, with every directive and placeholder
 * resolved, the manifests (a valid `spindle.json`, the dependencies and scripts each variant
 * needs), and the refusals (bad names, a child without a backend, a folder in the way).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { validateManifest } from '../../types/src/index.ts';
import { GenerateError, type GenerateOptions, generateProject } from '../src/generate.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function target(): string {
  const base = mkdtempSync(join(tmpdir(), 'spindle-create-'));
  dirs.push(base);
  return join(base, 'my-ext');
}

const base = (dir: string): GenerateOptions => ({
  dir,
  packageName: 'my-ext',
  identifier: 'my_ext',
  displayName: 'My ext',
  spindleVersion: '1.2.3',
});

const read = (dir: string, file: string) => readFileSync(join(dir, file), 'utf8');

describe('generateProject', () => {
  it.each([
    [
      'full',
      false,
      ['src/backend.ts', 'src/frontend.ts', 'test/backend.test.ts', 'test/frontend.test.ts'],
    ],
    [
      'full',
      true,
      [
        'src/backend.ts',
        'src/children/worker.ts',
        'src/frontend.ts',
        'test/backend.test.ts',
        'test/frontend.test.ts',
      ],
    ],
    ['frontend', false, ['src/frontend.ts', 'test/frontend.test.ts']],
    ['backend', true, ['src/backend.ts', 'src/children/worker.ts', 'test/backend.test.ts']],
  ] as const)('%s (child: %s): its files, fully rendered', (variant, child, sources) => {
    const dir = target();
    const files = generateProject({ ...base(dir), variant, child });
    expect(files).toEqual(
      [
        '.gitignore',
        'README.md',
        'package.json',
        'spindle.json',
        'tsconfig.json',
        'vitest.config.ts',
        ...sources,
      ].sort(),
    );
    for (const file of files) {
      const text = read(dir, file);
      expect([file, /#(if|else|endif)\b/.test(text)]).toEqual([file, false]);
      expect([file, text.includes('{{')]).toEqual([file, false]);
    }
    const manifest = JSON.parse(read(dir, 'spindle.json'));
    expect(validateManifest(manifest)).toMatchObject({ ok: true });
    expect(manifest).toMatchObject({ identifier: 'my_ext', name: 'My ext', permissions: [] });
    const pkg = JSON.parse(read(dir, 'package.json'));
    expect(pkg).toMatchObject({ name: 'my-ext', private: true, type: 'module' });
    const frontend = variant !== 'backend';
    const backend = variant !== 'frontend';
    expect(Object.keys(pkg.devDependencies).sort()).toEqual(
      [
        '@spindle/bun-host',
        '@spindle/types',
        'bun',
        'typescript',
        'vitest',
        ...(frontend ? ['@spindle/frontend-sdk', 'happy-dom'] : []),
      ].sort(),
    );
    expect(pkg.devDependencies['@spindle/bun-host']).toBe('^1.2.3');
    expect(pkg.scripts).toEqual({
      build: 'spindle-host build',
      dev: 'spindle-host dev',
      typecheck: 'tsc',
      test: backend ? 'bun --bun vitest run' : 'vitest run',
    });
    expect(pkg.trustedDependencies).toEqual(['bun']);
    expect(pkg.pnpm).toEqual({ onlyBuiltDependencies: ['bun'] });
    const tsconfig = read(dir, 'tsconfig.json');
    expect(tsconfig.includes('"types": ["@spindle/types/globals"]')).toBe(backend);
    const vitest = read(dir, 'vitest.config.ts');
    expect(vitest.includes("name: 'frontend'")).toBe(frontend);
    expect(vitest.includes("name: 'backend'")).toBe(backend);
    if (frontend) {
      expect(read(dir, 'src/frontend.ts').includes('ctx.sendToBackend')).toBe(backend);
      expect(read(dir, 'test/frontend.test.ts')).toContain("'[data-my_ext]'");
    }
    if (backend) {
      expect(read(dir, 'src/backend.ts').includes('backendProcesses.spawn')).toBe(child);
    }
  });

  it('the README shows the commands of the chosen package manager', () => {
    const npm = target();
    generateProject({ ...base(npm), packageManager: 'npm' });
    expect(read(npm, 'README.md')).toContain('`npm run build`');
    const bun = target();
    generateProject({ ...base(bun), packageManager: 'bun' });
    expect(read(bun, 'README.md')).toContain('`bun run test`');
    const pnpm = target();
    generateProject({ ...base(pnpm), packageManager: 'pnpm' });
    expect(read(pnpm, 'README.md')).toContain('`pnpm dev`');
  });

  it('refuses bad names, a child without a backend, and a folder in the way', () => {
    const dir = target();
    const refused = (options: Partial<GenerateOptions>, message: string) => {
      expect(() => generateProject({ ...base(dir), ...options })).toThrow(GenerateError);
      expect(() => generateProject({ ...base(dir), ...options })).toThrow(message);
    };
    refused({ identifier: 'My-Ext' }, 'identifier "My-Ext" must start with a lower-case letter');
    refused({ packageName: 'Bad Name' }, '"Bad Name" is not a valid npm package name');
    refused({ displayName: ' ' }, 'the name must not be empty');
    refused({ variant: 'frontend', child: true }, 'a backend process needs a backend half');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    refused({}, 'is not empty: choose a new folder, or pass --force');
    const file = `${dir}.txt`;
    writeFileSync(file, '');
    expect(() => generateProject({ ...base(file) })).toThrow('exists and is not a folder');
  });

  it('--force writes into a folder that is not empty and keeps other files', () => {
    const dir = target();
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    writeFileSync(join(dir, 'package.json'), '{}');
    generateProject({ ...base(dir), force: true });
    expect(read(dir, 'notes.txt')).toBe('mine');
    expect(JSON.parse(read(dir, 'package.json')).name).toBe('my-ext');
  });
});
