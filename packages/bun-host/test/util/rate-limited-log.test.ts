/**
 * `RateLimitedLog` on a fake clock: per key, `burst` lines pass per window, the rest are
 * counted and summarised once when the window ends; keys are bounded.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type LimitedLevel,
  OVERFLOW_KEY,
  RateLimitedLog,
  type RateLimitedLogOptions,
} from '../../src/util/rate-limited-log.ts';

const clock = {
  now: () => Date.now(),
  setTimeout: (callback: () => void, ms: number) => setTimeout(callback, ms),
  clearTimeout: (handle: unknown) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

function limiter(options: Partial<RateLimitedLogOptions> = {}) {
  const lines: { level: LimitedLevel; message: string; key: string }[] = [];
  const log = new RateLimitedLog({
    burst: 3,
    intervalMs: 1000,
    clock,
    emit: (level, message, key) => lines.push({ level, message, key }),
    ...options,
  });
  return { log, lines, messages: () => lines.map((l) => l.message) };
}

describe('RateLimitedLog', () => {
  it('passes a burst, suppresses the rest, and summarises once at the end of the window', () => {
    const { log, messages, lines } = limiter();
    const passed = Array.from({ length: 10 }, (_, i) => log.log('out', 'info', `line ${i}`));
    expect(passed).toEqual([true, true, true, false, false, false, false, false, false, false]);
    expect(messages()).toEqual(['line 0', 'line 1', 'line 2']);
    expect(log.suppressed).toBe(7);
    vi.advanceTimersByTime(999);
    expect(lines).toHaveLength(3);
    vi.advanceTimersByTime(1);
    expect(lines.at(-1)).toEqual({
      level: 'warn',
      key: 'out',
      message: '[spindle] 7 similar lines suppressed (out: more than 3 in 1 s)',
    });
    // A new window: the next burst passes again.
    expect(log.log('out', 'info', 'again')).toBe(true);
    expect(lines.at(-1)?.message).toBe('again');
  });

  it('keeps keys apart: one flood does not silence another source', () => {
    const { log, messages } = limiter();
    for (let i = 0; i < 50; i++) log.log('flood', 'warn', `f${i}`);
    expect(log.log('quiet', 'error', 'still heard')).toBe(true);
    expect(messages()).toContain('still heard');
  });

  it('starts a window afresh after a quiet interval, without any timer or summary', () => {
    const { log, lines } = limiter();
    for (let i = 0; i < 3; i++) log.log('out', 'info', `a${i}`);
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(1000);
    for (let i = 0; i < 3; i++) expect(log.log('out', 'info', `b${i}`)).toBe(true);
    expect(lines).toHaveLength(6);
    expect(lines.some((l) => l.message.includes('suppressed'))).toBe(false);
  });

  it('says "1 similar line" for one', () => {
    const { log, messages } = limiter({ burst: 1 });
    log.log('k', 'info', 'a');
    log.log('k', 'info', 'b');
    vi.advanceTimersByTime(1000);
    expect(messages().at(-1)).toBe('[spindle] 1 similar line suppressed (k: more than 1 in 1 s)');
  });

  it('admit counts without building the line', () => {
    const { log, messages } = limiter({ burst: 2 });
    expect([log.admit('k'), log.admit('k'), log.admit('k')]).toEqual([true, true, false]);
    vi.advanceTimersByTime(1000);
    expect(messages()).toEqual(['[spindle] 1 similar line suppressed (k: more than 2 in 1 s)']);
  });

  it('bounds the keys it tracks: beyond maxKeys they share one bucket', () => {
    const { log, lines } = limiter({ maxKeys: 2, burst: 1 });
    log.log('a', 'info', 'a');
    log.log('b', 'info', 'b');
    log.log('c', 'info', 'c');
    log.log('d', 'info', 'd');
    vi.advanceTimersByTime(1000);
    // c passes as the overflow bucket's first line, d is counted in it.
    expect(lines.map((l) => l.key)).toEqual(['a', 'b', 'c', OVERFLOW_KEY]);
    expect(lines.at(-1)?.message).toContain(`(${OVERFLOW_KEY}: more than 1 in 1 s)`);
    // Once the old windows are over, new keys get their own bucket again.
    log.log('e', 'info', 'e');
    expect(lines.at(-1)?.key).toBe('e');
  });

  it('close emits what is owed and suppresses everything after it, with no timer left', () => {
    const { log, messages } = limiter({ burst: 1 });
    log.log('k', 'info', 'a');
    log.log('k', 'info', 'b');
    log.close();
    expect(messages()).toEqual([
      'a',
      '[spindle] 1 similar line suppressed (k: more than 1 in 1 s)',
    ]);
    expect(vi.getTimerCount()).toBe(0);
    expect(log.log('k', 'info', 'late')).toBe(false);
  });
});
