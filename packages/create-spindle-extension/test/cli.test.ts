/**
 * The command: the folder from the argument or, on a terminal, a question; names derived from
 * it; the next steps in the package manager that ran it; exit codes 0, 1 and 2 with clear
 * messages.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type CreateIO, ownVersion, runCreate } from '../src/main.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function io(options: { userAgent?: string; answer?: string } = {}) {
  const cwd = mkdtempSync(join(tmpdir(), 'spindle-create-cli-'));
  dirs.push(cwd);
  const out: string[] = [];
  const err: string[] = [];
  const asked: string[] = [];
  const value: CreateIO = {
    cwd,
    env: options.userAgent ? { npm_config_user_agent: options.userAgent } : {},
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    ...(options.answer === undefined
      ? {}
      : {
          ask: async (question: string) => {
            asked.push(question);
            return options.answer as string;
          },
        }),
  };
  return { io: value, cwd, out, err, asked };
}

describe('runCreate', () => {
  it('creates the folder, derives the names, prints the next steps', async () => {
    const t = io({ userAgent: 'pnpm/10.34.8 npm/? node/v20.19.0 linux x64' });
    expect(await runCreate(['Cool Thing', '--child'], t.io)).toBe(0);
    const manifest = JSON.parse(readFileSync(join(t.cwd, 'Cool Thing', 'spindle.json'), 'utf8'));
    expect(manifest).toMatchObject({ identifier: 'cool_thing', name: 'Cool Thing' });
    const pkg = JSON.parse(readFileSync(join(t.cwd, 'Cool Thing', 'package.json'), 'utf8'));
    expect(pkg.name).toBe('cool-thing');
    expect(pkg.devDependencies['@spindle/types']).toBe(`^${ownVersion()}`);
    expect(t.out).toEqual([
      'Created Cool Thing (frontend + backend + a backend process) in Cool Thing: 11 files.',
      '',
      'Next:',
      '  cd "Cool Thing"',
      '  pnpm install',
      '  pnpm test        # the tests of both halves',
      '  pnpm build       # src/ → dist/',
      '  pnpm dev         # a dev host that rebuilds and reloads on save',
    ]);
  });

  it('options name the identifier, the name and the package manager', async () => {
    const t = io({ userAgent: 'npm/10.8.2 node/v20.19.0' });
    const code = await runCreate(
      [
        'x',
        '--backend-only',
        '--identifier',
        'chosen_id',
        '--name',
        'Chosen',
        '--package-manager',
        'bun',
      ],
      t.io,
    );
    expect(code).toBe(0);
    expect(JSON.parse(readFileSync(join(t.cwd, 'x', 'spindle.json'), 'utf8'))).toMatchObject({
      identifier: 'chosen_id',
      name: 'Chosen',
    });
    expect(existsSync(join(t.cwd, 'x', 'src', 'frontend.ts'))).toBe(false);
    expect(t.out).toContain('  bun run test        # the tests of the extension');
  });

  it('on a terminal without a folder it asks (empty answer: my-extension)', async () => {
    const t = io({ answer: '' });
    expect(await runCreate([], t.io)).toBe(0);
    expect(t.asked).toEqual(['Project folder (my-extension): ']);
    expect(existsSync(join(t.cwd, 'my-extension', 'spindle.json'))).toBe(true);
  });

  it('exit 2 for bad usage (no folder without a terminal, conflicting options), 1 for a folder in the way', async () => {
    const none = io();
    expect(await runCreate([], none.io)).toBe(2);
    expect(none.err[0]).toMatch(/^create-spindle-extension: give the folder of the new project/);
    const both = io();
    expect(await runCreate(['x', '--frontend-only', '--backend-only'], both.io)).toBe(2);
    expect(both.err[0]).toContain('--frontend-only and --backend-only exclude each other');
    const unknown = io();
    expect(await runCreate(['x', '--typescript'], unknown.io)).toBe(2);
    expect(unknown.err[0]).toContain("Unknown option '--typescript'");
    const pm = io();
    expect(await runCreate(['x', '--package-manager', 'yarn'], pm.io)).toBe(2);
    expect(pm.err[0]).toContain('--package-manager must be npm, pnpm or bun, got "yarn"');
    const twice = io();
    expect(await runCreate(['x'], twice.io)).toBe(0);
    expect(await runCreate(['x'], twice.io)).toBe(1);
    expect(twice.err.at(-1)).toMatch(/is not empty: choose a new folder, or pass --force/);
  });

  it('--help and --version', async () => {
    const help = io();
    expect(await runCreate(['--help'], help.io)).toBe(0);
    expect(help.out[0]).toMatch(/^Usage: npm create spindle-extension@latest/);
    const version = io();
    expect(await runCreate(['-v'], version.io)).toBe(0);
    expect(version.out).toEqual([ownVersion()]);
  });
});
