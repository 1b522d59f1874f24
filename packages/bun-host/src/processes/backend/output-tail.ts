/** A bounded tail of a child's stderr, for exit reports. */

/** Keeps roughly the last `maxChars` characters of the lines pushed into it. */
export class OutputTail {
  #text = '';

  /** @param maxChars size of the tail @default 4096 */
  constructor(readonly maxChars = 4096) {}

  /** Appends one line. */
  push(line: string): void {
    this.#text = `${this.#text}${line}\n`;
    if (this.#text.length > this.maxChars * 2) this.#text = this.#text.slice(-this.maxChars);
  }

  /** The tail, without its last newline. */
  toString(): string {
    return this.#text.slice(-this.maxChars).replace(/\n$/, '');
  }
}
