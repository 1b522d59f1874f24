/**
 * The `spindle-host` launcher (src/cli/spindle-host) finds a Bun without relying on PATH: the
 * Bun installed with the package first (npm's and pnpm's layouts, through the symlinks they
 * make), skipping the npm package's stand-in when its install script did not run, then PATH,
 * then Bun's own install folders; LUMIVERSE_BUN_PATH overrides all of them. Whichever it is, it
 * runs the program with `--no-install` (no package fetched at run time). Fake Bun binaries
 * (shell scripts that print their arguments) stand in for the real one, except in the last case.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const LAUNCHER = resolve(import.meta.dirname, '..', '..', 'src', 'cli', 'spindle-host');
const dirs: string[] = [];

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'spindle-launcher-'));
  dirs.push(dir);
  return dir;
}

function executable(path: string, text: string): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  chmodSync(path, 0o755);
  return path;
}

/** A Bun that answers `--version` and otherwise prints who it is and its arguments. */
const fakeBun = (path: string, name: string) =>
  executable(
    path,
    `#!/bin/sh\nif [ "$1" = --version ]; then echo 1.4.5; exit 0; fi\necho "${name}: $*"\n`,
  );

/** The npm package's stand-in for a Bun whose install script did not run. */
const standIn = (path: string) =>
  executable(path, '#!/bin/sh\necho "Error: Bun\'s postinstall script was not run." >&2\nexit 1\n');

/** The launcher and its program, as the built package lays them out under `pkg`. */
function installLauncher(pkg: string): string {
  const cli = join(pkg, 'dist', 'cli');
  mkdirSync(cli, { recursive: true });
  copyFileSync(LAUNCHER, join(cli, 'spindle-host'));
  chmodSync(join(cli, 'spindle-host'), 0o755);
  writeFileSync(join(cli, 'bin.js'), '');
  return join(cli, 'spindle-host');
}

function launch(command: string, args: string[], env: Record<string, string>) {
  const result = spawnSync(command, args, { env, encoding: 'utf8', timeout: 30_000 });
  return { status: result.status, stdout: result.stdout.trim(), stderr: result.stderr.trim() };
}

const MINIMAL = { PATH: '/usr/bin:/bin' };

