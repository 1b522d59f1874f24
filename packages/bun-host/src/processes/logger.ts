/** The logging seam of process supervision: one record per line, tagged with its origin. */

/** One log record. */
export interface ProcessLogRecord {
  level: 'info' | 'warn' | 'error';
  message: string;
  /** Extension the record is about. */
  extensionId?: string;
  /** Process the record is about. */
  processId?: string;
  /** Set when the record is a line the process wrote. */
  stream?: 'stdout' | 'stderr';
}

/** Receives log records; must not throw (errors it throws are swallowed). */
export type ProcessLogger = (record: ProcessLogRecord) => void;

/** Default logger: one line on stderr per record. */
export const consoleProcessLogger: ProcessLogger = (record) => {
  const origin = [record.extensionId, record.processId, record.stream].filter(Boolean).join('/');
  console.error(`[spindle:${record.level}]${origin ? ` [${origin}]` : ''} ${record.message}`);
};

/** Wraps a logger so that a throwing one cannot break the caller. */
export function safeLogger(logger: ProcessLogger): ProcessLogger {
  return (record) => {
    try {
      logger(record);
    } catch {
      // Logging is best effort.
    }
  };
}
