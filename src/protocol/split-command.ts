/** A word of a command line and how many of its first characters were written bare (no quote, no backslash). */
interface Word {
  text: string;
  bare: number;
}

/** The words of a command line, by the rules of {@link splitCommand}; throws its TypeErrors. */
function splitWords(command: string): Word[] {
  if (typeof command !== 'string') throw new TypeError(`command must be a string, got ${typeof command}`);
  const words: Word[] = [];
  let current = '';
  let bare = 0;
  let quotedYet = false;
  let inWord = false;
  let i = 0;
  const fail = (what: string): never => {
    throw new TypeError(`command ${JSON.stringify(command)}: ${what}`);
  };
  const endWord = (): void => {
    if (inWord) words.push({ text: current, bare });
    current = '';
    bare = 0;
    quotedYet = false;
    inWord = false;
  };
  while (i < command.length) {
    const c = command[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      endWord();
      i++;
    } else if (c === "'") {
      const end = command.indexOf("'", i + 1);
      if (end < 0) fail(`unterminated ' quote at position ${i}`);
      current += command.slice(i + 1, end);
      inWord = true;
      quotedYet = true;
      i = end + 1;
    } else if (c === '"') {
      inWord = true;
      quotedYet = true;
      i++;
      for (;;) {
        if (i >= command.length) fail('unterminated " quote');
        const d = command[i]!;
        if (d === '"') break;
        if (d === '\\' && (command[i + 1] === '"' || command[i + 1] === '\\')) {
          current += command[i + 1];
          i += 2;
        } else {
          current += d;
          i++;
        }
      }
      i++;
    } else if (c === '\\') {
      if (i + 1 >= command.length) fail('trailing backslash');
      current += command[i + 1];
      inWord = true;
      quotedYet = true;
      i += 2;
    } else {
      current += c;
      if (!quotedYet) bare++;
      inWord = true;
      i++;
    }
  }
  endWord();
  if (words.length === 0 || words[0]!.text === '') fail('no program to run');
  return words;
}

/**
 * Splits a command line into argv without a shell (docs/protocol.md, "Starting
 * the child"): the child is started with `spawn(argv[0], rest, { shell: false })`,
 * so no globbing, variables, pipes or redirections happen, and a path with spaces
 * cannot be misread as two programs. Rules, a small subset of POSIX sh quoting:
 * - unquoted whitespace separates arguments;
 * - `'...'` is literal (no escapes inside);
 * - `"..."` is literal except `\"` and `\\`;
 * - outside quotes, `\` makes the next character literal;
 * - `''` or `""` gives an empty argument.
 * Throws a TypeError naming the command for an unterminated quote, a trailing
 * backslash or an empty command. Leading `NAME=value` words stay in argv here;
 * {@link parseCommandLine} reads them as sh does.
 */
export function splitCommand(command: string): string[] {
  return splitWords(command).map((w) => w.text);
}

/** A command line read as sh reads it: the leading `NAME=value` assignments, then the program and its arguments. */
export interface CommandLine {
  /** The variables the leading assignments set in the child's environment, in order. */
  env: Record<string, string>;
  argv: string[];
}

/** `NAME=` written bare at the start of a word, as sh requires of an assignment (`"A=1" cmd` runs a program named `A=1`). */
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

/**
 * {@link splitCommand}, then the leading words of the form `NAME=value` (the name
 * unquoted, the value quoted as any word) taken out as environment variables for
 * the child, as `FOO=1 python3 a.py` does in sh. Throws a TypeError naming the
 * command when only assignments are given.
 */
export function parseCommandLine(command: string): CommandLine {
  const words = splitWords(command);
  const env: Record<string, string> = {};
  let i = 0;
  for (; i < words.length; i++) {
    const { text, bare } = words[i]!;
    const name = ASSIGNMENT.exec(text);
    if (name === null || name[0].length > bare) break;
    env[name[0].slice(0, -1)] = text.slice(name[0].length);
  }
  const argv = words.slice(i).map((w) => w.text);
  if (argv.length === 0 || argv[0] === '')
    throw new TypeError(`command ${JSON.stringify(command)}: no program to run after the NAME=value assignments`);
  return { env, argv };
}
