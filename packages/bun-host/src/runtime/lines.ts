/**
 * Line splitting of a child's output stream, bounded: a line longer than `maxLineBytes` (a
 * runtime that writes hundreds of megabytes without a newline) is cut into pieces of at most
 * that many bytes, on a character boundary, each marked as continued; the host never holds
 * more than one piece of a line. Lines are found in the bytes (a native `indexOf`), and a piece
 * is decoded only when the caller admits it, so a flood that a rate limit suppresses costs no
 * decoding. Also: a bounded tail of recent lines.
 */

/** Longest piece of a line logged at once, in bytes of UTF-8 (journald's `LineMax` is 48K). */
export const DEFAULT_MAX_LINE_BYTES = 16 * 1024;

/** Appended to a piece of a line that goes on in the next piece. */
export const CONTINUES_MARK = ' [line continues]';

/** Put in front of a piece that continues the previous one. */
export const CONTINUATION_MARK = '[continued] ';

/** Where a piece sits in its line. */
export type PieceKind = 'whole' | 'first' | 'middle' | 'last';

const NEWLINE = 10;
const CARRIAGE_RETURN = 13;

/**
 * Splits a byte stream into lines of at most `maxLineBytes` (see the module comment). The bytes
 * handed to `onPiece` are a view that is only valid during the call; they never include the
 * newline, nor the `\r` of a `\r\n`.
 */
export class LineSplitter {
  readonly #max: number;
  readonly #onPiece: (bytes: Uint8Array, kind: PieceKind) => void;
  #pending: Uint8Array | undefined;
  #length = 0;
  /** A piece of the current line has already gone out. */
  #continued = false;

  /**
   * @param maxLineBytes longest piece in bytes (at least 4, so a character always fits).
   *   @default DEFAULT_MAX_LINE_BYTES
   */
  constructor(
    onPiece: (bytes: Uint8Array, kind: PieceKind) => void,
    maxLineBytes = DEFAULT_MAX_LINE_BYTES,
  ) {
    this.#onPiece = onPiece;
    this.#max = Math.max(4, Math.floor(maxLineBytes));
  }

  /** Feeds the next chunk of the stream. */
  push(chunk: Uint8Array): void {
    let from = 0;
    while (from < chunk.length) {
      const newline = chunk.indexOf(NEWLINE, from);
      if (newline === -1) {
        this.#segment(chunk, from, chunk.length, false);
        return;
      }
      this.#segment(chunk, from, newline, true);
      from = newline + 1;
    }
  }

  /** The stream ended: a last line without a newline still goes out. */
  end(): void {
    if (this.#length > 0 || this.#continued) this.#final(this.#buffer().subarray(0, this.#length));
    this.#length = 0;
  }

  /** Bytes `[from, end)` of `chunk` belong to the current line; `terminated`: a newline follows. */
  #segment(chunk: Uint8Array, from: number, end: number, terminated: boolean): void {
    const max = this.#max;
    let at = from;
    if (this.#length === 0) {
      // Nothing held: cut pieces straight from the chunk, copy only an unfinished rest.
      while (end - at > max) {
        const cut = charBoundary(chunk, at, at + max);
        this.#piece(chunk.subarray(at, cut));
        at = cut;
      }
      if (terminated) {
        this.#final(chunk.subarray(at, end));
        return;
      }
      this.#buffer().set(chunk.subarray(at, end), 0);
      this.#length = end - at;
      return;
    }
    const pending = this.#buffer();
    while (at < end) {
      if (this.#length === max) {
        const cut = charBoundary(pending, 0, max);
        this.#piece(pending.subarray(0, cut));
        pending.copyWithin(0, cut, max);
        this.#length = max - cut;
      }
      const take = Math.min(max - this.#length, end - at);
      pending.set(chunk.subarray(at, at + take), this.#length);
      this.#length += take;
      at += take;
    }
    if (terminated) {
      this.#final(pending.subarray(0, this.#length));
      this.#length = 0;
    }
  }

  #piece(bytes: Uint8Array): void {
    this.#onPiece(bytes, this.#continued ? 'middle' : 'first');
    this.#continued = true;
  }

  #final(bytes: Uint8Array): void {
    const length = bytes.length;
    const line =
      length > 0 && bytes[length - 1] === CARRIAGE_RETURN ? bytes.subarray(0, length - 1) : bytes;
    this.#onPiece(line, this.#continued ? 'last' : 'whole');
    this.#continued = false;
  }

  #buffer(): Uint8Array {
    this.#pending ??= new Uint8Array(this.#max);
    return this.#pending;
  }
}

/**
 * The end of the longest prefix of `bytes[start, end)` that does not stop inside a UTF-8
 * character (a malformed tail is cut where it is).
 */
function charBoundary(bytes: Uint8Array, start: number, end: number): number {
  let lead = end - 1;
  while (lead > start && ((bytes[lead] as number) & 0xc0) === 0x80) lead -= 1;
  const byte = bytes[lead] as number;
  const size = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
  return lead + size > end && lead > start ? lead : end;
}

/** Options of `readLines`. */
export interface ReadLinesOptions {
  /** Longest piece of a line, in bytes. @default DEFAULT_MAX_LINE_BYTES */
  maxLineBytes?: number;
  /**
   * Asked once per piece before it is decoded: false drops it (a rate limit that counts it).
   * @default every piece is admitted
   */
  admit?: () => boolean;
  /** Receives the start of every piece, admitted or not (the stderr tail of a failure). */
  tail?: LineTail;
}

/**
 * Reads `stream` as UTF-8 and calls `onLine` per admitted piece of a line (see the module
 * comment; a cut line's pieces carry `CONTINUES_MARK` / `CONTINUATION_MARK`); resolves at EOF.
 */
export async function readLines(
  stream: ReadableStream<Uint8Array>,
  onLine: (line: string) => void,
  options: ReadLinesOptions = {},
): Promise<void> {
  const decoder = new TextDecoder();
  const { admit, tail } = options;
  const splitter = new LineSplitter((bytes, kind) => {
    tail?.push(decoder.decode(bytes.subarray(0, tail.maxLineChars + 1)));
    if (admit !== undefined && !admit()) return;
    let line = decoder.decode(bytes);
    if (kind === 'middle' || kind === 'last') line = CONTINUATION_MARK + line;
    if (kind === 'first' || kind === 'middle') line += CONTINUES_MARK;
    onLine(line);
  }, options.maxLineBytes);
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      splitter.push(value);
    }
  } catch {
    // The stream breaks when the child is killed; whatever was read is already delivered.
  } finally {
    splitter.end();
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
