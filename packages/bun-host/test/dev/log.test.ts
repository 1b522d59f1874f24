/**
 * Dev log lines: local time to the millisecond, the extension's tag, warnings and errors marked,
 * one line per line of a message, a colour per extension, and the usual colour switches
 * (`NO_COLOR`, `FORCE_COLOR`, a terminal).
 */
import { describe, expect, it } from 'vitest';
import { clockTime, createDevLogger, shouldColor } from '../../src/dev/log.ts';

const at = new Date(2026, 0, 2, 3, 4, 5, 6);
/** The escape character of ANSI colour codes. */
const ESC = String.fromCharCode(27);

function capture(color: boolean) {
  const lines: Array<[string, string]> = [];
  const logger = createDevLogger({ color, now: () => at, write: (l, s) => lines.push([l, s]) });
  return { logger, lines };
}

describe('dev logger', () => {
  it('prints time, tag and message; warnings and errors are marked and go to stderr', () => {
    const { logger, lines } = capture(false);
    logger.line('info', 'hello', 'built in 3 ms');
    logger.line('warn', 'hello', 'careful');
    logger.line('error', undefined, 'cannot start:\n  because');
    logger({ level: 'info', source: 'stderr', extensionId: 'hello', message: 'raw stderr' });
    logger({ level: 'info', source: 'runtime', extensionId: 'hello', message: 'log.info' });
    expect(lines).toEqual([
      ['03:04:05.006 [hello] built in 3 ms', 'stdout'],
      ['03:04:05.006 [hello] warn careful', 'stderr'],
      ['03:04:05.006 [spindle-dev] error cannot start:', 'stderr'],
      ['03:04:05.006 [spindle-dev] error   because', 'stderr'],
      ['03:04:05.006 [hello] raw stderr', 'stderr'],
      ['03:04:05.006 [hello] log.info', 'stdout'],
    ]);
    expect(logger.color).toBe(false);
  });

  it('colours: the time dimmed, each extension its own tag colour, errors red', () => {
    const { logger, lines } = capture(true);
    logger.line('info', 'alpha', 'a');
    logger.line('info', 'alpha', 'b');
    logger.line('error', 'alpha', 'bad');
    const [first, second, third] = lines.map(([line]) => line);
    expect(first).toMatch(
      new RegExp(
        `^${ESC}\\[2m03:04:05\\.006${ESC}\\[22m ${ESC}\\[9?[2-6]m\\[alpha\\]${ESC}\\[39m a$`,
      ),
    );
    // The same extension keeps its colour.
    expect(first?.slice(0, -1)).toBe(second?.slice(0, -1));
    expect(third).toContain(`${ESC}[31merror bad${ESC}[39m`);
    // Different extensions are told apart (at least some of a handful).
    const tags = new Set(
      ['alpha', 'beta', 'gamma', 'delta', 'chat_peek'].map((id) => {
        const c = capture(true);
        c.logger.line('info', id, 'x');
        return new RegExp(`${ESC}\\[(\\d+)m\\[`).exec(c.lines[0]?.[0] ?? '')?.[1];
      }),
    );
    expect(tags.size).toBeGreaterThan(1);
  });

  it('NO_COLOR wins, FORCE_COLOR forces, otherwise a terminal decides', () => {
    expect(shouldColor({ NO_COLOR: '1', FORCE_COLOR: '1' }, true)).toBe(false);
    expect(shouldColor({ FORCE_COLOR: '1' }, false)).toBe(true);
    expect(shouldColor({ FORCE_COLOR: '0' }, true)).toBe(false);
    expect(shouldColor({ NO_COLOR: '' }, true)).toBe(true);
    expect(shouldColor({}, false)).toBe(false);
  });

  it('clockTime pads every field', () => {
    expect(clockTime(new Date(2026, 0, 1, 9, 8, 7, 65))).toBe('09:08:07.065');
  });
});
