/** `planLaunch` from given capabilities: the command, environment, user and cap of a child. */
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { isSpindleError } from '@spindle/types';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { bunPath } from '../../src/sandbox/bun-command.ts';
import { PID_NAMESPACE_ARGS } from '../../src/sandbox/bwrap.ts';
import { CHILD_GUARD_ENV } from '../../src/sandbox/child-guard.ts';
import { resetSandboxDetection } from '../../src/sandbox/detect.ts';
import { LANDLOCK_PERL, RULE_RIGHTS } from '../../src/sandbox/landlock.ts';
import { HOST_PACKAGE_DIR } from '../../src/sandbox/paths.ts';
import { planLaunch, SANDBOX_EXEC } from '../../src/sandbox/plan.ts';
import type { LaunchSettings } from '../../src/sandbox/settings.ts';
import type { LaunchSpec, SandboxCapabilities } from '../../src/sandbox/types.ts';

/** Every Bun child starts with them: no auto-install, no `.env` files. */
const FLAGS = ['--no-install', '--no-env-file'];

const BUN = bunPath({});
const SYSCALLS = { seccomp: 317, prctl: 157, prlimit: 302 };
const FILTER = 'AAAAAAAAAAA=';
const FULL: SandboxCapabilities = {
  platform: 'linux',
  bunNoOrphans: true,
  bwrapPath: '/usr/bin/bwrap',
  pidNamespace: true,
  landlockAbi: 6,
  perlPath: '/usr/bin/perl',
  syscalls: SYSCALLS,
  seccompFilter: FILTER,
  pidsCgroup: { dir: '/sys/fs/cgroup/pids/spindle-1', version: 1 },
  sandboxExec: false,
  missing: {},
};
const isRoot = process.geteuid?.() === 0;

let dir: string;
let ext: string;
let storage: string;
let settings: LaunchSettings;
let spec: LaunchSpec;
let warn: ReturnType<typeof vi.spyOn>;

beforeEach(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'spindle-plan-')));
  ext = join(dir, 'ext');
  storage = join(dir, 'storage');
  mkdirSync(ext);
  mkdirSync(storage);
  settings = { cacheDir: dir, allowRootRuntimes: true, allowWeakerSandbox: false, pidsMax: 64 };
  mkdirSync(join(dir, 'cache'));
  writeFileSync(join(dir, 'cache/bootstrap.js'), '');
  spec = {
    script: join(dir, 'cache/bootstrap.js'),
    args: ['--x'],
    cwd: ext,
    mode: 'sandbox',
    sandbox: { readOnly: [ext], readWrite: [storage] },
    env: { LUMIVERSE_SPINDLE_EXTENSION: 'hello' },
    baseEnv: { PATH: '/usr/bin', AWS_SECRET_ACCESS_KEY: 'x', LUMIVERSE_BUN_PATH: BUN },
    settings,
  };
  resetSandboxDetection();
  warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
});

afterEach(() => {
  warn.mockRestore();
  rmSync(dir, { recursive: true, force: true });
});

const guardOf = (env: Record<string, string>) =>
  env[CHILD_GUARD_ENV] === undefined ? undefined : (JSON.parse(env[CHILD_GUARD_ENV]) as object);

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(isSpindleError(error) && error.code).toBe('LAUNCH_REFUSED');
    return (error as Error).message;
  }
  throw new Error('planLaunch did not refuse');
}

