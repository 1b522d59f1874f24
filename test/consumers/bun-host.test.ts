/**
 * A Bun program starts `startSpindleHost` from the installed `@spindle/bun-host`, with one
 * extension in `process`, `sandbox` and `worker` mode in turn: each gets `running` and runs the
 * extension's backend, and the sandbox has the layers this machine offers (bwrap, and Landlock
 * where the kernel has it), as a host run from this repository would.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { SandboxStatus } from '@spindle/types';
import { beforeAll, describe, expect, test } from 'vitest';
import { APP, EXTENSIONS, INSTALLED_BUN, scratchDir, WORKSPACE } from './consumer.ts';

const run = promisify(execFile);

interface ModeReport {
  mode: string;
  state: string;
  runtimeMode?: string;
  sandbox?: SandboxStatus;
  error?: string;
  lines: string[];
}

/** The layers a host run from this repository finds on this machine. */
async function workspaceLayers(): Promise<{ bwrap: boolean; landlock: boolean }> {
  const detect = join(WORKSPACE, 'packages', 'bun-host', 'src', 'sandbox', 'detect.ts');
  const { stdout } = await run(
    join(WORKSPACE, 'node_modules', 'bun', 'bin', 'bun.exe'),
    [
      '-e',
      `const { detectSandbox } = await import(${JSON.stringify(detect)});
       const caps = await detectSandbox();
       console.log(JSON.stringify({ bwrap: caps.bwrapPath !== undefined, landlock: caps.landlockAbi > 0 }));`,
    ],
    { cwd: WORKSPACE, timeout: 60_000 },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as {
    bwrap: boolean;
    landlock: boolean;
  };
}

describe('startSpindleHost from the installed package', () => {
  let reports: ModeReport[];

  beforeAll(async () => {
    const { stdout } = await run(
      INSTALLED_BUN,
      [join(APP, 'bun', 'server.ts'), EXTENSIONS, scratchDir('bun-host')],
      { cwd: APP, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
    );
    reports = JSON.parse(stdout.trim().split('\n').at(-1) ?? '[]') as ModeReport[];
  }, 150_000);

  test.each(['process', 'sandbox', 'worker'])('%s mode: the extension gets running', (mode) => {
    const report = reports.find((r) => r.mode === mode);
    expect(report).toMatchObject({ state: 'running', runtimeMode: mode });
    expect(report?.error).toBeUndefined();
    expect(report?.lines.some((line) => line.startsWith('hello: running on Bun '))).toBe(true);
  });

  test('sandbox mode: the runtime reports bwrap, and Landlock where the kernel has it', async () => {
    const layers = await workspaceLayers();
    expect(layers.bwrap, 'bwrap works on this machine (scripts/ensure-system-deps.mjs)').toBe(true);
    const sandbox = reports.find((r) => r.mode === 'sandbox')?.sandbox;
    expect(sandbox).toContain('bwrap');
    if (layers.landlock) expect(sandbox).toContain('landlock');
  });
});
