/**
 * The runtime sends `init` right after spawning, before the child runs any code. Whatever sits
 * in front of Bun (bwrap, the Landlock launcher that execs Bun, the child guard) must pass the
 * IPC channel through and lose none of those early messages.
 */
import { afterEach, describe, expect, test } from 'bun:test';
import { fileURLToPath } from 'node:url';
import type { SandboxLayer } from '@spindle/types';
import { detectSandbox } from '../../src/sandbox/detect.ts';
import { planLaunch } from '../../src/sandbox/plan.ts';
import { spawnPlanned } from '../../src/sandbox/spawn.ts';
import { type ChildFolders, childFolders, onlyLayers } from './helpers.ts';
import { killAll } from './proc.ts';

const ECHO = fileURLToPath(new URL('./fixtures/echo.ts', import.meta.url));
const caps = await detectSandbox();
const started = new Set<number>();
const folders: ChildFolders[] = [];

afterEach(() => {
  killAll(started);
  started.clear();
  for (const f of folders.splice(0)) f.remove();
});

const cases: Array<[string, 'process' | 'sandbox', SandboxLayer[] | 'process']> = [
  ['process, PID namespace', 'process', 'process'],
  ['sandbox, every layer', 'sandbox', ['bwrap', 'landlock', 'seccomp', 'pids']],
  ['sandbox, bwrap alone', 'sandbox', ['bwrap']],
  ['sandbox, Landlock alone', 'sandbox', ['landlock', 'seccomp']],
];

describe.skipIf(process.platform !== 'linux')('IPC through the layers', () => {
  for (const [name, mode, layers] of cases) {
    test(`${name}: messages sent before the child starts all arrive, in order`, async () => {
      const f = childFolders('spindle-ipc-');
      folders.push(f);
      const layerCaps = layers === 'process' ? caps : onlyLayers(caps, layers);
      const plan = planLaunch(
        {
          script: ECHO,
          cwd: f.ext,
          mode,
          settings: f.settings,
          sandbox: { readOnly: [f.ext], readWrite: [f.storage] },
        },
        layerCaps,
      );
      if (layers !== 'process') expect(plan.sandbox).toEqual(layers);
      const got: Array<{ echo: { i: number } }> = [];
      const { promise, resolve } = Promise.withResolvers<void>();
      const child = spawnPlanned(plan, {
        cwd: f.ext,
        serialization: 'json',
        stdin: 'ignore',
        stdout: 'pipe',
        stderr: 'pipe',
        ipc(message: { echo: { i: number } }) {
          got.push(message);
          if (got.length === 5) resolve();
        },
      });
      started.add(child.pid);
      for (let i = 0; i < 5; i++) child.send({ i });
      const early = child.exited.then(async (code) => {
        throw new Error(`child exited (${code}): ${await new Response(child.stderr).text()}`);
      });
      await Promise.race([promise, early]);
      expect(got.map((m) => m.echo.i)).toEqual([0, 1, 2, 3, 4]);
    });
  }
});