describe('process mode', () => {
  it('runs Bun in a PID namespace of its own through bwrap, capped by its cgroup', () => {
    const plan = planLaunch({ ...spec, mode: 'process' }, FULL);
    expect(plan.cmd).toEqual([
      '/usr/bin/bwrap',
      ...PID_NAMESPACE_ARGS,
      BUN,
      ...FLAGS,
      spec.script,
      '--x',
    ]);
    expect(plan.pids).toEqual({ cgroup: FULL.pidsCgroup, max: 64 });
    expect(plan.protections).toEqual(['pids', 'pid namespace']);
    expect(plan.sandbox).toBeUndefined();
    // Scrubbed, plus what the caller added; no guard without a sandbox or an rlimit.
    expect(plan.env).toEqual({
      PATH: '/usr/bin',
      LUMIVERSE_BUN_PATH: BUN,
      LUMIVERSE_SPINDLE_EXTENSION: 'hello',
    });
    expect(warn).not.toHaveBeenCalled();
  });

  it('without a PID namespace: bun --no-orphans, and one warning with the reason', () => {
    const caps = { ...FULL, pidNamespace: false, missing: { 'pid namespace': 'no userns' } };
    const plan = planLaunch({ ...spec, mode: 'process' }, caps);
    planLaunch({ ...spec, mode: 'process' }, caps);
    expect(plan.cmd).toEqual([BUN, '--no-orphans', ...FLAGS, spec.script, '--x']);
    expect(plan.protections).toEqual(['pids']);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toContain('no PID namespace (no userns)');
  });

  it('without any guard or cap it still starts, warning about each', () => {
    const caps: SandboxCapabilities = {
      ...FULL,
      bunNoOrphans: false,
      pidNamespace: false,
      pidsCgroup: undefined,
      missing: { pids: 'no cgroup', 'pid namespace': 'no bwrap' },
    };
    const plan = planLaunch({ ...spec, mode: 'process' }, caps);
    expect(plan.cmd).toEqual([BUN, ...FLAGS, spec.script, '--x']);
    expect(plan.pids).toBeUndefined();
    const lines = warn.mock.calls.map((c: unknown[]) => String(c[0])).join('\n');
    expect(lines).toContain('no pids cap (no cgroup)');
    expect(lines).toContain('no --no-orphans');
  });
});

describe('sandbox mode', () => {
  it('nests bwrap, the Landlock launcher and Bun, and hands the seccomp filter to the child', () => {
    const plan = planLaunch(spec, FULL);
    expect(plan.sandbox).toEqual(['bwrap', 'landlock', 'seccomp', 'pids']);
    expect(plan.cmd[0]).toBe('/usr/bin/bwrap');
    const dash = plan.cmd.indexOf('--');
    const perl = plan.cmd.slice(dash + 1);
    expect(perl.slice(0, 4)).toEqual(['/usr/bin/perl', '-e', LANDLOCK_PERL, '--']);
    expect(perl.slice(-6)).toEqual(['--', BUN, ...FLAGS, spec.script, '--x']);
    // The read-only and read-write binds are the policy's.
    const binds = plan.cmd.slice(0, dash);
    expect(binds.join(' ')).toContain(`--ro-bind ${ext} ${ext}`);
    expect(binds.join(' ')).toContain(`--bind ${storage} ${storage}`);
    expect(binds.join(' ')).toContain(`--ro-bind ${dir}/cache ${dir}/cache`); // the bootstrap's
    // Landlock: storage and /tmp writable, the extension readable, Bun executable.
    const rules = perl.slice(8, -4);
    expect(rules).toContain(`${RULE_RIGHTS.write}:${storage}`);
    expect(rules).toContain(`${RULE_RIGHTS.write}:/tmp`);
    expect(rules).toContain(`${RULE_RIGHTS.read}:${ext}`);
    expect(rules.some((r) => r.endsWith(`:${BUN}`) && Number(r.split(':')[0]) & 1)).toBe(true);
    expect(guardOf(plan.env)).toEqual({ ...SYSCALLS, bpf: FILTER });
    expect(plan.env.HOME).toBe('/tmp');
    expect(plan.env.TMPDIR).toBe('/tmp');
    expect(plan.env.AWS_SECRET_ACCESS_KEY).toBeUndefined();
  });

  it.each([
    ['bwrap', { bwrapPath: undefined, missing: { bwrap: 'no userns' } }],
    ['landlock', { landlockAbi: 0, missing: { landlock: 'the kernel has no Landlock' } }],
    ['seccomp', { seccompFilter: undefined, missing: { seccomp: 'libseccomp is not installed' } }],
    ['pids', { pidsCgroup: undefined, missing: { pids: 'no cgroup' } }],
  ] as const)('refuses the child when %s is missing, naming the reason', (layer, change) => {
    const caps = { ...FULL, ...change } as SandboxCapabilities;
    const message = refusal(() => planLaunch(spec, caps));
    const reason = Object.values(change.missing)[0];
    expect(message).toContain(`sandbox: unavailable (${layer}: ${reason})`);
    expect(message).toContain('--allow-weaker-sandbox');
  });

  it('with a weaker sandbox allowed, runs with the layers there are and says so', () => {
    const caps = { ...FULL, bwrapPath: undefined, missing: { bwrap: 'no userns' } };
    const plan = planLaunch({ ...spec, settings: { ...settings, allowWeakerSandbox: true } }, caps);
    expect(plan.sandbox).toEqual(['landlock', 'seccomp', 'pids']);
    // Landlock alone: the launcher sets no-new-privs with libseccomp's number, Bun guards itself.
    expect(plan.cmd.slice(0, 5)).toEqual(['/usr/bin/perl', '-e', LANDLOCK_PERL, '--', '157']);
    expect(plan.cmd.slice(-6)).toEqual([BUN, '--no-orphans', ...FLAGS, spec.script, '--x']);
    expect(plan.cmd).toContain(`${RULE_RIGHTS.read}:/proc/self`);
    expect(String(warn.mock.calls[0]?.[0])).toContain('sandbox: unavailable (bwrap: no userns)');
  });

  it('with no layer at all and a weaker sandbox allowed, reports "unavailable"', () => {
    const none: SandboxCapabilities = {
      platform: 'linux',
      bunNoOrphans: true,
      pidNamespace: false,
      landlockAbi: 0,
      sandboxExec: false,
      missing: { bwrap: 'a', landlock: 'b', seccomp: 'c', pids: 'd' },
    };
    const plan = planLaunch({ ...spec, settings: { ...settings, allowWeakerSandbox: true } }, none);
    expect(plan.sandbox).toBe('unavailable');
    expect(plan.cmd).toEqual([BUN, '--no-orphans', ...FLAGS, spec.script, '--x']);
  });

  it('a Termux wrapper cannot be started by the Landlock launcher', () => {
    const termux = { ...spec, baseEnv: { ...spec.baseEnv, LUMIVERSE_BUN_METHOD: 'grun' } };
    expect(refusal(() => planLaunch(termux, FULL))).toContain('landlock: needs direct Bun');
  });

  it('shows the package sources to a bootstrap that could not be bundled', () => {
    const script = join(HOST_PACKAGE_DIR, 'src/runtime/child/main.ts');
    const plan = planLaunch({ ...spec, script }, FULL);
    expect(plan.cmd.join(' ')).toContain(`--ro-bind ${HOST_PACKAGE_DIR} ${HOST_PACKAGE_DIR}`);
    expect(plan.cmd.join(' ')).toContain(`--ro-bind ${dirname(HOST_PACKAGE_DIR)}/types`);
  });

  it('uses sandbox-exec on macOS', () => {
    const mac: SandboxCapabilities = { ...FULL, platform: 'darwin', sandboxExec: true };
    const plan = planLaunch(spec, mac);
    expect(plan.sandbox).toEqual(['sandbox-exec']);
    expect(plan.cmd.slice(0, 2)).toEqual([SANDBOX_EXEC, '-p']);
    expect(plan.cmd[2]).toContain('(deny network*)');
    expect(plan.cmd.slice(3)).toEqual([BUN, '--no-orphans', ...FLAGS, spec.script, '--x']);
  });
});

