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
 * backslash or an empty command.
 */
export function splitCommand(command: string): string[] {
  if (typeof command !== 'string') throw new TypeError(`command must be a string, got ${typeof command}`);
  const argv: string[] = [];
  let current = '';
  let inWord = false;
  let i = 0;
  const fail = (what: string): never => {
    throw new TypeError(`command ${JSON.stringify(command)}: ${what}`);
  };
  while (i < command.length) {
    const c = command[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      if (inWord) argv.push(current);
      current = '';
      inWord = false;
      i++;
    } else if (c === "'") {
      const end = command.indexOf("'", i + 1);
      if (end < 0) fail(`unterminated ' quote at position ${i}`);
      current += command.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      inWord = true;
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
      i += 2;
    } else {
      current += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) argv.push(current);
  if (argv.length === 0 || argv[0] === '') fail('no program to run');
  return argv;
}
