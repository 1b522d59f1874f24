import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '../../src/cli/args.ts';

describe('parseCliArgs', () => {
  it('leaves what is not given absent (the environment, the config file or the defaults fill it)', () => {
    expect(parseCliArgs([])).toEqual({ help: false });
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
        '--config',
        '/etc/spindle.json',
        '--tokens',
        '/t.json',
        '--origins',
        'https://a.example, http://localhost:5173',
        '--log-level',
        'debug',
        '--log-format',
        'pretty',
      ]),
    ).toEqual({
      extensionsDir: '/x',
      dataDir: '/d',
      runtimeMode: 'sandbox',
      port: 8080,
      hostname: '0.0.0.0',
      enable: ['a', 'b', 'c'],
      configFile: '/etc/spindle.json',
      tokensFile: '/t.json',
      allowedOrigins: ['https://a.example', 'http://localhost:5173'],
      logLevel: 'debug',
      logFormat: 'pretty',
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
    [['--log-level', 'loud'], /--log-level must be one of debug, info, warn, error, silent/],
    [['--log-format', 'xml'], /--log-format must be json or pretty/],
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
