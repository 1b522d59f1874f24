/**
 * The runtime sends `init` right after spawning, before the child runs any code. Whatever sits
 * in front of Bun (`--no-orphans`, setpriv, bwrap, the Landlock launcher that execs Bun a second time) must pass
 * the IPC channel through and lose none of those early messages.
 */
import { afterEach, describe, expect, test } from 'bun:test';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  detectSandbox,
  type LaunchSpec,
  planLaunch,
  type SandboxCapabilities,
} from '../../src/launch/index.ts';
import { killAll } from './proc.ts';

const ECHO = fileURLToPath(new URL('./fixtures/echo.ts', import.meta.url));
const caps = await detectSandbox();
const started = new Set<number>();
const dirs: string[] = [];

afterEach(() => {
  killAll(started);
  started.clear();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const cases: Array<[string, LaunchSpec['mode'], SandboxCapabilities]> = [
  ['process + bun --no-orphans', 'process', caps],
  ['process + setpriv', 'process', { ...caps, bunNoOrphans: false }],
  ...(caps.bwrap
    ? [
        ['sandbox: bwrap + landlock', 'sandbox', caps] as [
          string,
          LaunchSpec['mode'],
          SandboxCapabilities,
        ],
      ]
    : []),
  ...(caps.bwrap
    ? [
        ['sandbox: bwrap alone', 'sandbox', { ...caps, landlock: false }] as [
          string,
          LaunchSpec['mode'],
          SandboxCapabilities,
        ],
      ]
    : []),
  ...(caps.landlock
    ? [
        ['sandbox: landlock alone', 'sandbox', { ...caps, bwrap: false }] as [
          string,
          LaunchSpec['mode'],
          SandboxCapabilities,
        ],
      ]
    : []),
];

describe.skipIf(process.platform !== 'linux')('IPC through the launch layers', () => {
  for (const [name, mode, layerCaps] of cases) {
    test(`${name}: messages sent before the child starts all arrive, in order`, async () => {
      const base = mkdtempSync(join(tmpdir(), 'spindle-ipc-'));
      dirs.push(base);
      mkdirSync(join(base, 'ext'));
      mkdirSync(join(base, 'storage'));
      const plan = planLaunch(
        {
          script: ECHO,
          cwd: join(base, 'ext'),
          mode,
          sandbox: { readOnly: [join(base, 'ext')], readWrite: [join(base, 'storage')] },
        },
        layerCaps,
      );
      const got: Array<{ echo: { i: number } }> = [];
      const { promise, resolve } = Promise.withResolvers<void>();
      const child = Bun.spawn({
        cmd: plan.cmd,
        env: plan.env,
        cwd: join(base, 'ext'),
        serialization: 'json',
        stdout: 'ignore',
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
