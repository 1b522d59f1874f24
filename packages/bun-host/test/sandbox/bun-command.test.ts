import { isSpindleError } from '@spindle/types';
import { describe, expect, it } from 'vitest';
import { bunCommand, bunPath, TERMUX_PREFIX } from '../../src/sandbox/bun-command.ts';
import { defaultBunPath } from '../../src/sandbox/paths.ts';

const BUN = '/data/data/com.termux/files/home/.bun/bin/bun';

describe('bunCommand', () => {
  it('defaults to the direct method: the running Bun, or the binary of the bun package under Node', () => {
    const expected = defaultBunPath();
    expect(bunCommand({})).toEqual([expected]);
    expect(bunPath({})).toBe(expected);
  });

  it('direct: the configured binary alone', () => {
    expect(bunCommand({ LUMIVERSE_BUN_METHOD: 'direct', LUMIVERSE_BUN_PATH: BUN })).toEqual([BUN]);
  });

  it('grun: glibc-runner in front of the binary', () => {
    expect(bunCommand({ LUMIVERSE_BUN_METHOD: 'grun', LUMIVERSE_BUN_PATH: BUN })).toEqual([
      'grun',
      BUN,
    ]);
  });

  it('proot: fake root, hard-link emulation and the glibc loader of the CPU', () => {
    expect(
      bunCommand({ LUMIVERSE_BUN_METHOD: 'proot', LUMIVERSE_BUN_PATH: BUN }, { arch: 'arm64' }),
    ).toEqual([
      'proot',
      '--link2symlink',
      '-0',
      `${TERMUX_PREFIX}/glibc/lib/ld-linux-aarch64.so.1`,
      '--library-path',
      `${TERMUX_PREFIX}/glibc/lib`,
      BUN,
    ]);
    expect(
      bunCommand(
        { LUMIVERSE_BUN_METHOD: 'proot', LUMIVERSE_BUN_PATH: BUN, PREFIX: '/opt/termux' },
        { arch: 'x64' },
      ),
    ).toEqual([
      'proot',
      '--link2symlink',
      '-0',
      '/opt/termux/glibc/lib/ld-linux-x86-64.so.2',
      '--library-path',
      '/opt/termux/glibc/lib',
      BUN,
    ]);
  });

  it('treats an empty method or path as unset', () => {
    expect(bunCommand({ LUMIVERSE_BUN_METHOD: ' ', LUMIVERSE_BUN_PATH: '' })).toEqual([
      bunPath({}),
    ]);
  });

  it('rejects an unknown method with INVALID_OPTIONS naming the accepted ones', () => {
    try {
      bunCommand({ LUMIVERSE_BUN_METHOD: 'docker' });
      expect.unreachable();
    } catch (error) {
      expect(isSpindleError(error, 'INVALID_OPTIONS')).toBe(true);
      expect((error as Error).message).toMatch(/"docker" is not one of direct, grun, proot/);
    }
  });

  it('rejects a relative Bun path and a CPU without a known loader', () => {
    expect(() => bunCommand({ LUMIVERSE_BUN_PATH: 'bin/bun' })).toThrow(/absolute path/);
    expect(() =>
      bunCommand({ LUMIVERSE_BUN_METHOD: 'proot', LUMIVERSE_BUN_PATH: BUN }, { arch: 'mips' }),
    ).toThrow(/no glibc loader for CPU "mips"/);
  });
});
