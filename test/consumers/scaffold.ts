/**
 * What the scaffold tests share: making a project with the installed `create-spindle-extension`
 * (the program `npm create spindle-extension` runs), pointing its `@spindle/*` dependencies at the
 * packed tarballs (they are not on the registry yet: `overrides` make every copy, direct or
 * through another package, the tarball), and running its commands with a user's environment.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { inject } from 'vitest';
import { APP, WORKSPACE } from './consumer.ts';
import { userEnv } from './setup.ts';

const exec = promisify(execFile);

/** The packed tarballs, by package name. */
export const TARBALLS: Record<string, string> = inject('consumerTarballs');
/** The generator npm installed (what `npm create spindle-extension` runs). */
export const CREATE = join(APP, 'node_modules', '.bin', 'create-spindle-extension');
/** The workspace's Bun, for `bun install` (a Bun user has it on PATH). */
export const BUN = join(WORKSPACE, 'node_modules', 'bun', 'bin', 'bun.exe');

/** The package manager that installs a project. */
export type Manager = 'npm' | 'pnpm' | 'bun';

/** The environment of a user's shell, without colours (output is parsed). */
export function projectEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = userEnv();
  delete env.FORCE_COLOR;
  return { ...env, NO_COLOR: '1', CI: '1', ...extra };
}

/** Output of a finished command; a failure throws with both streams. */
export async function run(
  command: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = projectEnv(),
  timeoutMs = 300_000,
): Promise<string> {
  try {
    const { stdout, stderr } = await exec(command, args, {
      cwd,
      env,
      timeout: timeoutMs,
      maxBuffer: 32 * 1024 * 1024,
    });
    return `${stdout}${stderr}`;
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${stdout}${stderr}`);
  }
}

/** Makes `name` under `parent` with the installed generator and `options`; returns its folder. */
export async function create(parent: string, name: string, options: string[]): Promise<string> {
  mkdirSync(parent, { recursive: true });
  await run(CREATE, [name, ...options], parent);
  return join(parent, name);
}

/**
 * Points the project's `@spindle/*` dependencies at the tarballs, in the place `manager` reads
 * overrides from (npm and Bun: `overrides`; pnpm: `pnpm.overrides`).
 */
export function useTarballs(dir: string, manager: Manager): void {
  const path = join(dir, 'package.json');
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as {
    devDependencies: Record<string, string>;
    overrides?: Record<string, string>;
    pnpm?: { overrides?: Record<string, string> };
  };
  const local = Object.fromEntries(
    Object.entries(TARBALLS)
      .filter(([name]) => name.startsWith('@spindle/'))
      .map(([name, tarball]) => [name, `file:${tarball}`]),
  );
  for (const name of Object.keys(manifest.devDependencies)) {
    if (local[name]) manifest.devDependencies[name] = local[name];
  }
  if (manager === 'pnpm') manifest.pnpm = { ...manifest.pnpm, overrides: local };
  else manifest.overrides = local;
  writeFileSync(path, `${JSON.stringify(manifest, null, 2)}\n`);
}

/** Lets `dir` use the dependencies installed in `installed` (one install for several projects). */
export function shareInstall(dir: string, installed: string): void {
  symlinkSync(join(installed, 'node_modules'), join(dir, 'node_modules'));
}

/** The tests vitest reported as passed in `output` (its summary line). */
export function passedTests(output: string): number {
  return Number(/Tests\s+(\d+) passed/.exec(output)?.[1] ?? 0);
}
