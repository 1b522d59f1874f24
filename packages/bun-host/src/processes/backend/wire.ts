/**
 * Branding of the host ↔ backend subprocess channel. Both ends add `__spindle: 1` to what they
 * send and refuse what arrives without it, so data an entry posts on the IPC channel by itself
 * (`process.send`) is never taken for a protocol message. Imported by the child too: no runtime
 * dependencies.
 */

/** Brand value of internal traffic. */
export const SPINDLE_BRAND = 1;

/** Adds the brand to an outgoing message. */
export function brandMessage<T extends object>(message: T): T & { __spindle: 1 } {
  return { ...message, __spindle: SPINDLE_BRAND };
}

/** The message without its brand, or why it was refused. */
export function unbrandMessage(
  raw: unknown,
): { ok: true; value: Record<string, unknown> } | { ok: false; reason: string } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, reason: `not an object (${raw === null ? 'null' : typeof raw})` };
  }
  const { __spindle: brand, ...rest } = raw as Record<string, unknown>;
  if (brand !== SPINDLE_BRAND) return { ok: false, reason: 'unbranded message' };
  return { ok: true, value: rest };
}

/**
 * Variable that carries `init` into a child when it is small enough (`INIT_ENV_MAX_BYTES`): the
 * child reads it before anything else and starts at once, instead of waiting a turn of its
 * loop for the first IPC message. The child removes it from `process.env` so nothing the entry
 * starts inherits it. A larger `init` travels as the first IPC message, as before.
 */
export const INIT_ENV = 'SPINDLE_PROCESS_INIT';

/** Largest serialized `init` passed in `INIT_ENV` (Linux caps one variable at 128 KiB). */
export const INIT_ENV_MAX_BYTES = 32 * 1024;
