/** Line splitting of a child's output stream and a bounded tail of recent lines. */

/** Reads `stream` as UTF-8 and calls `onLine` per line (without its newline); resolves at EOF. */
export async function readLines(
  stream: ReadableStream<Uint8Array>,
  onLine: (line: string) => void,
): Promise<void> {
  const decoder = new TextDecoder();
  let buffer = '';
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let newline = buffer.indexOf('\n');
      while (newline >= 0) {
        onLine(buffer.slice(0, newline).replace(/\r$/, ''));
        buffer = buffer.slice(newline + 1);
        newline = buffer.indexOf('\n');
      }
    }
    buffer += decoder.decode();
    if (buffer.length > 0) onLine(buffer);
  } catch {
    // The stream breaks when the child is killed; whatever was read is already delivered.
  } finally {
    reader.releaseLock();
  }
}

/** Keeps the last `maxLines` lines (each cut to `maxLineChars`). */
export class LineTail {
  readonly #lines: string[] = [];

  constructor(
    readonly maxLines = 20,
    readonly maxLineChars = 500,
  ) {}

  /** Adds one line, dropping the oldest past `maxLines`. */
  push(line: string): void {
    this.#lines.push(
      line.length > this.maxLineChars ? `${line.slice(0, this.maxLineChars)}…` : line,
    );
    if (this.#lines.length > this.maxLines) this.#lines.shift();
  }

  /** The kept lines joined by newlines. */
  toString(): string {
    return this.#lines.join('\n');
  }
}
