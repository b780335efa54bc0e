import { pythonHelperFolder } from '../protocol/index.js';
import type { CliCommand, CliIo } from './io.js';

const HELP = `Usage: optimspec python-path

Prints the folder of the stdlib-only Python helper optimspec_protocol.py (and the
Python examples) inside the installed package. 'optimspec check --exec' already
appends it to the child's PYTHONPATH; this is for running the program without the
checker, or for vendoring the helper:

  PYTHONPATH="$(npx optimspec python-path)" python3 my_adapter.py
  cp "$(npx optimspec python-path)/optimspec_protocol.py" .

  -h, --help   this help
`;

/** `optimspec python-path`: where `optimspec_protocol.py` is, for a user's own `PYTHONPATH` or a copy. */
export const pythonPathCommand: CliCommand = {
  name: 'python-path',
  summary: 'print the folder of the Python protocol helper (optimspec_protocol.py)',
  run(argv: readonly string[], io: CliIo): number {
    if (argv.length === 1 && (argv[0] === '-h' || argv[0] === '--help')) {
      io.stdout.write(HELP);
      return 0;
    }
    if (argv.length > 0) {
      io.stderr.write(`optimspec python-path: takes no arguments, got ${JSON.stringify(argv[0])}\n\n${HELP}`);
      return 2;
    }
    io.stdout.write(`${pythonHelperFolder()}\n`);
    return 0;
  },
};
