/**
 * The configuration schema and the precedence of flags over environment over file over defaults
 * (docs/operations.md, "Configuration").
 */
import { describe, expect, it } from 'vitest';
import { resolveSettings } from '../../src/config/resolve.ts';
import { validateConfig } from '../../src/config/schema.ts';

describe('validateConfig', () => {
  it('accepts every documented setting', () => {
    const config = {
      $schema: './spindle.schema.json',
      extensionsDir: '/srv/ext',
      dataDir: '/var/lib/spindle',
      runtimeMode: 'sandbox',
      hostname: '127.0.0.1',
      port: 7700,
      enable: 'all',
      tokensFile: '/etc/spindle/tokens.json',
      allowedOrigins: ['https://app.example.com', 'http://localhost:5173'],
      lumiverseVersion: '1.2.0',
      log: { level: 'warn', format: 'json' },
      stats: { enabled: true, sampleIntervalMs: 30_000 },
      metrics: { access: 'admin' },
      drain: { deadlineMs: 20_000 },
      activation: {
        defaultPolicy: 'lazy',
        idleAfterMs: 600_000,
        maxActiveRuntimes: 10,
        capacityWaitMs: 5000,
        maxCapacityWaiters: 64,
      },
      extensions: { chat_tools: { activation: 'eager', keepAlive: true, idleAfterMs: false } },
      cacheDir: '/var/cache/spindle',
      runtimeUser: 'spindle-runtime',
      allowRootRuntimes: false,
      allowWeakerSandbox: false,
      pidsMax: 128,
      runtimeLimits: {
        memoryLimitMb: 256,
        memorySampleMs: 250,
        pingIntervalMs: 500,
        pingTimeoutMs: 0,
        inboundQueueBytes: 1_048_576,
        maxLogLineBytes: 4096,
        logBurst: 100,
        logIntervalMs: 1000,
      },
    };
    expect(validateConfig(config)).toEqual({ ok: true, value: config });
  });

  it.each([
    [[], '(root): must be a JSON object of settings'],
    [null, '(root): must be a JSON object of settings'],
    [{ allowedOrigins: ['https://a.example/path'] }, 'allowedOrigins.0: must be an origin'],
    [{ enable: 'some' }, 'enable: must be "all" or a list of identifiers'],
    [{ log: { format: 'xml' } }, 'log.format: must be "json" or "pretty"'],
    [
      { metrics: { access: 'everyone' } },
      'metrics.access: must be one of loopback-or-admin, admin, public',
    ],
    [{ activation: { maxActiveRuntimes: 0 } }, 'activation.maxActiveRuntimes: must be at least 1'],
    [{ activation: { idleAfterMs: 1.5 } }, 'activation.idleAfterMs: must be a whole number'],
    [
      { extensions: { ok: { idleAfterMs: true } } },
      'extensions.ok.idleAfterMs: must be milliseconds ≥ 1 or false',
    ],
    [{ runtimeMode: 'vm' }, 'runtimeMode: must be one of process, sandbox, worker'],
    [{ stats: { enable: true } }, 'stats.enable: unknown setting'],
    [{ pidsMax: 8 }, 'pidsMax: must be at least 16'],
    [{ allowRootRuntimes: 'yes' }, 'allowRootRuntimes: must be true or false'],
    [{ runtimeLimits: { memoryLimitMb: -1 } }, 'runtimeLimits.memoryLimitMb: must not be negative'],
    [{ runtimeLimits: { logBurst: 0 } }, 'runtimeLimits.logBurst: must be at least 1'],
    [{ runtimeLimits: { memoryMb: 1 } }, 'runtimeLimits.memoryMb: unknown setting'],
    [{ cacheDir: '' }, 'cacheDir: must not be empty'],
  ])('refuses %j: %s', (input, problem) => {
    const result = validateConfig(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.join('\n')).toContain(problem);
  });
});

describe('resolveSettings', () => {
  it('defaults without flags, environment or file', () => {
    expect(resolveSettings({ help: false }, {}, {}, false)).toEqual({
      extensionsDir: './extensions',
      dataDir: './.spindle-data',
      hostname: '127.0.0.1',
      port: 0,
      enable: 'all',
      log: { level: 'info', format: 'json' },
      metricsAccess: 'loopback-or-admin',
      drainDeadlineMs: 30_000,
      activation: {},
      launch: {},
      runtimeLimits: {},
      env: {},
    });
    expect(resolveSettings({ help: false }, {}, {}, true).log.format).toBe('pretty');
  });

  it('flags beat the environment, which beats the file', () => {
    const file = {
      runtimeMode: 'process' as const,
      port: 1000,
      log: { level: 'debug' as const, format: 'pretty' as const },
      stats: { enabled: true, sampleIntervalMs: 500 },
      activation: { idleAfterMs: 1000 },
      extensions: { a: { keepAlive: true } },
    };
    const env = {
      LUMIVERSE_SPINDLE_RUNTIME_MODE: 'worker',
      LUMIVERSE_SPINDLE_RUNTIME_STATS: 'false',
    };
    const settings = resolveSettings(
      { help: false, port: 2000, logLevel: 'warn' },
      env,
      file,
      false,
    );
    expect(settings).toMatchObject({
      runtimeMode: 'worker',
      port: 2000,
      log: { level: 'warn', format: 'pretty' },
      activation: { idleAfterMs: 1000, extensions: { a: { keepAlive: true } } },
    });
    // The environment's stats switch stays; the file fills in what the environment leaves out.
    expect(settings.env).toEqual({
      ...env,
      LUMIVERSE_SPINDLE_RUNTIME_SAMPLE_INTERVAL_MS: '500',
    });
    expect(
      resolveSettings({ help: false, runtimeMode: 'sandbox' }, env, file, false).runtimeMode,
    ).toBe('sandbox');
  });

  it('launch settings and runtime limits: flags over the environment over the file', () => {
    const file = {
      cacheDir: '/from/file',
      runtimeUser: 'file-user',
      allowRootRuntimes: true,
      allowWeakerSandbox: true,
      pidsMax: 64,
      runtimeLimits: { memoryLimitMb: 100, pingTimeoutMs: 2000, logBurst: 50 },
    };
    // The file alone: every value is passed on.
    expect(resolveSettings({ help: false }, {}, file, false)).toMatchObject({
      launch: {
        cacheDir: '/from/file',
        runtimeUser: 'file-user',
        allowRootRuntimes: true,
        allowWeakerSandbox: true,
        pidsMax: 64,
      },
      runtimeLimits: { memoryLimitMb: 100, pingTimeoutMs: 2000, logBurst: 50 },
    });
    // What the environment sets is left to the host, which reads it over the file.
    const env = {
      LUMIVERSE_SPINDLE_CACHE_DIR: '/from/env',
      LUMIVERSE_SPINDLE_PIDS_MAX: '32',
      LUMIVERSE_SPINDLE_MEMORY_LIMIT_MB: '300',
    };
    const underEnv = resolveSettings({ help: false }, env, file, false);
    expect(underEnv.launch).toEqual({
      runtimeUser: 'file-user',
      allowRootRuntimes: true,
      allowWeakerSandbox: true,
    });
    expect(underEnv.runtimeLimits).toEqual({ pingTimeoutMs: 2000, logBurst: 50 });
    // Flags beat both.
    const flags = resolveSettings(
      { help: false, cacheDir: '/from/flag', runtimeUser: 'flag-user', allowRootRuntimes: true },
      env,
      file,
      false,
    );
    expect(flags.launch).toMatchObject({ cacheDir: '/from/flag', runtimeUser: 'flag-user' });
  });
});
