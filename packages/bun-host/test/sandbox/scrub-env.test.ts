import { describe, expect, it } from 'vitest';
import { isAllowedEnvName, scrubEnv } from '../../src/sandbox/env.ts';

describe('scrubEnv', () => {
  it('keeps the allowlisted, non-secret variables', () => {
    const kept = {
      PATH: '/usr/bin',
      HOME: '/home/a',
      LANG: 'C.UTF-8',
      LC_ALL: 'C',
      LC_TIME: 'de_DE',
      TZ: 'UTC',
      TERM: 'xterm',
      TMPDIR: '/tmp',
      NODE_ENV: 'production',
      BUN_JSC_forceRAMSize: '1000',
      BUN_GARBAGE_COLLECTOR_LEVEL: '1',
      LUMIVERSE_SPINDLE_RUNTIME_STATS: 'true',
      LUMIVERSE_SPINDLE_RUNTIME_MODE: 'sandbox',
      LUMIVERSE_BUN_METHOD: 'grun',
      LUMIVERSE_BUN_PATH: '/x/bun',
    };
    expect(scrubEnv(kept)).toEqual(kept);
  });

  it('drops secrets, cloud credentials and everything not allowlisted', () => {
    const env = {
      PATH: '/usr/bin',
      AWS_ACCESS_KEY_ID: 'AKIA',
      AWS_SECRET_ACCESS_KEY: 's',
      AWS_SESSION_TOKEN: 't',
      GOOGLE_APPLICATION_CREDENTIALS: '/k.json',
      AZURE_CLIENT_SECRET: 'x',
      OPENAI_API_KEY: 'sk',
      GITHUB_TOKEN: 'ghp',
      DATABASE_URL: 'postgres://u:p@h/db',
      OWNER_PASSWORD: 'pw',
      NODE_OPTIONS: '--require /evil.js',
      LD_PRELOAD: '/evil.so',
      SSH_AUTH_SOCK: '/run/agent',
      BUN_AUTH_TOKEN: 'npm',
      LUMIVERSE_SPINDLE_ADMIN_TOKEN: 'adm',
      LUMIVERSE_SPINDLE_SESSION_SECRET: 'sec',
      LUMIVERSE_SPINDLE_PRIVATE_KEY: 'pk',
      LUMIVERSE_SPINDLE_COOKIE_NAME: 'c',
      LC_PASSWD: 'odd but secret-looking',
      UNDEFINED_ONE: undefined,
    };
    expect(scrubEnv(env)).toEqual({ PATH: '/usr/bin' });
  });

  it('matches the secret pattern case-insensitively', () => {
    expect(isAllowedEnvName('LUMIVERSE_SPINDLE_api_key')).toBe(false);
    expect(isAllowedEnvName('LUMIVERSE_SPINDLE_Credentials_FILE')).toBe(false);
    expect(isAllowedEnvName('LUMIVERSE_SPINDLE_RUNTIME_SAMPLE_INTERVAL_MS')).toBe(true);
  });

  it('drops undefined values and values with NUL, and does not mutate its input', () => {
    const env = { PATH: 'a\0b', HOME: undefined, TZ: 'UTC' };
    expect(scrubEnv(env)).toEqual({ TZ: 'UTC' });
    expect(env).toEqual({ PATH: 'a\0b', HOME: undefined, TZ: 'UTC' });
  });
});
