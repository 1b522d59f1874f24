/**
 * Landlock pieces on their own: the launcher fails closed, and `applySelfSandbox` restricts
 * the calling thread for bootstraps that want it as an extra layer. Each case runs in its own
 * Bun child, since a Landlock restriction cannot be lifted.
 */
import { afterEach, describe, expect, test } from 'bun:test';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  detectSandbox,
  LANDLOCK_EXEC,
  LANDLOCK_EXEC_PERL,
  LAUNCHER_FAILURE,
  nativeLandlockPrefix,
  perlLandlockPrefix,
  SANDBOX_POLICY_ENV,
  systemPaths,
} from '../../src/launch/index.ts';
import { REPO_NODE_MODULES, REPO_PACKAGES } from '../../src/launch/paths.ts';

const SELF = fileURLToPath(new URL('./fixtures/self-sandbox.ts', import.meta.url));
const ECHO = fileURLToPath(new URL('./fixtures/echo.ts', import.meta.url));
const caps = await detectSandbox();
const dirs: string[] = [];

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function run(cmd: string[], env: Record<string, string>) {
  const child = Bun.spawn({ cmd, env, stdout: 'pipe', stderr: 'pipe' });
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  return { stdout, stderr, code };
}

describe.skipIf(!caps.landlock)('Landlock', () => {
  test('the launcher refuses to start the child without a policy (exit 78, says why)', async () => {
    const { stdout, stderr, code } = await run(
      [process.execPath, LANDLOCK_EXEC, process.execPath, ECHO],
      {
        PATH: process.env.PATH ?? '',
      },
    );
    expect(code).toBe(78);
    expect(stdout).toBe('');
    expect(stderr).toContain('[spindle] sandbox: Landlock is required but was not applied');
    expect(stderr).toContain(`${SANDBOX_POLICY_ENV} is missing or malformed`);
  });

  test('the launcher refuses a malformed policy', async () => {
    const { code, stderr } = await run([process.execPath, LANDLOCK_EXEC, process.execPath, ECHO], {
      [SANDBOX_POLICY_ENV]: '{"readOnly":"not a list"}',
    });
    expect(code).toBe(78);
    expect(stderr).toContain('missing or malformed');
  });

  test('applySelfSandbox confines the calling thread to its policy', async () => {
    const base = mkdtempSync(join(tmpdir(), 'spindle-self-'));
    dirs.push(base);
    const allowed = join(base, 'rw');
    const other = join(base, 'other');
    mkdirSync(allowed);
    mkdirSync(other);
    writeFileSync(join(other, 'secret.txt'), 'secret');
    const policy = {
      readOnly: [...systemPaths(), '/proc', REPO_PACKAGES, REPO_NODE_MODULES],
      readWrite: [allowed],
    };
    const attempts = [
      ['write', join(allowed, 'a.txt')],
      ['read', join(other, 'secret.txt')],
      ['write', join(other, 'b.txt')],
    ];
    const { stdout, stderr, code } = await run(
      [process.execPath, SELF, JSON.stringify(policy), JSON.stringify(attempts)],
      { PATH: process.env.PATH ?? '' },
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const { result, outcomes } = JSON.parse(stdout);
    expect(result).toMatchObject({ applied: true, abi: caps.landlockAbi });
    expect(outcomes).toEqual(['ok', 'denied: EACCES', 'denied: EACCES']);
  });

  describe.skipIf(!caps.perlLandlock)('the Perl launcher', () => {
    const perl = caps.perlPath ?? 'perl';

    test('compiles clean under strict and warnings (which it does not load at run time)', async () => {
      const { stderr, code } = await run(
        [perl, '-c', '-Mstrict', '-Mwarnings', '-Mwarnings=FATAL,all', LANDLOCK_EXEC_PERL],
        {},
      );
      expect(code).toBe(0);
      expect(stderr.trim()).toBe(`${LANDLOCK_EXEC_PERL} syntax OK`);
    });

    test('--abi prints the kernel Landlock ABI', async () => {
      const { stdout, code } = await run([perl, LANDLOCK_EXEC_PERL, '--abi'], {});
      expect(code).toBe(0);
      expect(Number(stdout.trim())).toBe(caps.landlockAbi ?? -1);
    });

    test('fails closed (exit 78, says why) on bad usage, a bad rule, or no program', async () => {
      const cases: Array<[string[], string]> = [
        [[], 'usage'],
        [['157', 'r:/usr'], 'usage: no absolute program'],
        [['157', 'r:/usr', '--', 'relative/bun'], 'usage: no absolute program'],
        [['157', 'q:/usr', '--', process.execPath, ECHO], 'bad rule "q:/usr"'],
      ];
      for (const [args, why] of cases) {
        const { stdout, stderr, code } = await run([perl, LANDLOCK_EXEC_PERL, ...args], {});
        expect(code).toBe(78);
        expect(stdout).toBe('');
        expect(stderr).toContain('[spindle] sandbox: Landlock is required but was not applied');
        expect(stderr).toContain(why);
      }
    });

    test('a program outside the execute rule cannot be started (exec refused, exit 78)', async () => {
      const prefix = perlLandlockPrefix(
        perl,
        { readOnly: systemPaths(), readWrite: [] },
        process.execPath,
      );
      if (!prefix) throw new Error('no prctl number for this architecture');
      const { stderr, code } = await run([...prefix, '/bin/true'], {});
      expect(code).toBe(78);
      expect(stderr).toContain('execve("/bin/true") failed');
    });
  });
  describe.skipIf(!caps.nativeLandlock)('the native launcher', () => {
    const launcher = caps.nativeLandlockPath ?? '';
    const abi = caps.landlockAbi ?? 0;
    const NOT_APPLIED = '[spindle] sandbox: Landlock is required but was not applied';

    test('--abi exits with the kernel Landlock ABI', async () => {
      const { stdout, stderr, code } = await run([launcher, '--abi'], {});
      expect({ stdout, stderr, code }).toEqual({ stdout: '', stderr: '', code: abi });
    });

    test('fails closed (exit 78, says why and the errno) on bad usage or a refused call', async () => {
      const program = process.execPath;
      const cases: Array<[string[], string]> = [
        [[], 'usage'],
        [['--abi', 'extra'], 'usage'],
        [['65535', '3', '3', '--'], 'usage'],
        [['65535', '3', '3', '--', 'relative/bun'], 'usage'],
        [['65535', '3', '3', '12', '4', '/usr'], 'usage'],
        [['65535', '3', '3', '12', '4', '--', program], 'usage'],
        [['6x', '3', '3', '--', program], 'usage'],
        [['', '3', '3', '--', program], 'usage'],
        [['99999999999', '3', '3', '--', program], 'usage'],
        // Nothing handled: the kernel refuses the ruleset (ENOMSG).
        [['0', '0', '0', '--', program], 'landlock_create_ruleset failed (errno 42)'],
        // A right the ruleset does not handle: the kernel refuses the rule (EINVAL).
        [['7', '0', '0', '12', '4', '/usr', '--', program], 'landlock_add_rule failed (errno 22)'],
      ];
      for (const [args, why] of cases) {
        const { stdout, stderr, code } = await run([launcher, ...args], {});
        expect(code).toBe(LAUNCHER_FAILURE);
        expect(stdout).toBe('');
        expect(stderr).toContain(NOT_APPLIED);
        expect(stderr).toContain(why);
      }
    });

    test('a program outside the execute rule cannot be started (exec refused, exit 78)', async () => {
      const prefix = nativeLandlockPrefix(
        launcher,
        { readOnly: systemPaths(), readWrite: [] },
        process.execPath,
        abi,
      );
      const { stderr, code } = await run([...prefix, '/bin/true'], {});
      expect(code).toBe(LAUNCHER_FAILURE);
      expect(stderr).toContain('execve of the program failed (errno 13)');
    });

    test('a file rule grants that file only; missing paths are skipped; env passes through', async () => {
      const base = mkdtempSync(join(tmpdir(), 'spindle-native-'));
      dirs.push(base);
      const allowed = join(base, 'allowed.txt');
      writeFileSync(allowed, 'allowed');
      writeFileSync(join(base, 'sibling.txt'), 'sibling');
      const prefix = nativeLandlockPrefix(
        launcher,
        {
          readOnly: [
            ...systemPaths(),
            '/proc',
            '/sys/devices/system/cpu',
            REPO_NODE_MODULES,
            allowed,
            join(base, 'missing'),
          ],
          readWrite: [],
        },
        process.execPath,
        abi,
      );
      const code = `
        const fs = require('node:fs');
        const tryRead = (p) => { try { return fs.readFileSync(p, 'utf8'); } catch (e) { return e.code; } };
        console.log(JSON.stringify([tryRead(${JSON.stringify(allowed)}), tryRead(${JSON.stringify(join(base, 'sibling.txt'))}), process.env.MARK]));
      `;
      const result = await run([...prefix, process.execPath, '-e', code], { MARK: 'kept' });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toEqual(['allowed', 'EACCES', 'kept']);
    });
  });
});
