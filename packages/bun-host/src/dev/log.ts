/**
 * Log lines of `spindle-host dev`: every line starts with the local time (to the millisecond)
 * and the extension it is about, each extension in a colour of its own, warnings and errors
 * marked; information goes to stdout, warnings and errors to stderr. Colours follow the usual
 * conventions: `NO_COLOR` turns them off, `FORCE_COLOR` (other than `0`) on, otherwise they are
 * on when the stream is a terminal.
 */
import type { LogLevel } from '@spindle/types';
import type { HostLogEntry } from '../host.ts';

const ESC = '\u001b[';
const paint = (code: number, reset: number) => (text: string) =>
  `${ESC}${code}m${text}${ESC}${reset}m`;
const dim = paint(2, 22);
const bold = paint(1, 22);
const red = paint(31, 39);
const yellow = paint(33, 39);
/** Tag colours, picked by a hash of the identifier (red and yellow mean trouble, so not here). */
const TAG_COLOURS = [36, 35, 34, 32, 96, 95, 94, 92].map((code) => paint(code, 39));

/** Options of `createDevLogger`. */
export interface DevLoggerOptions {
  /** Colour the output. @default NO_COLOR / FORCE_COLOR, else whether stdout is a terminal */
  color?: boolean;
  /**
   * Where a finished line goes. @default stdout for information, stderr for warnings, errors
   * and a runtime's own stderr output
   */
  write?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** The clock of the timestamps. @default () => new Date() */
  now?: () => Date;
}

/** A logger of the dev loop; usable as the host's `logger` as it is. */
export interface DevLogger {
  /** A host log entry (the host's `logger` option). */
  (entry: HostLogEntry): void;
  /** A line about `extensionId` (or the dev host itself when undefined). */
  line(
    level: LogLevel,
    extensionId: string | undefined,
    message: string,
    stream?: 'stdout' | 'stderr',
  ): void;
  /** Whether lines are coloured. */
  readonly color: boolean;
}

/** Whether to colour output written to a stream, by `NO_COLOR` / `FORCE_COLOR` and the terminal. */
export function shouldColor(
  env: Record<string, string | undefined> = process.env,
  isTTY: boolean = Boolean(process.stdout.isTTY),
): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0';
  return isTTY;
}

function tagColour(id: string): (text: string) => string {
  let hash = 0;
  for (const char of id) hash = (hash * 31 + (char.codePointAt(0) ?? 0)) >>> 0;
  return TAG_COLOURS[hash % TAG_COLOURS.length] as (text: string) => string;
}

const pad = (value: number, width = 2) => String(value).padStart(width, '0');

/** `HH:MM:SS.mmm` in local time. */
export function clockTime(date: Date): string {
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

/** Creates the logger (see the module comment). */
export function createDevLogger(options: DevLoggerOptions = {}): DevLogger {
  const color = options.color ?? shouldColor();
  const now = options.now ?? (() => new Date());
  const write =
    options.write ??
    ((line: string, stream: 'stdout' | 'stderr') => {
      (stream === 'stdout' ? process.stdout : process.stderr).write(`${line}\n`);
    });
  const line = (
    level: LogLevel,
    extensionId: string | undefined,
    message: string,
    stream: 'stdout' | 'stderr' = level === 'info' ? 'stdout' : 'stderr',
  ) => {
    const time = clockTime(now());
    const tag = `[${extensionId ?? 'spindle-dev'}]`;
    const mark = level === 'info' ? '' : `${level} `;
    for (const text of message.split('\n')) {
      if (!color) {
        write(`${time} ${tag} ${mark}${text}`, stream);
        continue;
      }
      const coloured = extensionId === undefined ? bold(tag) : tagColour(extensionId)(tag);
      const marked =
        level === 'error'
          ? red(`${mark}${text}`)
          : level === 'warn'
            ? yellow(`${mark}${text}`)
            : text;
      write(`${dim(time)} ${coloured} ${marked}`, stream);
    }
  };
  const logger = ((entry: HostLogEntry) => {
    // The host's debug lines stay out of the author's terminal, as at the default log level.
    if (entry.level === 'debug') return;
    const stream = entry.level === 'info' && entry.source !== 'stderr' ? 'stdout' : 'stderr';
    line(entry.level, entry.extensionId, entry.message, stream);
  }) as DevLogger;
  Object.defineProperty(logger, 'line', { value: line });
  Object.defineProperty(logger, 'color', { value: color });
  return logger;
}
