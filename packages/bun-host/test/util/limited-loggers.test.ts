/** Process supervision's log and the hub's error reports, rate-limited per source. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ProcessLogRecord } from '../../src/processes/logger.ts';
import {
  rateLimitedErrorReporter,
  rateLimitedProcessLogger,
} from '../../src/util/limited-loggers.ts';

const clock = {
  now: () => Date.now(),
  setTimeout: (callback: () => void, ms: number) => setTimeout(callback, ms),
  clearTimeout: (handle: unknown) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('rateLimitedProcessLogger', () => {
  it('limits one process output flood without silencing other extensions or warnings', () => {
    const records: ProcessLogRecord[] = [];
    const log = rateLimitedProcessLogger((r) => records.push(r), clock, {
      burst: 2,
      intervalMs: 1000,
    });
    for (let i = 0; i < 10; i++) {
      log({
        level: 'info',
        message: `line ${i}`,
        extensionId: 'a',
        processId: 'p',
        stream: 'stdout',
      });
    }
    log({ level: 'info', message: 'other', extensionId: 'b', processId: 'q', stream: 'stdout' });
    log({ level: 'warn', message: 'malformed message from the child (1/5): x', extensionId: 'a' });
    vi.advanceTimersByTime(1000);
    expect(records.map((r) => r.message)).toEqual([
      'line 0',
      'line 1',
      'other',
      'malformed message from the child (1/5): x',
      '[spindle] 8 similar lines suppressed (a process output: more than 2 in 1 s)',
    ]);
  });
});

describe('rateLimitedErrorReporter', () => {
  it('limits per error code', () => {
    const reported: unknown[] = [];
    const report = rateLimitedErrorReporter((e) => reported.push(e), clock, {
      burst: 1,
      intervalMs: 1000,
    });
    const tooLarge = Object.assign(new Error('too large'), { code: 'FRAME_TOO_LARGE' });
    for (let i = 0; i < 5; i++) report(tooLarge);
    report(new TypeError('other'));
    vi.advanceTimersByTime(1000);
    expect(reported).toEqual([
      tooLarge,
      expect.any(TypeError),
      '[spindle] 4 similar lines suppressed (FRAME_TOO_LARGE: more than 1 in 1 s)',
    ]);
  });
});
