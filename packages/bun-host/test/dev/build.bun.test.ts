/**
 * `buildExtension` with Bun's real bundler: the project conventions (frontend, backend, backend
 * processes, manifest entry names), self-contained outputs, unchanged outputs left alone (their
 * mtime, hence the bundle URL, kept), all-or-nothing on a build error with the error's place,
 * and refusals of a bad manifest or an output outside the folder.
 */
import { afterEach, describe, expect, test } from 'bun:test';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildExtension, formatProblem } from '../../src/dev/build.ts';
import { planExtensionBuild } from '../../src/dev/sources.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function project(files: Record<string, string>, manifest: Record<string, unknown> = {}): string {
  const base = realpathSync(mkdtempSync(join(tmpdir(), 'spindle-build-')));
  dirs.push(base);
  const dir = join(base, 'ext');
  const all: Record<string, string> = {
    'spindle.json': JSON.stringify({
      version: '1.0.0',
      name: 'Built',
      identifier: 'built',
      author: 'test',
      github: '',
      homepage: '',
      permissions: [],
      ...manifest,
    }),
    ...files,
  };
  for (const [path, text] of Object.entries(all)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const FULL = {
  'src/frontend.ts': `import { label } from './shared.ts';
export function setup(ctx: { sendToBackend(p: unknown): void }) { ctx.sendToBackend(label + ':' + process.env.NODE_ENV); }`,
  'src/shared.ts': `export const label: string = 'shared';`,
  'src/backend.ts': `import { label } from './shared.ts';
declare const spindle: { log: { info(m: string): void } };
spindle.log.info(label);`,
  'src/children/worker.ts': `export default async function (ctx: { ready(): void }) { ctx.ready(); }`,
  'src/children/helper.tsx': `export function run(ctx: { ready(): void }) { ctx.ready(); }`,
  'src/children/types.d.ts': `export {};`,
};

describe('buildExtension', () => {
  test('builds every part by the conventions into self-contained modules', async () => {
    const dir = project(FULL);
    expect(planExtensionBuild(dir).entries.map((e) => [e.part, e.output, e.target])).toEqual([
      ['frontend', 'dist/frontend.js', 'browser'],
      ['backend', 'dist/backend.js', 'bun'],
      ['child', 'dist/children/helper.js', 'bun'],
      ['child', 'dist/children/worker.js', 'bun'],
    ]);
    const result = await buildExtension(dir, { nodeEnv: 'development' });
    expect(result).toMatchObject({ ok: true, identifier: 'built', errors: [] });
    expect(result.changed).toEqual({ frontend: true, backend: true });
    expect(result.entries.every((e) => e.changed && e.bytes > 0)).toBe(true);
    const frontend = readFileSync(join(dir, 'dist/frontend.js'), 'utf8');
    expect(frontend).not.toContain('import ');
    expect(frontend).toContain('"development"');
    expect(readFileSync(join(dir, 'dist/backend.js'), 'utf8')).toContain('shared');
    expect(result.inputs).toContain(join(dir, 'src/shared.ts'));
    // The built frontend really exports setup, and the child its handler.
    const mod = (await import(join(dir, 'dist/frontend.js'))) as { setup: unknown };
    expect(typeof mod.setup).toBe('function');
    const child = (await import(join(dir, 'dist/children/worker.js'))) as { default: unknown };
    expect(typeof child.default).toBe('function');
  });

  test('entry_frontend and entry_backend of spindle.json name the outputs', async () => {
    const dir = project(
      { 'src/frontend.ts': FULL['src/frontend.ts'], 'src/shared.ts': FULL['src/shared.ts'] },
      { entry_frontend: 'web/app.js', entry_backend: 'server/main.js' },
    );
    writeFileSync(join(dir, 'src/backend.js'), 'spindle.log.info("plain js");');
    const result = await buildExtension(dir);
    expect(result.entries.map((e) => e.output)).toEqual(['web/app.js', 'server/main.js']);
    expect(statSync(join(dir, 'web/app.js')).isFile()).toBe(true);
    expect(readFileSync(join(dir, 'server/main.js'), 'utf8')).toContain('plain js');
  });

  test('an unchanged output is not rewritten: its mtime (and bundle URL) stays', async () => {
    const dir = project(FULL);
    await buildExtension(dir);
    const before = statSync(join(dir, 'dist/frontend.js')).mtimeMs;
    const backendBefore = statSync(join(dir, 'dist/backend.js')).mtimeMs;
    await Bun.sleep(20);
    writeFileSync(
      join(dir, 'src/backend.ts'),
      `${FULL['src/backend.ts']}\nspindle.log.info('v2');`,
    );
    const second = await buildExtension(dir);
    expect(second.changed).toEqual({ frontend: false, backend: true });
    expect(second.entries.find((e) => e.part === 'frontend')?.changed).toBe(false);
    expect(statSync(join(dir, 'dist/frontend.js')).mtimeMs).toBe(before);
    expect(statSync(join(dir, 'dist/backend.js')).mtimeMs).toBeGreaterThan(backendBefore);
    const third = await buildExtension(dir);
    expect(third.changed).toEqual({ frontend: false, backend: false });
  });

  test('a syntax error writes nothing, keeps the previous outputs and says where', async () => {
    const dir = project(FULL);
    await buildExtension(dir);
    const frontendBefore = readFileSync(join(dir, 'dist/frontend.js'), 'utf8');
    const backendBefore = readFileSync(join(dir, 'dist/backend.js'), 'utf8');
    // The frontend changes and would build; the backend does not: nothing is written.
    writeFileSync(join(dir, 'src/shared.ts'), `export const label: string = 'changed';`);
    writeFileSync(join(dir, 'src/backend.ts'), 'const = ;\n');
    const result = await buildExtension(dir);
    expect(result.ok).toBe(false);
    expect(result.entries).toEqual([]);
    expect(result.changed).toEqual({ frontend: false, backend: false });
    expect(result.errors[0]).toMatchObject({
      level: 'error',
      file: join(dir, 'src/backend.ts'),
      line: 1,
      lineText: 'const = ;',
    });
    expect(formatProblem(result.errors[0] as never, dir)).toMatch(
      /^src\/backend\.ts:1:\d+: .+\n {4}const = ;$/,
    );
    expect(readFileSync(join(dir, 'dist/frontend.js'), 'utf8')).toBe(frontendBefore);
    expect(readFileSync(join(dir, 'dist/backend.js'), 'utf8')).toBe(backendBefore);
  });

  test('an unresolvable import is an error naming the import', async () => {
    const dir = project({ 'src/backend.ts': `import { x } from './missing.ts';\nconsole.log(x);` });
    const result = await buildExtension(dir);
    expect(result.ok).toBe(false);
    expect(result.errors.map((e) => e.message).join('\n')).toContain('./missing.ts');
  });

  test('a missing or invalid spindle.json and an output outside the folder are errors', async () => {
    const dir = project({ 'src/backend.ts': 'export {};' });
    writeFileSync(join(dir, 'spindle.json'), '{ "identifier": 1 }');
    const invalid = await buildExtension(dir);
    expect(invalid.ok).toBe(false);
    expect(invalid.errors[0]?.message).toMatch(/^\[spindle\] invalid .*spindle\.json/);
    rmSync(join(dir, 'spindle.json'));
    expect((await buildExtension(dir)).errors[0]?.message).toMatch(/cannot read .*spindle\.json/);

    const escaping = project(
      { 'src/backend.ts': 'export {};' },
      { entry_backend: '../outside/backend.js' },
    );
    const refused = await buildExtension(escaping);
    expect(refused.ok).toBe(false);
    expect(refused.errors[0]?.message).toBe(
      'output ../outside/backend.js leaves the extension folder',
    );
  });

  test('an extension without sources builds nothing', async () => {
    const dir = project({ 'dist/backend.js': 'spindle.log.info("prebuilt");' });
    const result = await buildExtension(dir);
    expect(result).toMatchObject({
      ok: true,
      entries: [],
      changed: { frontend: false, backend: false },
    });
  });
});
