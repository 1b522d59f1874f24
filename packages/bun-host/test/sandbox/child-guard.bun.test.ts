/**
 * The child guard (`sandbox/child-guard.ts`) and the Landlock launcher fail closed: a child they
 * cannot protect as planned exits 78 with a `[spindle]` line instead of running unprotected.
 */
import { describe, expect, test } from 'bun:test';
import { fileURLToPath } from 'node:url';
import { CHILD_GUARD_ENV, GUARD_FAILED_EXIT } from '../../src/sandbox/child-guard.ts';
import { detectSandbox } from '../../src/sandbox/detect.ts';
import { LANDLOCK_PERL } from '../../src/sandbox/landlock.ts';

const GUARD = fileURLToPath(new URL('../../src/sandbox/child-guard.ts', import.meta.url));
const caps = await detectSandbox();

async function run(cmd: string[], env: Record<string, string> = {}) {
  const child = Bun.spawn({ cmd, env, stdout: 'pipe', stderr: 'pipe' });
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  return { stdout, stderr, code };
}

/** A Bun child that applies the guard, then reports what it can still do. */
const probe = `
  const { applyChildGuard } = await import(${JSON.stringify(GUARD)});
  applyChildGuard();
  let exec = 'ok';
  try { Bun.spawnSync(['/bin/true']); } catch (e) { exec = e.code; }
  console.log(JSON.stringify({ exec, left: process.env.${CHILD_GUARD_ENV} ?? null }));
`;

describe.skipIf(process.platform !== 'linux')('child guard', () => {
  test.if(caps.seccompFilter !== undefined)(
    'installs the filter and removes its variable',
    async () => {
      const guard = JSON.stringify({ ...caps.syscalls, bpf: caps.seccompFilter });
      const { stdout, code } = await run([process.execPath, '-e', probe], {
        [CHILD_GUARD_ENV]: guard,
      });
      expect(code).toBe(0);
      expect(JSON.parse(stdout)).toEqual({ exec: 'EPERM', left: null });
    },
  );

  test('without the variable nothing changes', async () => {
    const { stdout } = await run([process.execPath, '-e', probe]);
    expect(JSON.parse(stdout)).toEqual({ exec: 'ok', left: null });
  });

  test.each([
    ['malformed', '{not json'],
    ['a filter the kernel refuses', JSON.stringify({ ...caps.syscalls, bpf: 'AAAA' })],
    [
      'unknown system call numbers',
      JSON.stringify({ seccomp: -5, prctl: -5, prlimit: -5, bpf: 'AAAAAAAAAAA=' }),
    ],
  ])('exits 78 with a [spindle] line for %s', async (_, guard) => {
    const { stdout, stderr, code } = await run([process.execPath, '-e', probe], {
      [CHILD_GUARD_ENV]: guard,
    });
    expect(code).toBe(GUARD_FAILED_EXIT);
    expect(stdout).toBe('');
    expect(stderr).toContain('[spindle] sandbox: the child guard is required but was not applied');
  });

  test('a Worker never applies it: it shares the host process', async () => {
    const worker = `
      const { applyChildGuard } = await import(${JSON.stringify(GUARD)});
      applyChildGuard();
      postMessage('done');
    `;
    const host = `
      process.env.${CHILD_GUARD_ENV} = '{not json';
      const w = new Worker(URL.createObjectURL(new Blob([${JSON.stringify(worker)}])));
      w.onmessage = () => { Bun.spawnSync(['/bin/true']); console.log('host still runs'); process.exit(0); };
    `;
    const { stdout, code } = await run([process.execPath, '-e', host]);
    expect(stdout.trim()).toBe('host still runs');
    expect(code).toBe(0);
  });
});

describe.skipIf(caps.perlPath === undefined)('Landlock launcher', () => {
  const perl = [caps.perlPath!, '-e', LANDLOCK_PERL, '--'];

  test('--abi prints the ABI the host detected', async () => {
    const { stdout, code } = await run([...perl, '--abi']);
    expect(code).toBe(0);
    expect(Number(stdout.trim())).toBe(caps.landlockAbi);
  });

  test.if(caps.landlockAbi > 0).each([
    [
      'a malformed rule',
      ['157', '1', '0', '0', 'read:/usr', '--', '/bin/true'],
      'bad rule read:/usr',
    ],
    ['no program', ['157', '1', '0', '0', '4:/usr', '--'], 'no absolute program'],
    ['a relative program', ['157', '1', '0', '0', '--', 'true'], 'no absolute program'],
    [
      'a program it may not execute',
      [String(caps.syscalls?.prctl ?? 0), '5', '0', '0', '4:/usr', '--', '/bin/true'],
      'execve(/bin/true) failed',
    ],
  ])('refuses %s with exit 78', async (_, args, why) => {
    const { stderr, code } = await run([...perl, ...args]);
    expect(code).toBe(78);
    expect(stderr).toContain('[spindle] sandbox: Landlock is required but was not applied');
    expect(stderr).toContain(why);
  });
});
