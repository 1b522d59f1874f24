/** WebSocket close reasons: at most 123 bytes of UTF-8 (RFC 6455 §5.5). */

/** Longest close reason a WebSocket close frame can carry. */
export const MAX_CLOSE_REASON_BYTES = 123;

/** Cuts `text` to at most `maxBytes` of UTF-8 without splitting a character. */
export function cutUtf8(text: string, maxBytes = MAX_CLOSE_REASON_BYTES): string {
  const encoder = new TextEncoder();
  if (encoder.encode(text).length <= maxBytes) return text;
  let out = '';
  let bytes = 0;
  for (const char of text) {
    const size = encoder.encode(char).length;
    if (bytes + size > maxBytes - 3) break;
    out += char;
    bytes += size;
  }
  return `${out}...`;
}
