/**
 * The runtime side of `spindle.backendProcesses` wired to the real process service: requests
 * with `requestId`s, the handle built from the response, and the lifecycle/message events the
 * service posts back, in every runtime mode.
 */
import { afterEach, describe, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RUNTIME_MODES } from '@spindle/types';
import { createProcessService } from '../../src/processes/service-impl.ts';
import { ask, closeTestHosts, descendants, startTestHost } from './helpers.ts';

afterEach(async () => {
  await closeTestHosts();
  expect(descendants(process.pid)).toEqual([]);
});

describe.each(RUNTIME_MODES)('%s mode', (mode) => {
  test('a request still pending when the runtime shuts down rejects with EXTENSION_UNLOADED', async () => {
    let asked = 0;
    const t = await startTestHost(mode, {
      enable: ['probe'],
      processService: {
        handle: () => {
          asked += 1;
          return new Promise(() => {});
        },
        unloadExtension: async () => {},
        close: async () => {},
      },
    });
    t.gateway.open('s1', 'alice', ['probe']);
    const storagePath = join(t.dataDir, 'storage', 'probe');
    expect((await ask(t, 's1', 'pending', { storagePath })).result).toBe('pending');
    expect(asked).toBe(1);
    await t.host.disable('probe');
    expect(readFileSync(join(storagePath, 'settled.txt'), 'utf8')).toBe(
      'EXTENSION_UNLOADED: [spindle] the runtime is shutting down',
    );
  });

  test('backendProcesses.spawn resolves a handle; send, onMessage, list, onLifecycle and stop work', async () => {
    const t = await startTestHost(mode, {
      enable: ['probe'],
      processService: createProcessService({ logger: () => {} }),
    });
    t.gateway.open('s1', 'alice', ['probe']);
    const reply = await ask(t, 's1', 'backend_process');
    expect(reply.error).toBeUndefined();
    expect(reply.result).toEqual({
      handle: {
        sameId: true,
        entry: 'dist/echo-process.js',
        key: 'echo',
        kind: 'dist/echo-process.js',
        listed: true,
        hasRefresh: 'function',
      },
      echo: { echo: 'ping' },
      echoUser: '',
      stopReturned: 'undefined',
      stoppedState: 'stopped',
      sawRunning: true,
    });
  });
});
