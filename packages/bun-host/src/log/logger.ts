/**
 * The host's structured log (docs/operations.md, "Logs"): every `HostLogEntry` becomes one pino
 * record, written as a JSON line (`time`, `level`, `msg`, `extension`, `mode`, `pid`, `event`,
 * `source` and the event's own fields) or, for a terminal, through pino-pretty. The logger is one
 * `HostLogEntry` sink, so anything that wants to filter or summarise lines (a rate limiter) wraps
 * it as a function of the same shape.
 */
import pino, { type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';
import type { HostLogEntry, HostLogLevel } from '../host-types.ts';

/** A level threshold: lines below it are not written; `silent` writes none. */
export type LogThreshold = HostLogLevel | 'silent';

/** Every threshold, least severe first. */
export const LOG_THRESHOLDS: readonly LogThreshold[] = ['debug', 'info', 'warn', 'error', 'silent'];

/** How lines are written. */
export type LogFormat = 'json' | 'pretty';

/** Options of `createHostLogger`. */
export interface HostLoggerOptions {
  /** Lowest level written. @default "info" */
  level?: LogThreshold;
  /** `json`: one JSON object per line; `pretty`: coloured text for a terminal. @default "json" */
  format?: LogFormat;
  /** Colours in `pretty` format. @default true when the destination is a terminal */
  colorize?: boolean;
  /** Where lines go (a file descriptor or a stream). @default 1 (stdout) */
  destination?: number | DestinationStream;
}

/** A `HostLogEntry` sink whose level can change while it runs (SIGHUP). */
export interface HostLogger {
  (entry: HostLogEntry): void;
  /** The threshold now. */
  level: LogThreshold;
  /** Writes what is buffered (pino writes synchronously here; a no-op kept for callers). */
  flush(): void;
}

/** Creates the structured logger of a host. */
export function createHostLogger(options: HostLoggerOptions = {}): HostLogger {
  const destination = options.destination ?? 1;
  const format = options.format ?? 'json';
  const stream: DestinationStream =
    format === 'pretty'
      ? pretty({
          sync: true,
          destination,
          colorize:
            options.colorize ?? (typeof destination === 'number' && Boolean(process.stdout.isTTY)),
          messageFormat: '{if extension}[{extension}] {end}{msg}',
          ignore: 'extension,source',
          translateTime: 'SYS:HH:MM:ss.l',
        })
      : typeof destination === 'number'
        ? pino.destination({ fd: destination, sync: true })
        : destination;
  const logger: Logger = pino(
    {
      level: options.level ?? 'info',
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    stream,
  );
  const sink = ((entry: HostLogEntry) => {
    if (!logger.isLevelEnabled(entry.level)) return;
    logger[entry.level](recordOf(entry), entry.message);
  }) as HostLogger;
  Object.defineProperty(sink, 'level', {
    get: () => logger.level as LogThreshold,
    set: (level: LogThreshold) => {
      logger.level = level;
    },
  });
  sink.flush = () => logger.flush();
  return sink;
}

/** The fields of one record (the message goes separately). */
function recordOf(entry: HostLogEntry): Record<string, unknown> {
  return {
    ...(entry.data ?? {}),
    ...(entry.extensionId === undefined ? {} : { extension: entry.extensionId }),
    ...(entry.runtimeMode === undefined ? {} : { mode: entry.runtimeMode }),
    pid: entry.pid ?? process.pid,
    ...(entry.event === undefined ? {} : { event: entry.event }),
    source: entry.source,
  };
}
