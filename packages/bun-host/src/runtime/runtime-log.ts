/**
 * The log of one extension, bounded: its runtime's output (stdout, stderr, `spindle.log`, a
 * worker's console) shares one rate limit (`logBurst` lines per `logIntervalMs`), each line cut
 * to `maxLogLineBytes`; the host's own warnings about it (refused messages, dropped sends) are
 * limited per kind of warning, so a runtime or a client that makes the host refuse something a
 * hundred thousand times gets one line per kind and window, then an `N similar lines
 * suppressed` summary. Lifecycle lines (state changes, exits) never pass through here.
 */
import type { LogLevel } from '@spindle/types';
import { RateLimitedLog } from '../util/rate-limited-log.ts';
import type { RuntimeLimits } from './limits.ts';
import { CONTINUATION_MARK, CONTINUES_MARK } from './lines.ts';
import type { Timers } from './types.ts';

/** Where a line comes from (as `HostLogEntry.source`). */
export type LogSource = 'runtime' | 'stdout' | 'stderr' | 'host';

/** The rate-limit key of a runtime's output. */
export const OUTPUT_KEY = 'runtime output';

/** Longest key taken from a warning's text. */
const MAX_KEY_CHARS = 60;

/** The bounded log of one extension (see the module comment). */
export interface RuntimeLog {
  /** A line of the runtime's output: cut to the line limit, each piece rate-limited. */
  output(level: LogLevel, message: string, source: LogSource): void;
  /** Counts one output line read from a stream (decoded and logged only when admitted). */
  admitOutput(): boolean;
  /** A warning of the host about the extension, limited per kind (its text up to the first `:`). */
  warning(level: LogLevel, message: string): void;
  /** Emits the summaries owed (the extension stops). */
  flush(): void;
}

/** Builds the bounded log over `log` (the host's, tagged with the extension by the caller). */
export function createRuntimeLog(
  limits: Pick<RuntimeLimits, 'logBurst' | 'logIntervalMs' | 'maxLogLineBytes'>,
  timers: Timers,
  log: (level: LogLevel, message: string, source: LogSource) => void,
): RuntimeLog {
  const limiter = new RateLimitedLog({
    burst: limits.logBurst,
    intervalMs: limits.logIntervalMs,
    clock: timers,
    emit: (level, message) => log(level, message, 'host'),
  });
  return {
    output(level, message, source) {
      for (const piece of cutPieces(message, limits.maxLogLineBytes)) {
        if (limiter.admit(OUTPUT_KEY)) log(level, piece, source);
      }
    },
    admitOutput: () => limiter.admit(OUTPUT_KEY),
    warning(level, message) {
      limiter.log(warningKey(message), level, message);
    },
    flush: () => limiter.flush(),
  };
}

/** The kind of a warning: its text up to the first `:` (or the first characters). */
export function warningKey(message: string): string {
  const colon = message.indexOf(':');
  const head = colon > 0 ? message.slice(0, colon) : message;
  return head.length > MAX_KEY_CHARS ? head.slice(0, MAX_KEY_CHARS) : head;
}

/**
 * `text` cut into pieces of at most `maxBytes` bytes of UTF-8, never inside a character, marked
 * like the pieces of a long output line; a text that fits is returned whole (newlines kept).
 */
export function cutPieces(text: string, maxBytes: number): string[] {
  if (text.length * 3 <= maxBytes) return [text];
  const pieces: string[] = [];
  let start = 0;
  let bytes = 0;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    const pair = c >= 0xd800 && c <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
    const size = c < 0x80 ? 1 : c < 0x800 ? 2 : pair ? 4 : 3;
    if (bytes + size > maxBytes) {
      pieces.push(text.slice(start, i));
      start = i;
      bytes = 0;
    }
    bytes += size;
    if (pair) i += 1;
  }
  pieces.push(text.slice(start));
  if (pieces.length === 1) return pieces;
  return pieces.map((piece, index) => {
    const head = index === 0 ? '' : CONTINUATION_MARK;
    const tail = index === pieces.length - 1 ? '' : CONTINUES_MARK;
    return `${head}${piece}${tail}`;
  });
}
