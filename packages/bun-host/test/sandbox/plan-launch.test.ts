import { mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { isSpindleError } from '@spindle/types';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  bunPath,
  handledAccess,
  LANDLOCK_EXEC,
  LANDLOCK_EXEC_PERL,
  type LaunchSpec,
  nativeLandlockPrefix,
  PRCTL_SYSCALL,
  perlLandlockPrefix,
  planLaunch,
  resetSandboxDetection,
  SANDBOX_DEVICES,
  SANDBOX_EXEC,
  SANDBOX_POLICY_ENV,
  type SandboxCapabilities,
} from '../../src/launch/index.ts';
import { REPO_NODE_MODULES, REPO_PACKAGES } from '../../src/launch/paths.ts';

const NONE: SandboxCapabilities = {
  bwrap: false,
  landlock: false,
  sandboxExec: false,
  setpriv: false,
};
/** The Bun binary the planner uses here (the running Bun under `bun test`). */
const BUN = bunPath({});

const LINUX_FULL: SandboxCapabilities = {
  bwrap: true,
  landlock: true,
  sandboxExec: false,
  setpriv: true,
  landlockAbi: 7,
  bwrapPath: '/usr/bin/bwrap',
  setprivPath: '/usr/bin/setpriv',
};

let dir: string;
let ext: string;
let storage: string;
let spec: LaunchSpec;

beforeEach(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'spindle-plan-')));
  ext = join(dir, 'ext');
  storage = join(dir, 'storage');
  mkdirSync(ext);
  mkdirSync(storage);
  spec = {
    script: join(REPO_PACKAGES, 'bun-host/src/runtime/child.ts'),
    args: ['--ext', 'hello'],
    cwd: ext,
    mode: 'sandbox',
    sandbox: { readOnly: [ext], readWrite: [storage] },
    env: { LUMIVERSE_SPINDLE_EXTENSION: 'hello' },
    baseEnv: { PATH: '/usr/bin', OPENAI_API_KEY: 'sk-secret', HOME: '/root' },
  };
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  resetSandboxDetection();
  vi.restoreAllMocks();
});

/** The pairs `flag a b` of a bwrap command line, e.g. all `--ro-bind` sources. */
function flagged(cmd: string[], flag: string): string[] {
  return cmd.flatMap((arg, i) => (arg === flag ? [cmd[i + 1]!] : []));
}

describe('planLaunch: the process group', () => {
  const GROUP = { groupLauncher: true, groupLauncherPath: '/cache/group-launcher-0123' };

  it('puts the group launcher first when detection proved it, bwrap aside', () => {
    const proc = planLaunch({ ...spec, mode: 'process' }, { ...LINUX_FULL, ...GROUP });
    expect(proc.group).toBe('launcher');
    expect(proc.cmd.slice(0, 2)).toEqual(['/cache/group-launcher-0123', '/usr/bin/setpriv']);
    // bwrap's --new-session makes a session inside: the launcher would only add an exec.
    const sandbox = planLaunch(spec, { ...LINUX_FULL, ...GROUP });
    expect(sandbox.group).toBe('session');
    expect(sandbox.cmd[0]).toBe('/usr/bin/bwrap');
    const landlockOnly = planLaunch(spec, { ...LINUX_FULL, bwrap: false, ...GROUP });
    expect(landlockOnly.group).toBe('launcher');
    expect(landlockOnly.cmd[0]).toBe('/cache/group-launcher-0123');
    expect(landlockOnly.cmd[1]).toBe('/usr/bin/setpriv');
  });

  it('leaves the group to a new session without the launcher, or for a relative program', () => {
    const without = planLaunch({ ...spec, mode: 'process' }, LINUX_FULL);
    expect(without.group).toBe('session');
    expect(without.cmd[0]).toBe('/usr/bin/setpriv');
    const unproven = planLaunch(
      { ...spec, mode: 'process' },
      { ...LINUX_FULL, groupLauncher: false, groupLauncherPath: '/cache/group-launcher-0123' },
    );
    expect(unproven.group).toBe('session');
    // The launcher execs without a PATH search: a bare `grun` stays a new session.
    const termux = planLaunch(
      {
        ...spec,
        mode: 'process',
        baseEnv: { LUMIVERSE_BUN_METHOD: 'grun', LUMIVERSE_BUN_PATH: '/t/bun' },
      },
      { ...NONE, ...GROUP },
    );
    expect(termux.group).toBe('session');
    expect(termux.cmd[0]).toBe('grun');
  });

  it('never puts the launcher in front of sandbox-exec (not Linux)', () => {
    const plan = planLaunch(spec, { ...NONE, sandboxExec: true, ...GROUP });
    expect(plan.cmd[0]).toBe(SANDBOX_EXEC);
    expect(plan.group ?? 'session').toBe('session');
  });
});

