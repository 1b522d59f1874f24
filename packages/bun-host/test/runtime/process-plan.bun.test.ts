/**
 * The launch plan of a subprocess runtime is made without its `init`, frozen, and can start the
 * same extension again: `launchProcessRuntime` adds each start's `init` to the environment. The
 * host keeps one plan per extension, so a restart does not plan again.
 */
import { afterAll, afterEach, describe, expect, setDefaultTimeout, test } from 'bun:test';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultHostDescriptor, type HostToWorker } from '@spindle/types';
import { RUNTIME_INIT_ENV } from '../../src/runtime/init-env.ts';
import { launchProcessRuntime, planProcessRuntime } from '../../src/runtime/process-runtime.ts';
import type { RuntimeInstance } from '../../src/runtime/types.ts';
import { isAlive, waitUntil } from './helpers.ts';

setDefaultTimeout(20_000);

const root = mkdtempSync(join(tmpdir(), 'spindle-plan-'));
const extensionPath = join(root, 'ext');
const storagePath = join(root, 'storage');
mkdirSync(join(extensionPath, 'dist'), { recursive: true });
mkdirSync(storagePath, { recursive: true });
const entryPath = join(extensionPath, 'dist', 'backend.js');
writeFileSync(entryPath, "spindle.log.info('started as ' + spindle.manifest.name);\n");

const started: RuntimeInstance[] = [];
afterEach(async () => {
  for (const runtime of started.splice(0)) {
    runtime.kill('SIGKILL');
    await runtime.exited;
  }
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function init(name: string): HostToWorker {
  return {
    type: 'init',
    manifest: {
      version: '1.0.0',
      name,
      identifier: 'plan_test',
      author: 'spindle tests',
      github: '',
      homepage: '',
      permissions: [],
    },
    extensionPath,
    entryPath,
    storagePath,
    runtimeMode: 'process',
    scope: { kind: 'operator' },
    host: defaultHostDescriptor('plan_test'),
    services: [],
    grantedPermissions: [],
  } as HostToWorker;
}

/** Starts a runtime and resolves with what it sent up to `ready`. */
async function startUntilReady(
  spec: Parameters<typeof launchProcessRuntime>[0],
): Promise<{ runtime: RuntimeInstance; messages: Record<string, unknown>[] }> {
  const runtime = await launchProcessRuntime(spec);
  started.push(runtime);
  const messages: Record<string, unknown>[] = [];
  let ready = false;
  runtime.channel.onMessage((message) => {
    messages.push(message as Record<string, unknown>);
    if ((message as { type?: string }).type === 'ready') ready = true;
  });
  await waitUntil(() => ready, 10_000, 'ready');
  return { runtime, messages };
}

const quiet = { onLine: () => {}, onRefused: () => {}, onWarn: () => {} };

describe('subprocess runtime plans', () => {
  test('a plan carries no init and cannot be changed', async () => {
    const plan = await planProcessRuntime({ mode: 'process', extensionPath, storagePath });
    expect(Object.isFrozen(plan)).toBe(true);
    expect(Object.isFrozen(plan.env)).toBe(true);
    expect(Object.isFrozen(plan.cmd)).toBe(true);
    expect(plan.env[RUNTIME_INIT_ENV]).toBeUndefined();
    expect(plan.cmd.at(-1)).toMatch(/\.(js|ts)$/);
  });

  test('one plan starts the extension twice, each start with its own init', async () => {
    const plan = await planProcessRuntime({ mode: 'process', extensionPath, storagePath });
    const first = await startUntilReady({
      mode: 'process',
      extensionPath,
      storagePath,
      plan,
      init: init('first start'),
      ...quiet,
    });
    const second = await startUntilReady({
      mode: 'process',
      extensionPath,
      storagePath,
      plan,
      init: init('second start'),
      ...quiet,
    });
    expect(first.runtime.initDelivered).toBe(true);
    expect(second.runtime.pid).not.toBe(first.runtime.pid);
    const logs = (messages: Record<string, unknown>[]) =>
      messages.filter((m) => m.type === 'log').map((m) => m.message);
    expect(logs(first.messages)).toEqual(['started as first start']);
    expect(logs(second.messages)).toEqual(['started as second start']);
    // The plan handed out is untouched: no init leaked into it.
    expect(plan.env[RUNTIME_INIT_ENV]).toBeUndefined();
    for (const { runtime } of [first, second]) {
      runtime.kill('SIGKILL');
      await runtime.exited;
      expect(isAlive(runtime.pid)).toBe(false);
    }
  });

  test('without a plan, each start plans for itself', async () => {
    const { messages } = await startUntilReady({
      mode: 'process',
      extensionPath,
      storagePath,
      init: init('planned here'),
      ...quiet,
    });
    expect(messages.filter((m) => m.type === 'log').map((m) => m.message)).toEqual([
      'started as planned here',
    ]);
  });
});