describe('spindle-host launcher', () => {
  it('runs the program with the Bun npm installed next to the package, through .bin', () => {
    const project = tempDir();
    const modules = join(project, 'node_modules');
    const program = join(modules, '@spindle', 'bun-host', 'dist', 'cli', 'bin.js');
    installLauncher(join(modules, '@spindle', 'bun-host'));
    fakeBun(join(modules, 'bun', 'bin', 'bun.exe'), 'npm bun');
    mkdirSync(join(modules, '.bin'));
    symlinkSync(
      '../@spindle/bun-host/dist/cli/spindle-host',
      join(modules, '.bin', 'spindle-host'),
    );

    const result = launch(join(modules, '.bin', 'spindle-host'), ['--mode', 'a b'], MINIMAL);
    expect(result).toEqual({
      status: 0,
      stdout: `npm bun: --no-install ${program} --mode a b`,
      stderr: '',
    });
  });

  it("finds the Bun pnpm installed as the package's sibling in its store", () => {
    const project = tempDir();
    const store = join(project, 'node_modules', '.pnpm', '@spindle+bun-host@0.1.0', 'node_modules');
    installLauncher(join(store, '@spindle', 'bun-host'));
    fakeBun(join(store, 'bun', 'bin', 'bun.exe'), 'pnpm bun');
    mkdirSync(join(project, 'node_modules', '@spindle'));
    symlinkSync(
      join(store, '@spindle', 'bun-host'),
      join(project, 'node_modules', '@spindle', 'bun-host'),
    );

    const via = join(
      project,
      'node_modules',
      '@spindle',
      'bun-host',
      'dist',
      'cli',
      'spindle-host',
    );
    const result = launch(via, ['--help'], MINIMAL);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(
      `pnpm bun: --no-install ${join(store, '@spindle', 'bun-host', 'dist', 'cli', 'bin.js')} --help`,
    );
  });

  it("skips the npm package's stand-in for Bun on PATH, and runs the stand-in as a last resort", () => {
    const project = tempDir();
    const launcher = installLauncher(join(project, 'node_modules', '@spindle', 'bun-host'));
    standIn(join(project, 'node_modules', 'bun', 'bin', 'bun.exe'));
    const onPath = join(project, 'path');
    fakeBun(join(onPath, 'bun'), 'PATH bun');

    expect(launch(launcher, ['x'], { PATH: `${onPath}:/usr/bin:/bin` })).toMatchObject({
      status: 0,
      stdout: expect.stringMatching(/^PATH bun: --no-install \S*\/bin\.js x$/),
    });
    const last = launch(launcher, ['x'], { PATH: '/nonexistent', HOME: project });
    expect(last.status).toBe(1);
    expect(last.stderr).toContain("Bun's postinstall script was not run");
  });

  it("falls back to Bun's own install folders: BUN_INSTALL, then ~/.bun", () => {
    const project = tempDir();
    const launcher = installLauncher(join(project, 'pkg'));
    const home = join(project, 'home');
    fakeBun(join(home, '.bun', 'bin', 'bun'), 'home bun');
    expect(launch(launcher, [], { PATH: '/nonexistent', HOME: home }).stdout).toMatch(
      /^home bun: --no-install /,
    );
    fakeBun(join(project, 'bun-install', 'bin', 'bun'), 'BUN_INSTALL bun');
    const env = { PATH: '/nonexistent', HOME: home, BUN_INSTALL: join(project, 'bun-install') };
    expect(launch(launcher, [], env).stdout).toMatch(/^BUN_INSTALL bun: --no-install /);
  });

  it('uses LUMIVERSE_BUN_PATH first, and refuses one that is relative or not executable', () => {
    const project = tempDir();
    const launcher = installLauncher(join(project, 'node_modules', '@spindle', 'bun-host'));
    fakeBun(join(project, 'node_modules', 'bun', 'bin', 'bun.exe'), 'npm bun');
    const chosen = fakeBun(join(project, 'chosen', 'bun'), 'chosen bun');

    expect(launch(launcher, ['y'], { ...MINIMAL, LUMIVERSE_BUN_PATH: chosen }).stdout).toMatch(
      /^chosen bun: --no-install \S*\/bin\.js y$/,
    );
    expect(launch(launcher, [], { ...MINIMAL, LUMIVERSE_BUN_PATH: 'bun' })).toEqual({
      status: 2,
      stdout: '',
      stderr: '[spindle] spindle-host: LUMIVERSE_BUN_PATH must be an absolute path, not "bun"',
    });
    const missing = join(project, 'nope', 'bun');
    expect(launch(launcher, [], { ...MINIMAL, LUMIVERSE_BUN_PATH: missing })).toEqual({
      status: 127,
      stdout: '',
      stderr: `[spindle] spindle-host: LUMIVERSE_BUN_PATH=${missing} is not an executable file`,
    });
  });

  it('says how to get Bun when there is none, and exits 127', () => {
    const project = tempDir();
    const launcher = installLauncher(join(project, 'pkg'));
    expect(launch(launcher, [], { PATH: '/nonexistent', HOME: project })).toEqual({
      status: 127,
      stdout: '',
      stderr:
        '[spindle] spindle-host: cannot find Bun: install the npm package "bun" next to @spindle/bun-host, put bun on PATH, or set LUMIVERSE_BUN_PATH to the Bun binary',
    });
  });

  it('refuses to start when its program is missing (a broken install)', () => {
    const project = tempDir();
    const launcher = installLauncher(join(project, 'pkg'));
    rmSync(join(dirname(launcher), 'bin.js'));
    const result = launch(launcher, [], MINIMAL);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^\[spindle\] spindle-host: the CLI program is missing next to /);
  });

  it("in the workspace, runs bin.ts with the workspace's Bun under env -i PATH=/usr/bin:/bin", () => {
    const result = launch('/usr/bin/env', ['-i', 'PATH=/usr/bin:/bin', LAUNCHER, '--help'], {});
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Usage: spindle-host \[options\]/);
  });
});
