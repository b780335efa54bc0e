/**
 * A command line the CLI cannot run: unknown option, bad value, missing module.
 * The CLI prints its message with a hint to `--help` and exits 2 (docs/cli.md).
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
