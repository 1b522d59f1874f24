/** Arguments of `spindle-host dev` and `spindle-host build`, including the refusals. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseBuildArgs, parseDevArgs } from '../../src/dev/args.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function folder(withManifest: boolean): string {
  const dir = mkdtempSync(join(tmpdir(), 'spindle-dev-args-'));
  dirs.push(dir);
  mkdirSync(dir, { recursive: true });
  if (withManifest) writeFileSync(join(dir, 'spindle.json'), '{}');
  return dir;
}

describe('parseDevArgs', () => {
  it('defaults: ./extensions, or the current folder when it is an extension', () => {
    expect(parseDevArgs([], folder(false))).toEqual({
      extensionsDir: './extensions',
      extensionDirs: [],
      dataDir: './.spindle-data',
      port: 0,
      hostname: '127.0.0.1',
      help: false,
    });
    expect(parseDevArgs([], folder(true))).toMatchObject({ extensionDirs: ['.'] });
    expect(parseDevArgs([], folder(true)).extensionsDir).toBeUndefined();
  });

  it('reads every option; --extension repeats', () => {
    const parsed = parseDevArgs(
      [
        '--extension',
        'a',
        '--extension',
        '../b',
        '--data',
        'd',
        '--mode',
        'worker',
        '--port',
        '7420',
        '--hostname',
        '0.0.0.0',
        '--tokens',
        't.json',
      ],
      folder(true),
    );
    expect(parsed).toEqual({
      extensionDirs: ['a', '../b'],
      dataDir: 'd',
      runtimeMode: 'worker',
      port: 7420,
      hostname: '0.0.0.0',
      tokensFile: 't.json',
      help: false,
    });
    expect(parseDevArgs(['--extensions', 'exts'], folder(true))).toMatchObject({
      extensionsDir: 'exts',
      extensionDirs: [],
    });
  });

  it('refuses bad input with INVALID_OPTIONS and a clear message', () => {
    const cwd = folder(false);
    const cases: Array<[string[], RegExp]> = [
      [['--mode', 'vm'], /--mode must be one of process, sandbox, worker, got "vm"/],
      [['--port', '70000'], /--port must be an integer in \[0, 65535\], got "70000"/],
      [['--extensions', 'a', '--extension', 'b'], /give --extensions or --extension, not both/],
      [['--nope'], /Unknown option '--nope'/],
      [['stray'], /Unexpected argument 'stray'/],
    ];
    for (const [argv, message] of cases) {
      expect(() => parseDevArgs(argv, cwd)).toThrow(message);
      try {
        parseDevArgs(argv, cwd);
      } catch (error) {
        expect((error as { code?: string }).code).toBe('INVALID_OPTIONS');
      }
    }
  });
});

describe('parseBuildArgs', () => {
  it('builds the current folder by default; folders, --sourcemap and --minify', () => {
    expect(parseBuildArgs([])).toEqual({
      dirs: ['.'],
      sourcemap: false,
      minify: false,
      help: false,
    });
    expect(parseBuildArgs(['a', 'b', '--sourcemap', '--minify'])).toEqual({
      dirs: ['a', 'b'],
      sourcemap: true,
      minify: true,
      help: false,
    });
    expect(() => parseBuildArgs(['--watch'])).toThrow(/Unknown option '--watch'/);
  });
});