describe('root hosts', () => {
  const NOBODY = { name: 'nobody', uid: 65534, gid: 65534 };
  // A Bun path any user reaches (the plan never runs it), wherever the checkout lives.
  const rootSpec = (): LaunchSpec => ({
    ...spec,
    baseEnv: { PATH: '/usr/bin', LUMIVERSE_BUN_PATH: '/bin/sh' },
  });

  it.skipIf(!isRoot)('refuse root children unless allowed', () => {
    const strict = { ...settings, allowRootRuntimes: false };
    const message = refusal(() => planLaunch({ ...spec, mode: 'process', settings: strict }, FULL));
    expect(message).toContain('refusing to start an extension runtime as root');
    expect(message).toContain('--allow-root-runtimes');
  });

  it.skipIf(!isRoot)('run children as the runtime user, who gets the read-write folders', () => {
    chmodSync(dir, 0o755);
    const user = { ...settings, allowRootRuntimes: false, runtimeUser: NOBODY };
    const plan = planLaunch({ ...rootSpec(), mode: 'process', settings: user }, FULL);
    expect(plan.user).toEqual(NOBODY);
    expect(statSync(storage).uid).toBe(65534);
    expect(plan.protections).toEqual(['user nobody', 'pids', 'pid namespace']);
  });

  it.skipIf(!isRoot)(
    'refuse a runtime user who cannot reach the extension, naming the folder',
    () => {
      // The temp folder itself is 0700.
      const user = { ...settings, runtimeUser: NOBODY };
      const message = refusal(() => planLaunch({ ...rootSpec(), settings: user }, FULL));
      expect(message).toContain(`runtime user nobody (uid 65534) cannot reach ${spec.script}`);
      expect(message).toContain(`${dir} is mode 700`);
    },
  );

  it.skipIf(!isRoot)('cap the runtime user by RLIMIT_NPROC inside its own user namespace', () => {
    chmodSync(dir, 0o755);
    const caps = { ...FULL, ownUserNamespace: true };
    const user = { ...settings, runtimeUser: NOBODY };
    for (const mode of ['process', 'sandbox'] as const) {
      const plan = planLaunch({ ...rootSpec(), mode, settings: user }, caps);
      expect(plan.pids).toEqual({ rlimit: 64 });
      expect(guardOf(plan.env)).toMatchObject({ nproc: 64 });
    }
    // Root ignores RLIMIT_NPROC: a root child keeps its cgroup.
    expect(planLaunch({ ...rootSpec(), mode: 'process' }, caps).pids).toEqual({
      cgroup: FULL.pidsCgroup,
      max: 64,
    });
  });

  it.skipIf(!isRoot)('fall back to RLIMIT_NPROC in the child guard without a cgroup', () => {
    chmodSync(dir, 0o755);
    const user = { ...settings, runtimeUser: NOBODY };
    const caps = { ...FULL, pidsCgroup: undefined, missing: { pids: 'no cgroup' } };
    const plan = planLaunch({ ...rootSpec(), mode: 'process', settings: user }, caps);
    expect(plan.pids).toEqual({ rlimit: 64 });
    expect(guardOf(plan.env)).toEqual({ seccomp: 317, prctl: 157, prlimit: 302, nproc: 64 });
    // In sandbox mode the same guard carries the filter too.
    const sandboxed = planLaunch({ ...rootSpec(), settings: user }, caps);
    expect(sandboxed.sandbox).toEqual(['bwrap', 'landlock', 'seccomp', 'pids']);
    expect(guardOf(sandboxed.env)).toEqual({ ...SYSCALLS, bpf: FILTER, nproc: 64 });
  });

  it.skipIf(!isRoot)('set RLIMIT_NPROC with prlimit in process mode where it is installed', () => {
    chmodSync(dir, 0o755);
    const user = { ...settings, runtimeUser: NOBODY };
    const caps = {
      ...FULL,
      prlimitPath: '/usr/bin/prlimit',
      pidsCgroup: undefined,
      missing: { pids: 'no cgroup' },
    };
    const plan = planLaunch({ ...rootSpec(), mode: 'process', settings: user }, caps);
    expect(plan.pids).toEqual({ rlimit: 64 });
    // No guard at all: process mode has no filter, and prlimit sets the limit before Bun runs.
    expect(guardOf(plan.env)).toBeUndefined();
    const at = plan.cmd.indexOf('/usr/bin/prlimit');
    expect(plan.cmd.slice(at, at + 3)).toEqual(['/usr/bin/prlimit', '--nproc=64:64', '--']);
    expect(plan.cmd.indexOf('--unshare-pid')).toBeLessThan(at);
    // Sandbox mode loads the guard for its filter anyway: the limit rides with it.
    const sandboxed = planLaunch({ ...rootSpec(), settings: user }, caps);
    expect(sandboxed.cmd).not.toContain('/usr/bin/prlimit');
    expect(guardOf(sandboxed.env)).toEqual({ ...SYSCALLS, bpf: FILTER, nproc: 64 });
  });
});

describe('bad input', () => {
  it.each([
    ['a relative script', { script: 'child.js' }, /script must be an absolute path/],
    ['a relative cwd', { cwd: 'ext' }, /cwd must be an absolute path/],
    ['an unknown mode', { mode: 'container' }, /mode must be "process" or "sandbox"/],
    ['a bad variable name', { env: { 'BAD-NAME': 'x' } }, /launch env "BAD-NAME"/],
    ['a cwd the sandbox cannot see', { cwd: '/etc' }, /not inside any path visible/],
  ])('refuses %s with INVALID_OPTIONS', (_, change, message) => {
    expect(() => planLaunch({ ...spec, ...change } as LaunchSpec, FULL)).toThrow(message);
  });
});
