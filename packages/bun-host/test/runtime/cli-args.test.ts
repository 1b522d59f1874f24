import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '../../src/cli/args.ts';

describe('parseCliArgs', () => {
  it('has documented defaults', () => {
    expect(parseCliArgs([])).toEqual({
      extensionsDir: './extensions',
      dataDir: './.spindle-data',
      port: 0,
      hostname: '127.0.0.1',
      enable: 'all',
      help: false,
    });
  });

  it('reads every option', () => {
    expect(
      parseCliArgs([
        '--extensions',
        '/x',
        '--data',
        '/d',
        '--mode',
        'sandbox',
        '--port',
        '8080',
        '--hostname',
        '0.0.0.0',
        '--enable',
        'a, b,,c',
      ]),
    ).toEqual({
      extensionsDir: '/x',
      dataDir: '/d',
      runtimeMode: 'sandbox',
      port: 8080,
      hostname: '0.0.0.0',
      enable: ['a', 'b', 'c'],
      help: false,
    });
  });

  it('reads the launch settings', () => {
    const argv = ['--cache', '/c', '--runtime-user', 'nobody', '--allow-root-runtimes'];
    expect(parseCliArgs([...argv, '--allow-weaker-sandbox'])).toMatchObject({
      cacheDir: '/c',
      runtimeUser: 'nobody',
      allowRootRuntimes: true,
      allowWeakerSandbox: true,
    });
    // Absent flags leave the environment and the defaults in charge.
    expect(parseCliArgs([])).not.toHaveProperty('allowRootRuntimes');
  });

  it.each([
    [['--allow-root-runtimes=yes'], /allow-root-runtimes/],
    [['--runtime-user'], /runtime-user/],
    [['--mode', 'vm'], /--mode must be one of process, sandbox, worker/],
    [['--port=-1'], /--port must be an integer/],
    [['--port', 'http'], /--port must be an integer/],
    [['--bogus'], /bogus/],
    [['stray'], /stray/],
  ])('refuses %j with INVALID_OPTIONS', (argv, message) => {
    expect(() => parseCliArgs(argv)).toThrow(message);
    try {
      parseCliArgs(argv);
    } catch (error) {
      expect(error).toMatchObject({ code: 'INVALID_OPTIONS' });
    }
  });
});
