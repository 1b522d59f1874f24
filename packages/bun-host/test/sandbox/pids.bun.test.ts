/** The pids layer's cgroups (`sandbox/pids.ts`): created per child, capped, cleaned up. */
import { describe, expect, test } from 'bun:test';
import { existsSync, mkdirSync, readFileSync, rmdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  createChildCgroup,
  findPidsHierarchy,
  releaseChildCgroup,
  setUpPidsCgroup,
} from '../../src/sandbox/pids.ts';

const host = setUpPidsCgroup();

describe.skipIf(typeof host === 'string')('pids cgroups', () => {
  const parent = host as Exclude<typeof host, string>;

  test('the host has one folder, named by its pid, in its own pids cgroup', () => {
    const found = findPidsHierarchy();
    if (typeof found === 'string') throw new Error(found);
    expect(parent.dir).toBe(join(found.base, `spindle-${process.pid}`));
    expect(setUpPidsCgroup()).toBe(host);
  });

  test('a child cgroup caps its tasks; whatever is left when released is killed', async () => {
    const dir = createChildCgroup(parent, 20);
    expect(readFileSync(join(dir, 'pids.max'), 'utf8').trim()).toBe('20');
    const shell = Bun.spawn({
      cmd: ['sh', '-c', 'for i in $(seq 40); do sleep 30 & done; wait'],
      cgroup: dir,
      stdout: 'ignore',
      stderr: 'pipe',
    });
    const tasks = () => readFileSync(join(dir, 'cgroup.procs'), 'utf8').trim().split('\n');
    // The shell gives up at its first failed fork ("Cannot fork"), leaving its sleeps behind.
    await shell.exited;
    expect(tasks().length).toBeGreaterThan(10);
    expect(tasks().length).toBeLessThan(20);
    // Release kills what is left and removes the folder.
    expect(await releaseChildCgroup(dir)).toBe(true);
    expect(existsSync(dir)).toBe(false);
    expect(await new Response(shell.stderr).text()).toContain('fork');
  });

  test('folders of hosts that are gone are removed by the next host', async () => {
    const { base } = findPidsHierarchy() as { base: string };
    // A pid that is not running: past the kernel's pid limit.
    const stale = join(base, 'spindle-2147483647');
    mkdirSync(join(stale, 'child-1'), { recursive: true });
    const { spawnSync } = await import('node:child_process');
    const code = `import { setUpPidsCgroup } from ${JSON.stringify(join(import.meta.dir, '../../src/sandbox/pids.ts'))}; setUpPidsCgroup();`;
    const run = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    const removed = !existsSync(stale);
    if (!removed) rmdirSync(join(stale, 'child-1'));
    if (!removed) rmdirSync(stale);
    expect(removed).toBe(true);
    expect(existsSync(dirname(parent.dir))).toBe(true);
  });
});
