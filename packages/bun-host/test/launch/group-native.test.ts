/**
 * The process-group launcher, run for real on x86-64 Linux: `--check`, the group and session
 * its program ends up in, what passes through `execve`, every failure, and its installation.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findExecutable } from '../../src/launch/detect.ts';
import {
  groupLauncherElf,
  installGroupLauncher,
  LAUNCHER_FAILURE,
} from '../../src/launch/index.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'spindle-group-launcher-'));
  dirs.push(dir);
  return dir;
}

const native = process.platform === 'linux' && process.arch === 'x64';
const CAT = findExecutable('cat') ?? '/bin/cat';
const SH = findExecutable('sh') ?? '/bin/sh';

/** pid, pgid and sid of the process that read `/proc/self/stat` (fields 1, 5 and 6). */
function ids(stat: string): { pid: number; pgid: number; sid: number } {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return {
    pid: Number.parseInt(stat, 10),
    pgid: Number.parseInt(fields[2]!, 10),
    sid: Number.parseInt(fields[3]!, 10),
  };
}

function ownIds(): { pgid: number; sid: number } {
  return ids(readFileSync('/proc/self/stat', 'utf8'));
}

describe.skipIf(!native)('the process-group launcher (x86-64 Linux)', () => {
  const launcher = () => {
    const path = installGroupLauncher(tempDir());
    if (path === undefined) throw new Error('the launcher was not written');
    return path;
  };

  it('--check exits 0: it leads its own group', () => {
    const r = spawnSync(launcher(), ['--check']);
    expect(r.status).toBe(0);
  });

  it('runs the program as the leader of a new group, in the caller’s session', () => {
    const r = spawnSync(launcher(), [CAT, '/proc/self/stat'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const child = ids(r.stdout);
    expect(child.pgid).toBe(child.pid);
    expect(child.pgid).not.toBe(ownIds().pgid);
    expect(child.sid).toBe(ownIds().sid);
  });

  // The IPC descriptor passing through is proven by every runtime the host starts.
  it('passes the arguments and the environment through execve', () => {
    const r = spawnSync(
      launcher(),
      [SH, '-c', 'printf "%s|%s|%s" "$0" "$1" "$SPINDLE_TEST_VAR"', 'zero', 'first arg'],
      { encoding: 'utf8', env: { SPINDLE_TEST_VAR: 'from the host' } },
    );
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('zero|first arg|from the host');
  });

  it('a session leader already leads its group: it goes on', () => {
    const setsid = findExecutable('setsid');
    if (!setsid) return;
    const r = spawnSync(setsid, ['-w', launcher(), CAT, '/proc/self/stat'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const child = ids(r.stdout);
    expect(child.pgid).toBe(child.pid);
    expect(child.sid).toBe(child.pid);
  });

  it('fails with 78 and a [spindle] line: no program, a relative one, one that cannot run', () => {
    const path = launcher();
    const none = spawnSync(path, [], { encoding: 'utf8' });
    expect(none.status).toBe(LAUNCHER_FAILURE);
    expect(none.stderr).toBe(
      '[spindle] process group launcher: usage: --check | /abs/program [args...]\n',
    );
    const relative = spawnSync(path, ['cat', '/proc/self/stat'], { encoding: 'utf8' });
    expect(relative.status).toBe(LAUNCHER_FAILURE);
    expect(relative.stderr).toContain('usage:');
    const missing = spawnSync(path, [join(tempDir(), 'missing')], { encoding: 'utf8' });
    expect(missing.status).toBe(LAUNCHER_FAILURE);
    expect(missing.stderr).toBe(
      '[spindle] process group launcher: execve of the program failed (errno 2)\n',
    );
    const notExecutable = join(tempDir(), 'plain-file');
    writeFileSync(notExecutable, 'data', { mode: 0o644 });
    const denied = spawnSync(path, [notExecutable], { encoding: 'utf8' });
    expect(denied.status).toBe(LAUNCHER_FAILURE);
    expect(denied.stderr).toContain('(errno 13)');
  });
});

describe('installGroupLauncher', () => {
  it('writes the executable once, named by its content, mode 0755', () => {
    const dir = join(tempDir(), 'nested');
    const path = installGroupLauncher(dir, 'linux', 'x64');
    expect(path).toMatch(/\/nested\/group-launcher-[0-9a-f]{16}$/);
    expect(Buffer.from(groupLauncherElf()).equals(readFileSync(path!))).toBe(true);
    expect(statSync(path!).mode & 0o777).toBe(0o755);
    expect(installGroupLauncher(dir, 'linux', 'x64')).toBe(path);
  });

  it('replaces a foreign file of the same name, and writes nothing off x86-64 Linux', () => {
    const first = tempDir();
    const name = installGroupLauncher(first, 'linux', 'x64')!.slice(first.length + 1);
    const second = tempDir();
    writeFileSync(join(second, name), 'not the launcher', { mode: 0o755 });
    expect(installGroupLauncher(second, 'linux', 'x64')).toBe(join(second, name));
    expect(Buffer.from(groupLauncherElf()).equals(readFileSync(join(second, name)))).toBe(true);
    expect(installGroupLauncher(join(tempDir(), 'a'), 'linux', 'arm64')).toBeUndefined();
    expect(installGroupLauncher(join(tempDir(), 'b'), 'darwin', 'x64')).toBeUndefined();
  });

  it('is small and the same bytes every time', () => {
    const elf = groupLauncherElf();
    expect(elf.length).toBeLessThan(2048);
    expect(Buffer.from(groupLauncherElf()).equals(Buffer.from(elf))).toBe(true);
  });
});
