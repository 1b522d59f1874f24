/**
 * Activity counting of the runtime child (docs/operations.md, "Hibernation"): pending timers and
 * intervals (unref'ed ones excluded) and `spindle.on` subscriptions, reported once per change.
 */
import type { WorkerToHost } from '@spindle/types';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { installActivityTracking } from '../../src/runtime/child/activity.ts';

/** A scope of its own, so the test's globals stay as they are; timers are vitest's fake ones. */
function fakeScope() {
  return {
    setTimeout: globalThis.setTimeout,
    setInterval: globalThis.setInterval,
    clearTimeout: globalThis.clearTimeout,
    clearInterval: globalThis.clearInterval,
  } as unknown as typeof globalThis;
}

const flush = () => new Promise<void>((resolve) => queueMicrotask(resolve));

describe('installActivityTracking', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'setInterval', 'clearTimeout', 'clearInterval'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function setup() {
    const sent: WorkerToHost[] = [];
    const scope = fakeScope();
    const tracker = installActivityTracking((m) => sent.push(m), scope);
    return { sent, scope, tracker };
  }

  it('counts a timeout until it fires, and reports busy and idle once each', async () => {
    const { sent, scope, tracker } = setup();
    const fired: number[] = [];
    scope.setTimeout(() => fired.push(1), 100);
    scope.setTimeout(() => fired.push(2), 200);
    expect(tracker.timers).toBe(2);
    await flush();
    expect(sent).toEqual([{ type: 'activity', timers: 2, events: [] }]);
    vi.advanceTimersByTime(100);
    await flush();
    expect(tracker.timers).toBe(1);
    expect(sent).toHaveLength(1);
    vi.advanceTimersByTime(100);
    await flush();
    expect(fired).toEqual([1, 2]);
    expect(sent.at(-1)).toEqual({ type: 'activity', timers: 0, events: [] });
    expect(sent).toHaveLength(2);
  });

  it('a timeout that re-arms itself from its callback sends nothing more', async () => {
    const { sent, scope } = setup();
    let ticks = 0;
    const tick = () => {
      ticks += 1;
      if (ticks < 5) scope.setTimeout(tick, 10);
    };
    scope.setTimeout(tick, 10);
    await flush();
    for (let i = 0; i < 4; i += 1) {
      vi.advanceTimersByTime(10);
      await flush();
    }
    expect(ticks).toBe(4);
    expect(sent.map((m) => (m as { timers: number }).timers)).toEqual([1]);
    vi.advanceTimersByTime(10);
    await flush();
    expect(ticks).toBe(5);
    expect(sent.map((m) => (m as { timers: number }).timers)).toEqual([1, 0]);
  });

  it('clearTimeout and clearInterval, by handle or by id, release their timer', async () => {
    const { scope, tracker } = setup();
    const a = scope.setTimeout(() => {}, 50);
    const b = scope.setInterval(() => {}, 50);
    const c = scope.setInterval(() => {}, 50);
    expect(tracker.timers).toBe(3);
    vi.advanceTimersByTime(500);
    expect(tracker.timers).toBe(2);
    scope.clearTimeout(a);
    scope.clearInterval(b);
    expect(tracker.timers).toBe(1);
    scope.clearInterval(Number(c));
    expect(tracker.timers).toBe(0);
    scope.clearInterval(c);
    scope.clearTimeout(undefined);
    expect(tracker.timers).toBe(0);
  });

  it("an unref'ed timer does not count; ref counts it again", () => {
    const { scope, tracker } = setup();
    const t = scope.setInterval(() => {}, 50) as unknown as { unref(): void; ref(): void };
    expect(tracker.timers).toBe(1);
    t.unref();
    expect(tracker.timers).toBe(0);
    t.ref();
    expect(tracker.timers).toBe(1);
  });

  it('reports the set of subscribed events, and nothing after stop', async () => {
    const { sent, tracker } = setup();
    tracker.subscription('CHAT_SWITCHED', 1);
    tracker.subscription('CHAT_SWITCHED', 1);
    tracker.subscription('MESSAGE_SENT', 1);
    await flush();
    expect(sent).toEqual([
      { type: 'activity', timers: 0, events: ['CHAT_SWITCHED', 'MESSAGE_SENT'] },
    ]);
    tracker.subscription('CHAT_SWITCHED', -1);
    await flush();
    expect(sent).toHaveLength(1);
    tracker.subscription('CHAT_SWITCHED', -1);
    await flush();
    expect(sent.at(-1)).toEqual({ type: 'activity', timers: 0, events: ['MESSAGE_SENT'] });
    tracker.stop();
    tracker.subscription('MESSAGE_SENT', -1);
    await flush();
    expect(sent).toHaveLength(2);
  });

  it('a string handler is passed through uncounted', () => {
    const calls: unknown[] = [];
    const scope = {
      ...fakeScope(),
      setTimeout: (h: unknown, ms: number) => {
        calls.push([h, ms]);
        return 0;
      },
    } as unknown as typeof globalThis;
    const tracker = installActivityTracking(() => {}, scope);
    (scope.setTimeout as unknown as (h: unknown, ms: number) => unknown)('code', 5);
    expect(calls).toEqual([['code', 5]]);
    expect(tracker.timers).toBe(0);
  });
});
