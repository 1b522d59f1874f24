import { WIRE_CLOSE_CODES } from '@spindle/types';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { backoffCeiling, backoffDelay, DEFAULT_BACKOFF } from '../src/index.ts';
import { setup } from './helpers.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('backoffDelay', () => {
  it('grows by factor from initialMs and stops at maxMs', () => {
    const ceilings = Array.from({ length: 8 }, (_, attempt) =>
      backoffCeiling(attempt, DEFAULT_BACKOFF),
    );
    expect(ceilings).toEqual([250, 500, 1000, 2000, 4000, 8000, 10_000, 10_000]);
  });

  it('keeps full jitter within [0, ceiling] and equal jitter within [ceiling/2, ceiling]', () => {
    for (const r of [0, 0.25, 0.5, 0.999999]) {
      for (let attempt = 0; attempt < 10; attempt += 1) {
        const ceiling = backoffCeiling(attempt, DEFAULT_BACKOFF);
        const full = backoffDelay(attempt, DEFAULT_BACKOFF, () => r);
        const equal = backoffDelay(attempt, { ...DEFAULT_BACKOFF, jitter: 'equal' }, () => r);
        expect(full).toBeGreaterThanOrEqual(0);
        expect(full).toBeLessThanOrEqual(ceiling);
        expect(equal).toBeGreaterThanOrEqual(ceiling / 2);
        expect(equal).toBeLessThanOrEqual(ceiling);
      }
    }
    expect(backoffDelay(3, { ...DEFAULT_BACKOFF, jitter: 'none' }, () => 0)).toBe(2000);
  });

  it('clamps a random source outside [0, 1)', () => {
    expect(backoffDelay(0, DEFAULT_BACKOFF, () => -5)).toBe(0);
    expect(backoffDelay(0, DEFAULT_BACKOFF, () => 7)).toBe(250);
  });
});

describe('reconnect schedule', () => {
  it('retries after the jittered delays, growing per failed attempt', () => {
    const randoms = [0.5, 0.1, 0.9, 0.5, 0.5];
    const { bridge, fakes, events } = setup({ random: () => randoms.shift() ?? 0.5 });
    // The first attempt never opens; each later one fails too.
    for (let i = 0; i < 5; i += 1) {
      const before = fakes.sockets.length;
      fakes.last.drop(1006);
      const { delayMs, attempt } = events.of('reconnect_scheduled').at(-1)!;
      expect(attempt).toBe(i + 1);
      if (delayMs > 0) {
        vi.advanceTimersByTime(delayMs - 1);
        expect(fakes.sockets).toHaveLength(before);
      }
      vi.advanceTimersByTime(1);
      expect(fakes.sockets).toHaveLength(before + 1);
    }
    expect(events.of('reconnect_scheduled').map((e) => e.delayMs)).toEqual([
      125, 50, 900, 1000, 2000,
    ]);
    expect(events.of('reconnect_scheduled')[0]).toEqual({
      attempt: 1,
      delayMs: 125,
      closeCode: 1006,
      closeReason: '',
    });
    bridge.close();
  });

  it('resets the backoff after a welcome', () => {
    const { bridge, fakes, events, open } = setup({ random: () => 0.999 });
    fakes.last.drop(1006);
    vi.runOnlyPendingTimers();
    fakes.last.drop(1006);
    vi.runOnlyPendingTimers();
    fakes.last.drop(1006);
    vi.runOnlyPendingTimers();
    open().drop(WIRE_CLOSE_CODES.HOST_SHUTDOWN);
    expect(events.of('reconnect_scheduled').map((e) => [e.attempt, e.delayMs])).toEqual([
      [1, 249],
      [2, 499],
      [3, 999],
      [1, 249],
    ]);
    bridge.close();
  });

  it('caps the delay at maxMs', () => {
    const { bridge, fakes, events } = setup({
      random: () => 0.999,
      backoff: { initialMs: 100, maxMs: 300, factor: 3, jitter: 'none' },
    });
    for (let i = 0; i < 4; i += 1) {
      fakes.last.drop(1006);
      vi.runOnlyPendingTimers();
    }
    expect(events.of('reconnect_scheduled').map((e) => e.delayMs)).toEqual([100, 300, 300, 300]);
    bridge.close();
  });
});
