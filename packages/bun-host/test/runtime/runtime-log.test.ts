/**
 * The bounded log of one extension on a fake clock: output shares one rate limit and is cut
 * into marked pieces; host warnings are limited per kind; summaries say what was suppressed.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CONTINUATION_MARK, CONTINUES_MARK } from '../../src/runtime/lines.ts';
import { createRuntimeLog, cutPieces, warningKey } from '../../src/runtime/runtime-log.ts';

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

describe('cutPieces', () => {
  it('keeps a text that fits whole, newlines included', () => {
    expect(cutPieces('a\nb', 16)).toEqual(['a\nb']);
  });

  it('cuts by bytes of UTF-8 without splitting a character, and marks the pieces', () => {
    const pieces = cutPieces('€€€😀😀a', 7); // 3 + 3 + 3 + 4 + 4 + 1 bytes
    expect(pieces).toEqual([
      `€€${CONTINUES_MARK}`,
      `${CONTINUATION_MARK}€😀${CONTINUES_MARK}`,
      `${CONTINUATION_MARK}😀a`,
    ]);
  });
});

describe('warningKey', () => {
  it('is the text up to the first colon, bounded', () => {
    expect(warningKey('sendToFrontend refused: no frontend session s-9')).toBe(
      'sendToFrontend refused',
    );
    expect(warningKey('x'.repeat(100))).toHaveLength(60);
  });
});

describe('createRuntimeLog', () => {
  it('output shares one budget across stdout, stderr and spindle.log; warnings keep their own', () => {
    const lines: string[] = [];
    const log = createRuntimeLog(
      { logBurst: 3, logIntervalMs: 1000, maxLogLineBytes: 64 },
      timers,
      (level, message, source) => lines.push(`${source}/${level}: ${message}`),
    );
    log.output('info', 'one', 'stdout');
    log.output('warn', 'two', 'stderr');
    expect(log.admitOutput()).toBe(true); // a third line read from a stream
    log.output('info', 'four', 'runtime');
    for (let i = 0; i < 100; i++) log.warning('warn', `rejected a message from the runtime: #${i}`);
    log.warning('warn', 'sendToFrontend refused: nobody');
    vi.advanceTimersByTime(1000);
    expect(lines).toEqual([
      'stdout/info: one',
      'stderr/warn: two',
      'host/warn: rejected a message from the runtime: #0',
      'host/warn: rejected a message from the runtime: #1',
      'host/warn: rejected a message from the runtime: #2',
      'host/warn: sendToFrontend refused: nobody',
      'host/warn: [spindle] 1 similar line suppressed (runtime output: more than 3 in 1 s)',
      'host/warn: [spindle] 97 similar lines suppressed (rejected a message from the runtime: more than 3 in 1 s)',
    ]);
  });
});
