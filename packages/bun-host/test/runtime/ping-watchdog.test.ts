/**
 * The ping watchdog on a fake clock: a runtime that answers in time is never reported, however
 * long its work; one that leaves a ping unanswered past the deadline is reported once; answers
 * confirm the position recorded with their ping.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PingWatchdog, type PingWatchdogOptions } from '../../src/runtime/ping-watchdog.ts';

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

function watchdog(options: Partial<PingWatchdogOptions> = {}) {
  const sent: { id: number; at: number }[] = [];
  const unresponsive: number[] = [];
  let position = 0;
  const dog = new PingWatchdog({
    intervalMs: 100,
    timeoutMs: 1000,
    timers,
    send: (id) => sent.push({ id, at: Date.now() }),
    position: () => position,
    onUnresponsive: (waited) => unresponsive.push(waited),
    ...options,
  });
  return {
    dog,
    sent,
    unresponsive,
    setPosition(value: number) {
      position = value;
    },
  };
}

describe('PingWatchdog', () => {
  it('pings interval ms after each answer, with one timer at a time', () => {
    const { dog, sent } = watchdog();
    dog.start();
    expect(sent).toEqual([]);
    vi.advanceTimersByTime(100);
    expect(sent).toEqual([{ id: 1, at: 100 }]);
    vi.advanceTimersByTime(50);
    dog.pong(1);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(100);
    expect(sent.map((s) => s.at)).toEqual([100, 250]);
  });

  it('never reports a runtime busy for 5 s in bursts of 300 ms that answers each ping in time', () => {
    const { dog, sent, unresponsive } = watchdog({ intervalMs: 50, timeoutMs: 1000 });
    dog.start();
    const end = Date.now() + 5000;
    while (Date.now() < end) {
      vi.advanceTimersByTime(50); // the next ping goes out...
      const ping = sent.at(-1);
      vi.advanceTimersByTime(300); // ...while the runtime computes for 300 ms, then answers
      if (ping) dog.pong(ping.id);
    }
    expect(sent.length).toBeGreaterThan(10);
    expect(unresponsive).toEqual([]);
  });

  it('reports a ping unanswered past the deadline once, then stops', () => {
    const { dog, sent, unresponsive } = watchdog();
    dog.start();
    vi.advanceTimersByTime(100);
    expect(sent).toHaveLength(1);
    vi.advanceTimersByTime(999);
    expect(unresponsive).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(unresponsive).toEqual([1000]);
    vi.advanceTimersByTime(10_000);
    expect(unresponsive).toHaveLength(1);
    expect(sent).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
    expect(dog.pong(1)).toBeUndefined();
  });

  it('an answer that arrives just in time resets the deadline for the next ping', () => {
    const { dog, sent, unresponsive } = watchdog();
    dog.start();
    vi.advanceTimersByTime(100);
    vi.advanceTimersByTime(999);
    dog.pong(sent[0]!.id);
    vi.advanceTimersByTime(100 + 999);
    expect(sent).toHaveLength(2);
    expect(unresponsive).toEqual([]);
  });

  it('flow-control pings share the queue: an answer settles every older one and confirms its position', () => {
    const { dog, sent, setPosition } = watchdog();
    dog.start();
    setPosition(10);
    dog.ping();
    setPosition(20);
    dog.ping();
    setPosition(30);
    dog.ping();
    expect(dog.outstanding).toBe(3);
    expect(dog.pong(2)).toBe(20);
    expect(dog.outstanding).toBe(1);
    expect(dog.pong(2)).toBeUndefined(); // repeated
    expect(dog.pong(99)).toBe(30); // an id past the last settles what is out
    expect(dog.outstanding).toBe(0);
    expect(sent.map((s) => s.id)).toEqual([1, 2, 3]);
  });

  it('the deadline runs from the oldest ping out', () => {
    const { dog, unresponsive } = watchdog();
    dog.start();
    dog.ping(); // at 0
    vi.advanceTimersByTime(600);
    dog.ping(); // at 600
    vi.advanceTimersByTime(400);
    expect(unresponsive).toEqual([1000]);
  });

  it('with timeoutMs 0 it pings (flow control) but never reports', () => {
    const { dog, sent, unresponsive } = watchdog({ timeoutMs: 0 });
    dog.start();
    vi.advanceTimersByTime(60_000);
    expect(sent).toHaveLength(1);
    expect(unresponsive).toEqual([]);
  });

  it('stop clears its timer and ignores later answers', () => {
    const { dog, sent } = watchdog();
    dog.start();
    vi.advanceTimersByTime(100);
    dog.stop();
    expect(vi.getTimerCount()).toBe(0);
    expect(dog.pong(sent[0]!.id)).toBeUndefined();
    dog.ping();
    expect(sent).toHaveLength(1);
  });
});
