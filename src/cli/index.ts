import { didYouMeanSuffix, optimspecVersion } from '../conformance/index.js';
import { checkCommand } from './check-command.js';
import { fixturesCommand } from './fixtures-command.js';
import { pythonPathCommand } from './python-path-command.js';
import type { CliCommand, CliIo } from './io.js';

export type { CliIo } from './io.js';

/** The subcommands, in help order. A new command (e.g. `check`) is one entry here. */
const commands: readonly CliCommand[] = [checkCommand, fixturesCommand, pythonPathCommand];

/** The top-level help. */
function helpText(): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  return `Usage: optimspec <command> [options]

An executable specification of the CS231n Lecture 7 optimizers (SGD, Momentum,
Nesterov, AdaGrad, RMSProp, Adam, learning-rate decay): reference rules, NumPy
golden fixtures, property laws and a conformance checker.

Commands:
${commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`).join('\n')}

Options:
  -h, --help     this help
  -v, --version  print the version

Run 'optimspec <command> --help' for a command's options.
`;
}

function usageError(io: CliIo, message: string): number {
  io.stderr.write(`optimspec: ${message}\n\n${helpText()}`);
  return 2;
}

/** Runs the CLI on `argv` (without node and script) and returns the exit code: 0 ok, 1 failed, 2 usage error. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) return usageError(io, 'no command given');
  if (first === '-h' || first === '--help' || first === 'help') {
    io.stdout.write(helpText());
    return 0;
  }
  if (first === '-v' || first === '--version') {
    io.stdout.write(`${optimspecVersion()}\n`);
    return 0;
  }
  if (first.startsWith('-')) return usageError(io, `unknown option ${JSON.stringify(first)}`);
  const command = commands.find((c) => c.name === first);
  if (command === undefined)
    return usageError(
      io,
      `unknown command ${JSON.stringify(first)}${didYouMeanSuffix(
        first,
        commands.map((c) => c.name),
      )}`,
    );
  return command.run(rest, io);
}

/** The real process's streams, environment and working directory. */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() };
}
