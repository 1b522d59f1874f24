/**
 * The host server's per-connection rate limit as the stack benchmarks set it. At the shipped
 * `maxFramesPerSecond` (500/s, burst 1000) the bridge paces a tab at 90 % of it, so a tab that
 * sends faster than ~450 messages/s — back-to-back round trips do — waits 1/450 s per message
 * once its first ~500 tokens are spent: the row would measure the limit, not the stack. The
 * benchmarks that measure latency or capacity raise it (and say so in their label); the
 * `-default-limits` rows keep the shipped value.
 */

/** Raised `maxFramesPerSecond`: far above what one loopback tab can send. */
export const RAISED_FRAMES_PER_SECOND = 1_000_000;

/** How a row's label names the raised limit. */
export const RAISED_LIMIT_NOTE = `server limit raised to ${RAISED_FRAMES_PER_SECOND} frames/s`;
