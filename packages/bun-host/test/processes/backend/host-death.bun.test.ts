import { afterEach, describe, expect, setDefaultTimeout, test } from 'bun:test';
import { fileURLToPath } from 'node:url';
import { MODES, pidAlive, treeOf, until } from './harness.ts';

setDefaultTimeout(20_000);
const MINI_HOST = fileURLToPath(
  new URL('../../fixtures/process-entries/mini-host.ts', import.meta.url),
);
const started: number[] = [];

afterEach(() => {
  for (const pid of started.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone, as it should be.
    }
  }
});

describe.each(MODES.filter((m) => m !== 'worker'))('host killed by SIGKILL (%s)', (mode) => {
  test('no backend process outlives its host', async () => {
    const host = Bun.spawn({
      cmd: [process.execPath, MINI_HOST, mode],
      stdout: 'pipe',
      stderr: 'pipe',
    });
    started.push(host.pid);
    const reader = host.stdout.getReader();
    let out = '';
    while (!/child \d+/.test(out)) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`mini host ended early: ${await new Response(host.stderr).text()}`);
      out += new TextDecoder().decode(value);
    }
    const childPid = Number(/child (\d+)/.exec(out)?.[1]);
    const tree = treeOf(childPid);
    started.push(...tree);
    expect(tree.every(pidAlive)).toBe(true);
    host.kill('SIGKILL');
    await host.exited;
    await until(() => !tree.some(pidAlive), 5000, 'orphaned backend processes to die');
  });
});
