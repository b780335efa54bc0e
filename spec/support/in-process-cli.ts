/**
 * `optimspec check` in-process, for the spec files whose point is not the process (its start,
 * Node's JIT and the fixtures' parsing cost about 1 s of CPU a CLI process): injected streams,
 * and the signals SIGINT and SIGTERM delivered as Node delivers them to a process.
 */
import type { CliIo } from '../../src/cli/index.js';

type Signal = 'SIGINT' | 'SIGTERM';

/** The check command (`runCheckCommand` of the spec file's compiled copy, spec/support/built.ts). */
type CheckCommand = (argv: readonly string[], io: CliIo) => Promise<number>;

/** A run of the check command in-process, started and not awaited. */
export interface InProcessRun {
  /** The exit code the command returns (the one the CLI's entry gives the process). */
  done: Promise<number>;
  stdout(): string;
  stderr(): string;
  /**
   * Calls the run's own listener of `signal` with the signal's name, as Node does when the process
   * receives it. Only the listener this run added to `process` is called: no other is the test's to
   * trigger (a vitest worker's own), and a second run at the same time would add one of its own, so
   * the runs a test interrupts this way must not overlap.
   */
  deliver(signal: Signal): void;
}

/** Starts `check` with `args` on streams that are not terminals, in `cwd` with `env`. */
export function startInProcess(
  check: CheckCommand,
  args: readonly string[],
  options: { cwd: string; env: Record<string, string | undefined> },
): InProcessRun {
  const before = { SIGINT: process.listeners('SIGINT'), SIGTERM: process.listeners('SIGTERM') };
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (s: string) => (stdout += s), isTTY: false },
    stderr: { write: (s: string) => (stderr += s), isTTY: false },
    env: options.env,
    cwd: options.cwd,
  };
  const done = check(args, io);
  return {
    done,
    stdout: () => stdout,
    stderr: () => stderr,
    deliver(signal) {
      const added = process.listeners(signal).filter((l) => !before[signal].includes(l));
      if (added.length !== 1)
        throw new Error(`expected the run to listen to ${signal} once (it had started), found ${added.length}`);
      (added[0] as (signal: NodeJS.Signals) => void)(signal);
    },
  };
}