describe('planLaunch: process mode', () => {
  it('puts the setpriv parent-death guard in front of Bun when setpriv works', () => {
    const plan = planLaunch({ ...spec, mode: 'process' }, LINUX_FULL);
    expect(plan.cmd).toEqual([
      '/usr/bin/setpriv',
      '--pdeathsig',
      'KILL',
      BUN,
      spec.script,
      '--ext',
      'hello',
    ]);
    expect(plan.sandbox).toBeUndefined();
  });

  it('runs Bun bare without setpriv, and honours the Termux wrapper', () => {
    const plan = planLaunch(
      {
        ...spec,
        mode: 'process',
        baseEnv: { LUMIVERSE_BUN_METHOD: 'grun', LUMIVERSE_BUN_PATH: '/t/bun' },
      },
      NONE,
    );
    expect(plan.cmd).toEqual(['grun', '/t/bun', spec.script, '--ext', 'hello']);
  });

  it("prefers Bun's own --no-orphans guard to setpriv when this Bun has it", () => {
    const plan = planLaunch({ ...spec, mode: 'process' }, { ...LINUX_FULL, bunNoOrphans: true });
    expect(plan.cmd).toEqual([BUN, '--no-orphans', spec.script, '--ext', 'hello']);
  });

  it('keeps setpriv in front of a Termux wrapper even when Bun has --no-orphans', () => {
    const plan = planLaunch(
      {
        ...spec,
        mode: 'process',
        baseEnv: { LUMIVERSE_BUN_METHOD: 'grun', LUMIVERSE_BUN_PATH: '/t/bun' },
      },
      { ...LINUX_FULL, bunNoOrphans: true },
    );
    expect(plan.cmd).toEqual([
      '/usr/bin/setpriv',
      '--pdeathsig',
      'KILL',
      'grun',
      '/t/bun',
      spec.script,
      '--ext',
      'hello',
    ]);
  });

  it.skipIf(process.platform !== 'linux')(
    'without caps, process mode probes only its own needs (this Bun has --no-orphans)',
    () => {
      const plan = planLaunch({ ...spec, mode: 'process' });
      // x86-64 Linux: the process-group launcher in front; elsewhere a new session.
      const head = plan.group === 'launcher' ? plan.cmd.slice(1, 4) : plan.cmd.slice(0, 3);
      expect(head).toEqual([BUN, '--no-orphans', spec.script]);
      if (process.arch === 'x64') {
        expect(plan.group).toBe('launcher');
        expect(plan.cmd[0]).toMatch(/\/group-launcher-[0-9a-f]{16}$/);
      } else expect(plan.group).toBe('session');
    },
  );

  it('scrubs the base environment and adds spec.env after scrubbing', () => {
    const plan = planLaunch({ ...spec, mode: 'process' }, NONE);
    expect(plan.env).toEqual({
      PATH: '/usr/bin',
      HOME: '/root',
      LUMIVERSE_SPINDLE_EXTENSION: 'hello',
    });
  });

  it('rejects relative paths, unknown modes and bad variable names', () => {
    const expectInvalid = (s: LaunchSpec, message: RegExp) => {
      try {
        planLaunch(s, NONE);
        expect.unreachable();
      } catch (error) {
        expect(isSpindleError(error, 'INVALID_OPTIONS')).toBe(true);
        expect((error as Error).message).toMatch(message);
      }
    };
    expectInvalid({ ...spec, script: 'child.ts' }, /script must be an absolute path/);
    expectInvalid({ ...spec, cwd: '.' }, /cwd must be an absolute path/);
    expectInvalid({ ...spec, mode: 'worker' as 'process' }, /"process" or "sandbox"/);
    expectInvalid({ ...spec, env: { 'A=B': 'x' } }, /invalid name or value/);
    expectInvalid({ ...spec, env: { A: 'x\0y' } }, /invalid name or value/);
  });
});

