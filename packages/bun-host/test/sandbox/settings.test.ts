/** The operator's launch settings and the root policy (`sandbox/settings.ts`). */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  checkReachable,
  childUser,
  DEFAULT_PIDS_MAX,
  lookupUser,
  resolveLaunchSettings,
} from '../../src/sandbox/settings.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'spindle-settings-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('resolveLaunchSettings', () => {
  it('takes options first, then LUMIVERSE_SPINDLE_* of the environment, then the defaults', () => {
    expect(resolveLaunchSettings({}, { XDG_CACHE_HOME: '/x/cache' })).toEqual({
      cacheDir: '/x/cache/spindle-runtime',
      allowRootRuntimes: false,
      allowWeakerSandbox: false,
      pidsMax: DEFAULT_PIDS_MAX,
    });
    const env = {
      LUMIVERSE_SPINDLE_CACHE_DIR: '/env/cache',
      LUMIVERSE_SPINDLE_RUNTIME_USER: '1000:1000',
      LUMIVERSE_SPINDLE_ALLOW_ROOT_RUNTIMES: 'yes',
      LUMIVERSE_SPINDLE_ALLOW_WEAKER_SANDBOX: '1',
      LUMIVERSE_SPINDLE_PIDS_MAX: '100',
    };
    expect(resolveLaunchSettings({}, env, '/data/cache')).toEqual({
      cacheDir: '/env/cache',
      runtimeUser: { name: '1000:1000', uid: 1000, gid: 1000 },
      allowRootRuntimes: true,
      allowWeakerSandbox: true,
      pidsMax: 100,
    });
    const options = { cacheDir: '/opt/cache', allowRootRuntimes: false, pidsMax: 50 };
    expect(resolveLaunchSettings(options, env)).toMatchObject(options);
    expect(resolveLaunchSettings({}, {}, '/data/cache').cacheDir).toBe('/data/cache');
  });

  it.each([
    [{ cacheDir: 'relative' }, {}, /cache folder must be absolute/],
    [{}, { LUMIVERSE_SPINDLE_ALLOW_ROOT_RUNTIMES: 'maybe' }, /must be true or false/],
    [{}, { LUMIVERSE_SPINDLE_PIDS_MAX: 'lots' }, /pids limit must be an integer/],
    [{ pidsMax: 2 }, {}, /at least 16/],
    [{ runtimeUser: 'no-such-user-here' }, {}, /"no-such-user-here" is not in/],
  ])('refuses bad input with INVALID_OPTIONS (%o %o)', (options, env, message) => {
    expect(() => resolveLaunchSettings(options, env)).toThrow(message);
  });
});

describe('lookupUser', () => {
  it('reads names from passwd and takes uid:gid as it is', () => {
    const passwd = join(dir, 'passwd');
    writeFileSync(passwd, 'root:x:0:0::/root:/bin/sh\nspindle:x:990:985::/:/usr/sbin/nologin\n');
    expect(lookupUser('spindle', passwd)).toEqual({ name: 'spindle', uid: 990, gid: 985 });
    expect(lookupUser('12:34', passwd)).toEqual({ name: '12:34', uid: 12, gid: 34 });
    expect(() => lookupUser('ghost', passwd)).toThrow(/runtime user "ghost" is not in/);
  });
});

describe('childUser', () => {
  const user = { name: 'nobody', uid: 65534, gid: 65534 };
  it('is the host user for a host that is not root, whatever is configured', () => {
    expect(childUser({ runtimeUser: user, allowRootRuntimes: false }, 1000)).toBeUndefined();
    expect(childUser({ allowRootRuntimes: false }, 1000)).toBeUndefined();
  });

  it('is the runtime user for a root host, or root when explicitly allowed, else a refusal', () => {
    expect(childUser({ runtimeUser: user, allowRootRuntimes: false }, 0)).toEqual(user);
    expect(childUser({ allowRootRuntimes: true }, 0)).toBeUndefined();
    expect(() => childUser({ allowRootRuntimes: false }, 0)).toThrow(
      /refusing to start an extension runtime as root/,
    );
    // A "runtime user" that is root is no runtime user.
    const root = { name: 'root', uid: 0, gid: 0 };
    expect(() => childUser({ runtimeUser: root, allowRootRuntimes: false }, 0)).toThrow(/as root/);
  });
});

describe('checkReachable', () => {
  it('follows the mode bits of every folder above the path', () => {
    const open = join(dir, 'open');
    const closed = join(dir, 'closed');
    mkdirSync(join(open, 'a'), { recursive: true });
    mkdirSync(join(closed, 'a'), { recursive: true });
    chmodSync(dir, 0o755);
    chmodSync(open, 0o755);
    chmodSync(join(open, 'a'), 0o755);
    chmodSync(closed, 0o700);
    const stranger = { name: 'stranger', uid: 54321, gid: 54321 };
    expect(() => checkReachable([join(open, 'a')], stranger)).not.toThrow();
    expect(() => checkReachable([join(closed, 'a')], stranger)).toThrow(
      `cannot reach ${join(closed, 'a')}: ${closed} is mode 700`,
    );
    // Owners use the owner bits.
    const owner = { name: 'me', uid: process.getuid?.() ?? 0, gid: 54321 };
    expect(() => checkReachable([join(closed, 'a')], owner)).not.toThrow();
  });
});
