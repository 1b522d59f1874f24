/**
 * A runtime killed for a limit (`endForLimit`): its exit is a crash with the limit's exit
 * reason, the crash policy applies, and the reason shows on state changes and `exitReason`.
 */
import type { HostToWorker } from '@spindle/types';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ExtensionController,
  type ExtensionStateChange,
  type RuntimeExitEvent,
} from '../../src/runtime/controller.ts';
import type { Timers } from '../../src/runtime/types.ts';
import { FakeRuntime } from './fake-runtime.ts';

const timers: Timers = {
  setTimeout: (handler, ms) => setTimeout(handler, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  now: () => Date.now(),
};

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** Lets promise callbacks run (bun test has no advanceTimersByTimeAsync). */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

function harness() {
  const runtimes: FakeRuntime[] = [];
  const changes: ExtensionStateChange[] = [];
  const exits: RuntimeExitEvent[] = [];
  const logs: string[] = [];
  const controller = new ExtensionController({
    extensionId: 'hog',
    async launch() {
      const runtime = new FakeRuntime(500 + runtimes.length);
      runtime.onInit = (rt) => rt.emit({ type: 'ready' });
      runtimes.push(runtime);
      return runtime;
    },
    buildInit: () => ({ type: 'init' }) as unknown as HostToWorker,
    onMessage: () => {},
    unloadProcesses: async () => {},
    onStateChange: (change) => changes.push(change),
    onExit: (event) => exits.push(event),
    onLog: (level, message) => logs.push(`${level}: ${message}`),
    timing: { baseDelayMs: 100, crashLimit: 2, windowMs: 60_000 },
    timers,
  });
  return { controller, runtimes, changes, exits, logs };
}

describe('endForLimit', () => {
  it('kills the runtime, reports the limit as exit reason and restarts it by the crash policy', async () => {
    const h = harness();
    await h.controller.enable();
    const first = h.runtimes[0]!;
    h.controller.endForLimit(first, 'memory_limit', 'runtime used 900 MiB, more than its cap');
    expect(first.signals).toEqual(['SIGKILL']);
    await settle();
    expect(h.exits).toEqual([
      expect.objectContaining({
        reason: 'memory_limit',
        signal: 'SIGKILL',
        error: 'runtime used 900 MiB, more than its cap (memory_limit, signal SIGKILL)',
      }),
    ]);
    expect(h.changes.at(-1)).toMatchObject({ state: 'restarting', exitReason: 'memory_limit' });
    expect(h.controller.exitReason).toBe('memory_limit');
    expect(h.logs).toContain(
      'error: runtime used 900 MiB, more than its cap: killing it (memory_limit)',
    );
    vi.advanceTimersByTime(100);
    await settle();
    expect(h.controller.state).toBe('running');
    expect(h.controller.exitReason).toBeUndefined();

    // The second limit kill within the window gives up: crashed, with the reason kept.
    h.controller.endForLimit(h.runtimes[1]!, 'unresponsive', 'no pong for 10000 ms');
    await settle();
    expect(h.controller.state).toBe('crashed');
    expect(h.changes.at(-1)).toMatchObject({ state: 'crashed', exitReason: 'unresponsive' });
    expect(h.exits.map((e) => e.reason)).toEqual(['memory_limit', 'unresponsive']);
  });

  it('ignores a runtime that is not the running one, or one being stopped', async () => {
    const h = harness();
    await h.controller.enable();
    const runtime = h.runtimes[0]!;
    runtime.onShutdown = 'ignore';
    h.controller.endForLimit(new FakeRuntime(1), 'unresponsive', 'stale');
    const disabled = h.controller.disable();
    await settle(); // the stop has begun
    expect(h.controller.state).toBe('stopping');
    h.controller.endForLimit(runtime, 'unresponsive', 'during stop');
    expect(runtime.signals).toEqual([]);
    vi.advanceTimersByTime(5000); // the stop's own deadline decides
    await settle();
    await disabled;
    expect(runtime.signals).toEqual(['SIGTERM']);
    expect(h.exits.map((e) => e.reason)).toEqual(['killed']);
    expect(h.controller.exitReason).toBeUndefined();
  });
});
