/**
 * The last lines a child wrote to stderr, kept so that every AdapterError can
 * show them: a failing child's `error` quotes what it said. Bounded
 * by characters as well as lines, so a child that floods stderr costs nothing.
 */
export class StderrTail {
  private text = '';

  constructor(
    /** How many lines {@link StderrTail.lines} returns. */
    readonly maxLines = 20,
    /** How many characters are kept at most (and per line when rendered). */
    readonly maxChars = 8192,
  ) {}

  /** Appends a chunk of stderr output. */
  push(chunk: string): void {
    this.text += chunk;
    if (this.text.length > 2 * this.maxChars) this.text = this.text.slice(-this.maxChars);
  }

  /** The last `maxLines` non-empty lines, each cut to 500 characters. */
  lines(): string[] {
    const all = this.text
      .slice(-this.maxChars)
      .split(/\r?\n/)
      .filter((line) => line.trim() !== '');
    return all.slice(-this.maxLines).map((line) => (line.length > 500 ? `${line.slice(0, 500)}...` : line));
  }

  /** The tail as one string, lines joined with `\n` ('' when the child wrote nothing). */
  toString(): string {
    return this.lines().join('\n');
  }
}
