/** An output stream of the CLI; `process.stdout` and `process.stderr` are ones. */
export interface CliStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** What a command touches of its process, injectable so that tests run commands in-process. */
export interface CliIo {
  stdout: CliStream;
  stderr: CliStream;
  env: Record<string, string | undefined>;
  cwd: string;
}

/** One subcommand: `optimspec <name> ...`. It returns the exit code (2 for a usage error). */
export interface CliCommand {
  name: string;
  /** One line for the top-level help. */
  summary: string;
  run(argv: readonly string[], io: CliIo): number | Promise<number>;
}
