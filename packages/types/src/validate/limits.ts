/**
 * Size limits the validators hold to. Names are bounded so that a hostile peer cannot make the
 * host keep, log or echo megabytes of "identifier"; payloads are bounded by the message size.
 */

/**
 * Longest id: `processId`, `extensionId`, `requestId`, `userId`, `frontendSessionId`, a manifest
 * `identifier`. Ids are also non-empty.
 * @default 256
 */
export const MAX_ID_LENGTH = 256;

/**
 * Longest process `kind`. A kind is also non-empty after trimming.
 * @default 256
 */
export const MAX_KIND_LENGTH = 256;

/**
 * Longest dedupe `key` (may be empty).
 * @default 1024
 */
export const MAX_KEY_LENGTH = 1024;

/**
 * Longest auth token in `hello.token` (may be empty when the host does not authenticate).
 * @default 16384
 */
export const MAX_TOKEN_LENGTH = 16_384;

/**
 * Longest backend subprocess `entry` path.
 * @default 1024
 */
export const MAX_ENTRY_LENGTH = 1024;

/**
 * Largest runtime ↔ host and host ↔ subprocess message, in bytes of UTF-8 JSON. Measured exactly
 * on a string or bytes before parsing, and on an already-parsed object by a walk that computes
 * the size `JSON.stringify` would produce. Spawn options are held to the same bound.
 * @default 16777216 (16 MiB)
 */
export const MAX_IPC_MESSAGE_BYTES = 16 * 1024 * 1024;

/**
 * Largest `spindle.json`, in bytes.
 * @default 262144 (256 KiB)
 */
export const MAX_MANIFEST_BYTES = 256 * 1024;

/**
 * Deepest nesting of arrays and objects in an already-parsed input (payloads included).
 * @default 256
 */
export const MAX_JSON_DEPTH = 256;
