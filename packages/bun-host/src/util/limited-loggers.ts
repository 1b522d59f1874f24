/**
 * Rate limits for the two logs outside a runtime that extensions and clients can make the host
 * write to: process supervision's log (backend processes' output and the host's warnings about
 * them) and the hub's error reports (downlinks a runtime sends that cannot go out). Each source
 * (`[extension] process output`, one kind of warning, one error code) gets `DEFAULT_LOG_RATE_LIMIT`
 * lines per window and then one `N similar lines suppressed` summary.
 */
import type { ProcessLogger, ProcessLogRecord } from '../processes/logger.ts';
import {
  DEFAULT_LOG_RATE_LIMIT,
  type LimiterClock,
  type LogRateLimit,
  RateLimitedLog,
} from './rate-limited-log.ts';

/** Longest part of a message used as its kind. */
const MAX_KIND_CHARS = 60;

function kindOf(message: string): string {
  const colon = message.indexOf(':');
  const head = colon > 0 ? message.slice(0, colon) : message;
  return head.length > MAX_KIND_CHARS ? head.slice(0, MAX_KIND_CHARS) : head;
}

/** The key of a process log record: its process's output, or its kind of warning. */
function recordKey(record: ProcessLogRecord): string {
  const who = record.extensionId ?? 'host';
  return record.stream !== undefined ? `${who} process output` : `${who} ${kindOf(record.message)}`;
}

/** `logger`, rate-limited per source (see the module comment). */
export function rateLimitedProcessLogger(
  logger: ProcessLogger,
  clock: LimiterClock,
  limit: LogRateLimit = DEFAULT_LOG_RATE_LIMIT,
): ProcessLogger {
  const limiter = new RateLimitedLog({
    ...limit,
    clock,
    emit: (level, message) => logger({ level, message }),
  });
  return (record) => {
    if (limiter.admit(recordKey(record))) logger(record);
  };
}

/** `report`, rate-limited per error code (or error class): one line per kind and window. */
export function rateLimitedErrorReporter(
  report: (error: unknown) => void,
  clock: LimiterClock,
  limit: LogRateLimit = DEFAULT_LOG_RATE_LIMIT,
): (error: unknown) => void {
  const limiter = new RateLimitedLog({
    ...limit,
    clock,
    emit: (_level, message) => report(message),
  });
  return (error) => {
    const code = (error as { code?: unknown } | null)?.code;
    const name = error instanceof Error ? error.name : typeof error;
    if (limiter.admit(typeof code === 'string' ? code : name)) report(error);
  };
}