describe('planLaunch: sandbox mode', () => {
  it('bwrap + Landlock: isolation flags, the view, the launcher and the policy', () => {
    const plan = planLaunch(spec, LINUX_FULL);
    expect(plan.sandbox).toEqual(['bwrap', 'landlock']);
    const { cmd } = plan;
    expect(cmd[0]).toBe('/usr/bin/bwrap');
    for (const flag of ['--unshare-all', '--die-with-parent', '--new-session']) {
      expect(cmd).toContain(flag);
    }
    expect(cmd.join(' ')).toContain('--cap-drop ALL');
    expect(cmd.join(' ')).toContain('--proc /proc --dev /dev --tmpfs /tmp');
    expect(flagged(cmd, '--ro-bind')).toEqual(
      expect.arrayContaining([ext, REPO_PACKAGES, REPO_NODE_MODULES, '/usr']),
    );
    expect(flagged(cmd, '--bind')).toEqual([storage]);
    expect(flagged(cmd, '--chdir')).toEqual([ext]);
    // Nothing of the host's home or the repo root is visible.
    expect(flagged(cmd, '--ro-bind')).not.toContain('/root');
    expect(flagged(cmd, '--ro-bind')).not.toContain(REPO_PACKAGES.replace(/\/packages$/, ''));
    const tail = cmd.slice(cmd.indexOf('--') + 1);
    expect(tail).toEqual([BUN, LANDLOCK_EXEC, BUN, spec.script, '--ext', 'hello']);

    expect(plan.env.TMPDIR).toBe('/tmp');
    expect(plan.env.HOME).toBe('/tmp');
    expect(plan.env.OPENAI_API_KEY).toBeUndefined();
    const policy = JSON.parse(plan.env[SANDBOX_POLICY_ENV]!);
    expect(policy.readWrite).toEqual(['/tmp', storage]);
    expect(policy.readOnly).toEqual(expect.arrayContaining([ext, REPO_PACKAGES, '/proc']));
    expect(policy.readOnly).not.toContain(storage);
  });

  it('with Perl proven: the Perl launcher applies the same policy, then execs Bun', () => {
    const perlCaps = { ...LINUX_FULL, perlLandlock: true, perlPath: '/usr/bin/perl' };
    const plan = planLaunch(spec, perlCaps);
    expect(plan.sandbox).toEqual(['bwrap', 'landlock']);
    const tail = plan.cmd.slice(plan.cmd.indexOf('--') + 1);
    const prctl = PRCTL_SYSCALL[process.arch];
    expect(tail.slice(0, 3)).toEqual(['/usr/bin/perl', LANDLOCK_EXEC_PERL, String(prctl)]);
    expect(tail).not.toContain(LANDLOCK_EXEC);
    const rules = tail.slice(3, tail.indexOf('--', 3));
    const policy = JSON.parse(plan.env[SANDBOX_POLICY_ENV]!);
    expect(rules).toEqual([
      ...policy.readOnly.map((p: string) => `r:${p}`),
      ...policy.readWrite.map((p: string) => `w:${p}`),
      ...SANDBOX_DEVICES.map((p) => `d:${p}`),
      ...rules.filter((r) => r.startsWith('x:')),
    ]);
    expect(rules).toContain(`x:${BUN}`);
    expect(tail.slice(tail.indexOf('--', 3) + 1)).toEqual([BUN, spec.script, '--ext', 'hello']);
    // The launcher's folder is readable inside bwrap.
    const launcherDir = dirname(LANDLOCK_EXEC_PERL);
    expect(
      flagged(plan.cmd, '--ro-bind').some(
        (p) => launcherDir === p || launcherDir.startsWith(`${p}/`),
      ),
    ).toBe(true);
  });

  it('with the native launcher proven: it wins over Perl, with numeric rules for this ABI', () => {
    const native = join(REPO_NODE_MODULES, '.cache/spindle-runtime/landlock-launcher-test');
    const caps = {
      ...LINUX_FULL,
      perlLandlock: true,
      perlPath: '/usr/bin/perl',
      nativeLandlock: true,
      nativeLandlockPath: native,
    };
    const plan = planLaunch(spec, caps);
    expect(plan.sandbox).toEqual(['bwrap', 'landlock']);
    const tail = plan.cmd.slice(plan.cmd.indexOf('--') + 1);
    expect(tail).not.toContain(LANDLOCK_EXEC_PERL);
    expect(tail).not.toContain(LANDLOCK_EXEC);
    const { fs, net, scoped } = handledAccess(7);
    expect(tail.slice(0, 4)).toEqual([native, String(fs), String(net), String(scoped)]);
    const end = tail.indexOf('--', 4);
    const rules = tail.slice(4, end);
    expect(rules.length % 3).toBe(0);
    const policy = JSON.parse(plan.env[SANDBOX_POLICY_ENV]!);
    const paths = rules.filter((_, i) => i % 3 === 2);
    expect(paths.slice(0, policy.readOnly.length + policy.readWrite.length)).toEqual([
      ...policy.readOnly,
      ...policy.readWrite,
    ]);
    expect(paths).toEqual(expect.arrayContaining([...SANDBOX_DEVICES, BUN]));
    expect(tail.slice(end + 1)).toEqual([BUN, spec.script, '--ext', 'hello']);
    // Without a proven ABI the native launcher is not used.
    const noAbi = planLaunch(spec, { ...caps, landlockAbi: undefined }).cmd;
    expect(noAbi).not.toContain(native);
  });

  it('native rules: read, write, device and execute rights, file rights a subset', () => {
    const prefix = nativeLandlockPrefix(
      '/launcher',
      { readOnly: ['/ro'], readWrite: ['/rw'] },
      '/opt/bun',
      7,
    );
    const at = (path: string) => {
      const i = prefix.indexOf(path);
      return [Number(prefix[i - 2]), Number(prefix[i - 1])];
    };
    const READ_FILE = 1 << 2;
    const READ_DIR = 1 << 3;
    const WRITE_FILE = 1 << 1;
    const EXECUTE = 1 << 0;
    expect(at('/ro')).toEqual([READ_FILE | READ_DIR, READ_FILE]);
    const [rwDir, rwFile] = at('/rw');
    expect(rwDir! & (WRITE_FILE | READ_DIR | (1 << 8)) /* MAKE_REG */).toBe(
      WRITE_FILE | READ_DIR | (1 << 8),
    );
    expect(rwDir! & EXECUTE).toBe(0);
    expect(rwFile! & ~(EXECUTE | WRITE_FILE | READ_FILE | (1 << 14) | (1 << 15))).toBe(0);
    expect(at('/opt/bun')).toEqual([EXECUTE | READ_FILE, EXECUTE | READ_FILE]);
    expect(at('/dev/null')[0]! & WRITE_FILE).toBe(WRITE_FILE);
    // Rights the kernel does not know are never asked for: ABI 1 has no TRUNCATE or REFER.
    const old = nativeLandlockPrefix('/launcher', { readOnly: [], readWrite: ['/rw'] }, '/b', 1);
    expect(old.slice(1, 4)).toEqual([String((1 << 13) - 1), '0', '0']);
    expect(Number(old[old.indexOf('/rw') - 2]) & ((1 << 13) | (1 << 14))).toBe(0);
  });

  it('handledAccess grows with the ABI', () => {
    expect(handledAccess(1)).toEqual({ fs: 0x1fff, net: 0, scoped: 0 });
    expect(handledAccess(3).fs).toBe(0x7fff);
    expect(handledAccess(4)).toEqual({ fs: 0x7fff, net: 3, scoped: 0 });
    expect(handledAccess(6)).toEqual({ fs: 0xffff, net: 3, scoped: 3 });
  });

  it('Landlock alone with Perl: Bun guards itself after the exec, or setpriv guards Perl', () => {
    const perlCaps = { ...LINUX_FULL, bwrap: false, perlLandlock: true, perlPath: '/usr/bin/perl' };
    const own = planLaunch(spec, { ...perlCaps, bunNoOrphans: true }).cmd;
    expect(own[0]).toBe('/usr/bin/perl');
    expect(own.slice(own.lastIndexOf('--') + 1)).toEqual([
      BUN,
      '--no-orphans',
      spec.script,
      '--ext',
      'hello',
    ]);
    const setpriv = planLaunch(spec, { ...perlCaps, bunNoOrphans: false }).cmd;
    expect(setpriv.slice(0, 5)).toEqual([
      '/usr/bin/setpriv',
      '--pdeathsig',
      'KILL',
      '/usr/bin/perl',
      LANDLOCK_EXEC_PERL,
    ]);
    expect(setpriv.slice(setpriv.lastIndexOf('--') + 1)).toEqual([
      BUN,
      spec.script,
      '--ext',
      'hello',
    ]);
  });

  it('an architecture without a known prctl number keeps the Bun launcher', () => {
    expect(perlLandlockPrefix('/usr/bin/perl', { readOnly: [], readWrite: [] }, BUN, 'mips')).toBe(
      undefined,
    );
  });

  it('bwrap without Landlock: no launcher, one layer', () => {
    const plan = planLaunch(spec, { ...LINUX_FULL, landlock: false });
    expect(plan.sandbox).toEqual(['bwrap']);
    expect(plan.cmd).not.toContain(LANDLOCK_EXEC);
    expect(plan.env[SANDBOX_POLICY_ENV]).toBeUndefined();
  });

  it('binds a read-only folder nested in a read-write one after its parent', () => {
    const inner = join(storage, 'ro');
    mkdirSync(inner);
    const plan = planLaunch(
      { ...spec, sandbox: { readOnly: [inner, ext], readWrite: [storage] } },
      LINUX_FULL,
    );
    const joined = plan.cmd.join(' ');
    expect(joined.indexOf(`--bind ${storage} ${storage}`)).toBeLessThan(
      joined.indexOf(`--ro-bind ${inner} ${inner}`),
    );
  });

  it('runtimeSources replaces the default read-only sources', () => {
    const plan = planLaunch(
      { ...spec, sandbox: { readOnly: [ext], readWrite: [storage], runtimeSources: [dir] } },
      { ...LINUX_FULL, landlock: false },
    );
    const ro = flagged(plan.cmd, '--ro-bind');
    expect(ro).toContain(dir);
    expect(ro).not.toContain(REPO_PACKAGES);
    // ext lies inside dir, so it is covered and not bound twice
    expect(ro).not.toContain(ext);
  });

  it('keeps the Landlock launcher visible when runtimeSources leave the workspace out', () => {
    const plan = planLaunch(
      { ...spec, sandbox: { readOnly: [ext], readWrite: [storage], runtimeSources: [dir] } },
      LINUX_FULL,
    );
    expect(flagged(plan.cmd, '--ro-bind')).toContain(dirname(LANDLOCK_EXEC));
  });

  it('rejects a missing storage folder and a cwd the sandbox cannot see', () => {
    expect(() =>
      planLaunch(
        { ...spec, sandbox: { readOnly: [ext], readWrite: [join(dir, 'nope')] } },
        LINUX_FULL,
      ),
    ).toThrow(/does not exist/);
    expect(() => planLaunch({ ...spec, cwd: '/root' }, LINUX_FULL)).toThrow(
      /cwd "\/root" is not inside any path visible/,
    );
    expect(() =>
      planLaunch({ ...spec, sandbox: { readOnly: ['rel/ext'], readWrite: [storage] } }, LINUX_FULL),
    ).toThrow(/must be absolute/);
  });

  it('sandbox-exec: the generated profile names the storage and the extension', () => {
    const plan = planLaunch(spec, { ...NONE, sandboxExec: true });
    expect(plan.sandbox).toEqual(['sandbox-exec']);
    expect(plan.cmd.slice(0, 2)).toEqual([SANDBOX_EXEC, '-p']);
    const profile = plan.cmd[2]!;
    expect(profile).toContain('(deny network*)');
    expect(profile).toContain(`(subpath "${storage}")`);
    expect(profile).toMatch(new RegExp(`allow file-read-data .*\\(subpath "${ext}"\\)`));
    expect(plan.cmd.slice(3)).toEqual([BUN, spec.script, '--ext', 'hello']);
  });

  it('Landlock alone: setpriv guard, the launcher, and only this process of /proc', () => {
    const plan = planLaunch(spec, { ...LINUX_FULL, bwrap: false });
    expect(plan.sandbox).toEqual(['landlock']);
    expect(plan.cmd).toEqual([
      '/usr/bin/setpriv',
      '--pdeathsig',
      'KILL',
      BUN,
      LANDLOCK_EXEC,
      BUN,
      spec.script,
      '--ext',
      'hello',
    ]);
    const policy = JSON.parse(plan.env[SANDBOX_POLICY_ENV]!);
    expect(policy.readOnly).toContain('/proc/self');
    expect(policy.readOnly).not.toContain('/proc');
    expect(policy.readOnly).not.toContain('/tmp');
    expect(policy.readWrite).toEqual([storage]);
  });

  it('Landlock alone without TCP rules (ABI < 4) warns once that the network stays open', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const old = { ...LINUX_FULL, bwrap: false, landlockAbi: 3 };
    expect(planLaunch(spec, old).sandbox).toEqual(['landlock']);
    planLaunch(spec, old);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/ABI 3\) cannot restrict TCP/);
    planLaunch(spec, { ...LINUX_FULL, bwrap: false });
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it('Landlock is skipped behind a grun/proot wrapper, and that is said out loud', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const termux = { LUMIVERSE_BUN_METHOD: 'grun', LUMIVERSE_BUN_PATH: '/t/bun' };
    const plan = planLaunch({ ...spec, baseEnv: termux }, { ...NONE, landlock: true });
    expect(plan.sandbox).toBe('unavailable');
    expect(plan.cmd).toEqual(['grun', '/t/bun', spec.script, '--ext', 'hello']);
    expect(String(warn.mock.calls[0]![0])).toMatch(/Landlock needs LUMIVERSE_BUN_METHOD=direct/);
  });

  it('no layer: "unavailable", unsandboxed command, one loud warning per process', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const plan = planLaunch(spec, { ...NONE, setpriv: true, reason: 'bwrap is not installed' });
    expect(plan.sandbox).toBe('unavailable');
    expect(plan.cmd).toEqual([
      'setpriv',
      '--pdeathsig',
      'KILL',
      BUN,
      spec.script,
      '--ext',
      'hello',
    ]);
    planLaunch(spec, NONE);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/NO isolation layer.*bwrap is not installed/);
  });
});
