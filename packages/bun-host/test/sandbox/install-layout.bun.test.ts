/**
 * A host that does not care where it lives: `@spindle/bun-host` and `@spindle/types` copied into
 * a fresh project's `node_modules`, as an install lays them out, run one extension in every
 * mode from there. Every path the host needs comes from the installed package (nothing from the
 * repository it was built in); the sandbox keeps all its layers; the run-time caches go to the
 * data folder and nothing is written into `node_modules`.
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import {
  chmodSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const HOST_PACKAGE = fileURLToPath(new URL('../..', import.meta.url));
const TYPES_PACKAGE = join(HOST_PACKAGE, '..', 'types');
let project: string;

/** The real folder of `name` as `fromPackage` resolves it. */
function dependency(fromPackage: string, name: string): string {
  const entry = createRequire(join(fromPackage, 'package.json')).resolve(name);
  let dir = dirname(entry);
  while (!dir.endsWith(`/node_modules/${name}`)) dir = dirname(dir);
  return realpathSync(dir);
}

/** Every file below `dir`, relative to it. */
function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => !entry.isDirectory())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), 'spindle-installed-'));
  chmodSync(project, 0o755);
  const modules = join(project, 'node_modules');
  for (const [name, from, parts] of [
    ['bun-host', HOST_PACKAGE, ['package.json', 'src']],
    ['types', TYPES_PACKAGE, ['package.json', 'src']],
  ] as const) {
    for (const part of parts)
      cpSync(join(from, part), join(modules, '@spindle', name, part), { recursive: true });
  }
  // The packages' own dependencies, linked to their installed copies (as an install would put
  // them next to the packages); the bundled Bun and its types are not needed to run.
  const linked = new Set<string>();
  for (const from of [HOST_PACKAGE, TYPES_PACKAGE]) {
    const manifest = JSON.parse(readFileSync(join(from, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
    };
    for (const [name, range] of Object.entries(manifest.dependencies ?? {})) {
      if (range.startsWith('workspace:') || name === 'bun' || name.startsWith('@types/')) continue;
      if (linked.has(name)) continue;
      linked.add(name);
      symlinkSync(dependency(from, name), join(modules, name));
    }
  }
  mkdirSync(join(project, 'extensions', 'hello', 'dist'), { recursive: true });
  writeFileSync(
    join(project, 'extensions', 'hello', 'spindle.json'),
    JSON.stringify({
      version: '1.0.0',
      name: 'Hello',
      identifier: 'hello',
      author: 'spindle tests',
      github: 'https://github.com/spindle/fixtures',
      homepage: 'https://example.invalid/hello',
      permissions: [],
    }),
  );
  writeFileSync(
    join(project, 'extensions', 'hello', 'dist', 'backend.js'),
    "spindle.log.info('hi');\n",
  );
  writeFileSync(
    join(project, 'host.ts'),
    `import { createSpindleHost } from '@spindle/bun-host';
     const host = await createSpindleHost({ extensionsDir: './extensions', dataDir: './data',
       runtimeMode: process.argv[2], enable: ['hello'], allowRootRuntimes: true, logger: () => {} });
     const { state, sandbox, error } = host.get('hello');
     await host.close();
     console.log(JSON.stringify({ state, sandbox: sandbox ?? null, error: error ?? null }));`,
  );
});

afterAll(() => rmSync(project, { recursive: true, force: true }));

describe.skipIf(process.platform !== 'linux')('installed outside the repository', () => {
  test.each(['process', 'sandbox', 'worker'] as const)(
    '%s mode runs from node_modules',
    (mode) => {
      const before = files(join(project, 'node_modules'));
      const run = Bun.spawnSync({
        cmd: [process.execPath, 'host.ts', mode],
        cwd: project,
        env: { PATH: process.env.PATH, HOME: project },
      });
      const stderr = run.stderr.toString();
      expect({ code: run.exitCode, stderr }).toEqual({ code: 0, stderr: '' });
      expect(JSON.parse(run.stdout.toString())).toEqual({
        state: 'running',
        sandbox: mode === 'sandbox' ? ['bwrap', 'landlock', 'seccomp', 'pids'] : null,
        error: null,
      });
      // The bundled bootstraps sit in the data folder's cache; node_modules is as installed.
      expect(files(join(project, 'node_modules'))).toEqual(before);
      expect(files(join(project, 'data', 'cache')).some((f) => f.endsWith('.js'))).toBe(true);
    },
    60_000,
  );
});
