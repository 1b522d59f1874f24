/**
 * `RuntimeGuard` over a fake runtime and a fake clock: the byte cap of the inbound queue, its
 * confirmation by pongs, the memory cap from /proc readings or a worker's heap, and the ping
 * deadline, each reported once with its exit reason.
 */
import type { HostToWorker } from '@spindle/types';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InboundBudget } from '../../src/runtime/inbound-budget.ts';
import { RUNTIME_LIMIT_DEFAULTS, type RuntimeLimits } from '../../src/runtime/limits.ts';
import { type LimitReason, RuntimeGuard } from '../../src/runtime/runtime-guard.ts';
import type { RuntimeInstance } from '../../src/runtime/types.ts';

const timers = {
  setTimeout: (handler: () => void, ms: number) => setTimeout(handler, ms),
  clearTimeout: (handle: unknown) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  now: () => Date.now(),
};

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

const MIB = 1024 * 1024;

function guarded(mode: 'process' | 'worker', limits: Partial<RuntimeLimits>, rss = () => 10 * MIB) {
  const sent: HostToWorker[] = [];
  let sentBytes = 0;
  const runtime = {
    mode,
    pid: 4242,
    channel: {
      send(message: HostToWorker) {
        sent.push(message);
        sentBytes += JSON.stringify(message).length;
      },
      onMessage: () => () => {},
      close() {},
      get sentBytes() {
        return sentBytes;
      },
    },
  } as unknown as RuntimeInstance;
  const limitsHit: { reason: LimitReason; message: string }[] = [];
  const guard = new RuntimeGuard({
    runtime,
    limits: { ...RUNTIME_LIMIT_DEFAULTS, pingIntervalMs: 100, pingTimeoutMs: 1000, ...limits },
    timers,
    readRssBytes: () => rss(),
    onLimit: (reason, message) => limitsHit.push({ reason, message }),
  });
  const pings = () => sent.filter((m) => m.type === 'ping') as { type: 'ping'; id: number }[];
  return { guard, runtime, sent, pings, limitsHit };
}

describe('InboundBudget', () => {
  it('is full at the cap, confirmed by positions, and marks every quarter', () => {
    const budget = new InboundBudget(100);
    expect(budget.full(99)).toBe(false);
    expect(budget.full(100)).toBe(true);
    budget.confirm(60);
    expect(budget.unconfirmed(100)).toBe(40);
    expect(budget.full(159)).toBe(false);
    budget.confirm(10); // never backwards
    expect(budget.unconfirmed(100)).toBe(40);
    expect([budget.mark(24), budget.mark(25), budget.mark(49), budget.mark(50)]).toEqual([
      false,
      true,
      false,
      true,
    ]);
  });
});

describe('RuntimeGuard', () => {
  it('refuses once the runtime has not confirmed inboundQueueBytes, and takes more after a pong', () => {
    const { guard, runtime, pings } = guarded('process', { inboundQueueBytes: 4000 });
    guard.start();
    const message: HostToWorker = {
      type: 'frontend_message',
      payload: 'x'.repeat(900),
      userId: 'u',
    };
    let accepted = 0;
    while (!guard.inboundFull()) {
      runtime.channel.send(message);
      guard.sent();
      accepted += 1;
    }
    expect(accepted).toBe(5);
    expect(guard.unconfirmedBytes).toBeGreaterThanOrEqual(4000);
    // Flow-control pings went out every quarter of the cap; the runtime answers the last one.
    expect(pings()).toHaveLength(2);
    guard.pong({ id: pings().at(-1)!.id });
    expect(guard.inboundFull()).toBe(false);
    guard.stop();
  });

  it('kills a subprocess runtime whose resident set passes the cap (memory_limit)', () => {
    let rss = 100 * MIB;
    const { guard, limitsHit } = guarded(
      'process',
      { memoryLimitMb: 200, memorySampleMs: 500, pingTimeoutMs: 0 },
      () => rss,
    );
    guard.start();
    vi.advanceTimersByTime(1500);
    expect(limitsHit).toEqual([]);
    rss = 300 * MIB;
    vi.advanceTimersByTime(500);
    expect(limitsHit).toEqual([
      {
        reason: 'memory_limit',
        message: 'runtime used 300 MiB, more than its cap of 200 MiB (memoryLimitMb)',
      },
    ]);
    vi.advanceTimersByTime(5000);
    expect(limitsHit).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('kills a worker whose reported heap passes the cap; a subprocess heap report is ignored', () => {
    const worker = guarded('worker', { memoryLimitMb: 64 });
    worker.guard.start();
    vi.advanceTimersByTime(100);
    worker.guard.pong({ id: worker.pings()[0]!.id, heapBytes: 65 * MIB });
    expect(worker.limitsHit.map((l) => l.reason)).toEqual(['memory_limit']);

    const child = guarded('process', { memoryLimitMb: 64 });
    child.guard.start();
    vi.advanceTimersByTime(100);
    child.guard.pong({ id: child.pings()[0]!.id, heapBytes: 65 * MIB });
    expect(child.limitsHit).toEqual([]);
    child.guard.stop();
  });

  it('reports a runtime that leaves a ping unanswered (unresponsive), once', () => {
    const { guard, limitsHit } = guarded('process', { memoryLimitMb: 0 });
    guard.start();
    vi.advanceTimersByTime(100 + 1000);
    expect(limitsHit).toEqual([
      {
        reason: 'unresponsive',
        message: 'runtime did not answer a ping for 1000 ms (pingTimeoutMs 1000)',
      },
    ]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('with memoryLimitMb 0 nothing is read; without /proc only workers are capped', () => {
    let reads = 0;
    const off = guarded('process', { memoryLimitMb: 0 }, () => {
      reads += 1;
      return 0;
    });
    off.guard.start();
    vi.advanceTimersByTime(2000);
    off.guard.stop();
    expect(reads).toBe(0);
    expect(off.guard.memoryCapped).toBe(false);
  });
});
