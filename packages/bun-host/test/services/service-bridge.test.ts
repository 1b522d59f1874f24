/**
 * One extension's service bridge: each call's outcome is reported once, with its code; a runtime
 * that stops aborts the calls under way (their methods see the signal) and later calls run with
 * a fresh one; refusals for a missing grant and another user's name are logged (the latter once).
 */
import { SpindleError } from '@spindle/types';
import { describe, expect, it } from 'vitest';
import { createServiceBridge } from '../../src/runtime/service-bridge.ts';
import { ServiceRegistry } from '../../src/services/index.ts';

const manifest = {
  version: '1',
  name: 'demo',
  identifier: 'demo',
  author: '',
  github: '',
  homepage: '',
  permissions: [],
};

let clock = 0;
const timers = {
  setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms),
  clearTimeout: (handle: unknown) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  now: () => clock,
};

function bridgeOver(registry: ServiceRegistry | undefined, scope = { kind: 'operator' as const }) {
  const calls: Array<[string, string, string, number]> = [];
  const lines: string[] = [];
  const bridge = createServiceBridge({
    extensionId: 'demo',
    manifest,
    scope,
    registry,
    granted: () => [],
    timers,
    log: (_level, message) => lines.push(message),
    onCall: (namespace, method, outcome, ms) => calls.push([namespace, method, outcome, ms]),
  });
  return { bridge, calls, lines };
}

describe('service bridge', () => {
  it('without services every call is SERVICE_UNAVAILABLE, and reported so', async () => {
    const { bridge, calls } = bridgeOver(undefined);
    await expect(
      bridge.call({ namespace: 'chat', method: 'peek', args: [] }),
    ).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    expect(calls).toEqual([['chat', 'peek', 'SERVICE_UNAVAILABLE', 0]]);
  });

  it('reports ok with the time the call took, and the code of a typed failure', async () => {
    const registry = new ServiceRegistry();
    registry.register('svc', {
      slow: async () => {
        clock += 7;
        return 'done';
      },
      refuse: () => {
        throw new SpindleError('FORBIDDEN', 'no');
      },
      crash: () => {
        throw new Error('boom');
      },
    });
    const { bridge, calls } = bridgeOver(registry);
    await expect(bridge.call({ namespace: 'svc', method: 'slow', args: [] })).resolves.toBe('done');
    await expect(bridge.call({ namespace: 'svc', method: 'refuse', args: [] })).rejects.toThrow();
    await expect(bridge.call({ namespace: 'svc', method: 'crash', args: [] })).rejects.toThrow();
    expect(calls.map(([, method, outcome, ms]) => [method, outcome, ms])).toEqual([
      ['slow', 'ok', 7],
      ['refuse', 'FORBIDDEN', 0],
      ['crash', expect.any(String), 0],
    ]);
    expect(calls[2]?.[2]).not.toBe('ok');
  });

  it('endCalls aborts the calls under way; a later call gets a live signal', async () => {
    const registry = new ServiceRegistry();
    const signals: AbortSignal[] = [];
    registry.register('svc', {
      wait: (call) => {
        signals.push(call.signal);
        return new Promise(() => {});
      },
    });
    const { bridge, calls } = bridgeOver(registry);
    const first = bridge.call({ namespace: 'svc', method: 'wait', args: [] });
    await Promise.resolve();
    bridge.endCalls();
    await expect(first).rejects.toMatchObject({ code: 'EXTENSION_UNLOADED' });
    expect(calls[0]?.[2]).toBe('EXTENSION_UNLOADED');
    const second = bridge.call({ namespace: 'svc', method: 'wait', args: [] });
    await Promise.resolve();
    expect(signals).toHaveLength(2);
    expect(signals[0]?.aborted).toBe(true);
    expect(signals[1]?.aborted).toBe(false);
    bridge.endCalls();
    await expect(second).rejects.toMatchObject({ code: 'EXTENSION_UNLOADED' });
  });
});
