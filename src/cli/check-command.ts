import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { AdapterError } from '../adapter-error.js';
import type { Adapter } from '../adapter.js';
import { checkConformance } from '../conformance/check.js';
import type { ConformanceOptions, ConformanceReport } from '../conformance/types.js';
import { AdapterLoadError, loadAdapter } from '../load-adapter.js';
import { spawnAdapter } from '../protocol/spawn-adapter.js';
import { reportToConsole } from '../report/console.js';
import { reportToHtml } from '../report/html.js';
import { reportToJson } from '../report/json.js';
import { reportToJUnit } from '../report/junit.js';
import { reportToMarkdown } from '../report/markdown.js';
import { type CheckArgs, parseCheckArgs } from './check-args.js';
import { CHECK_HELP } from './check-help.js';
import { colorEnabled } from './color.js';
import { createProgress, plannedTotals } from './progress.js';
import { UsageError } from './usage-error.js';
import type { CliCommand, CliIo } from '../cli.js';

const HINT = "Run 'optimspec check --help' for the options.";

function usage(io: CliIo, message: string): number {
  io.stderr.write(`optimspec check: ${message}\n${HINT}\n`);
  return 2;
}

/** Colour on a terminal or with `FORCE_COLOR`, never with `--no-color` or `NO_COLOR` (src/cli/color.ts). */
function wantsColor(args: CheckArgs, io: CliIo): boolean {
  return colorEnabled({ isTTY: io.stdout.isTTY, env: io.env, noColorFlag: args.noColor });
}

/** The adapter under test and how to let go of it. */
interface Opened {
  adapter: Adapter;
  close(): Promise<void>;
}

/** Loads the module or starts the `--exec` child; returns an exit code when it cannot. */
async function open(args: CheckArgs, io: CliIo): Promise<Opened | number> {
  if (args.module !== undefined) {
    try {
      return { adapter: await loadAdapter(args.module, io.cwd), close: async () => {} };
    } catch (error) {
      if (!(error instanceof AdapterLoadError)) throw error;
      if (error.reason === 'missing' || error.reason === 'extension') return usage(io, error.message);
      io.stderr.write(`optimspec check: ${error.message}\n`);
      return 1;
    }
  }
  const command = args.exec!;
  try {
    const spawned = await spawnAdapter(command, { cwd: io.cwd, env: io.env, ...(args.timeoutMs === undefined ? {} : { timeoutMs: args.timeoutMs }) });
    return { adapter: spawned, close: () => spawned.close() };
  } catch (error) {
    if (error instanceof TypeError) return usage(io, `--exec ${JSON.stringify(command)}: ${error.message}`);
    if (error instanceof AdapterError && /ENOENT|EACCES/.test(`${error.message} ${String((error.cause as Error | undefined)?.message ?? '')}`)) {
      return usage(io, `--exec ${JSON.stringify(command)}: the program could not be started: ${error.message}`);
    }
    if (!(error instanceof AdapterError)) throw error;
    io.stderr.write(`optimspec check: --exec ${JSON.stringify(command)}: ${error.message}\n`);
    return 1;
  }
}

/** Writes each requested report file, creating its folder; a path that cannot be written is a usage error. */
async function writeReports(args: CheckArgs, report: ConformanceReport, io: CliIo): Promise<number | undefined> {
  const files: [string, string | undefined, (r: ConformanceReport) => string | Promise<string>][] = [
    ['--json', args.json, reportToJson],
    ['--junit', args.junit, reportToJUnit],
    ['--markdown', args.markdown, reportToMarkdown],
    ['--html', args.html, reportToHtml],
  ];
  for (const [flag, path, render] of files) {
    if (path === undefined) continue;
    const file = resolve(io.cwd, path);
    try {
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, await render(report));
    } catch (error) {
      return usage(io, `${flag} ${JSON.stringify(path)}: cannot write the report: ${(error as Error).message}`);
    }
  }
  return undefined;
}

/** A word as POSIX sh reads it: bare when it is plain, else in single quotes. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}

/** The command line that re-runs one check of this run: the same adapter, the finding's token. */
export function replayCommand(args: CheckArgs, token: string): string {
  const adapter = args.module !== undefined ? shellWord(args.module) : `--exec ${shellWord(args.exec ?? '')}`;
  return `npx optimspec check ${adapter} --replay ${token}`;
}

/** How long the process may linger after the check before it is ended. */
const LINGER_MS = 1000;

/**
 * An in-process adapter can leave a timer or a handle behind (a step that timed
 * out on a `setTimeout` of hours) that would keep Node alive after the report:
 * the CLI would hang in CI. On the real process only, an unref'd timer ends it
 * with the command's exit code; a process that ends by itself never sees it.
 */
function endLingering(io: CliIo, code: number): number {
  if (io.stdout === process.stdout) setTimeout(() => process.exit(code), LINGER_MS).unref();
  return code;
}

/**
 * `optimspec check`: checks one adapter, prints the console table, writes the
 * requested report files and returns the exit code of docs/cli.md (0 passed,
 * 1 failed, 2 usage error). A spawned `--exec` child is always closed, also on
 * SIGINT and SIGTERM.
 */
export async function runCheckCommand(argv: readonly string[], io: CliIo): Promise<number> {
  let args: CheckArgs;
  try {
    args = parseCheckArgs(argv);
  } catch (error) {
    if (error instanceof UsageError) return usage(io, error.message);
    throw error;
  }
  if (args.help) {
    io.stdout.write(CHECK_HELP);
    return 0;
  }
  const opened = await open(args, io);
  if (typeof opened === 'number') return endLingering(io, opened);
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    stopping = true;
    io.stderr.write(`\noptimspec check: ${signal}, stopping the adapter\n`);
    void opened.close().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const progress = createProgress(io.stderr, args.quiet, {
    totals: plannedTotals(opened.adapter, args.only, args.runs),
    color: colorEnabled({ isTTY: io.stderr.isTTY, env: io.env, noColorFlag: args.noColor }),
  });
  const options: ConformanceOptions = {
    accept: args.accept,
    onProgress: (event) => {
      if (!stopping) progress.onProgress(event);
    },
    ...(args.only === undefined ? {} : { only: args.only }),
    ...(args.replay === undefined ? {} : { replay: args.replay }),
    ...(args.runs === undefined ? {} : { runs: args.runs }),
    ...(args.seed === undefined ? {} : { seed: args.seed }),
    ...(args.timeoutMs === undefined ? {} : { stepTimeoutMs: args.timeoutMs }),
    ...(args.totalTimeoutMs === undefined ? {} : { totalTimeoutMs: args.totalTimeoutMs }),
  };
  let report: ConformanceReport;
  try {
    report = await checkConformance(opened.adapter, options);
  } finally {
    progress.done();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await opened.close();
  }
  // Cut to the terminal's width only on a terminal: a pipe or a CI log gets every character.
  const width = io.stdout.isTTY === true && io.stdout.columns ? { width: io.stdout.columns } : {};
  io.stdout.write(reportToConsole(report, { color: wantsColor(args, io), ...width, quiet: args.quiet, verbose: args.verbose, replayCommand: (token) => replayCommand(args, token) }));
  const failedWrite = await writeReports(args, report, io);
  if (failedWrite !== undefined) return endLingering(io, failedWrite);
  if (args.html !== undefined) io.stdout.write(`HTML report: ${resolve(io.cwd, args.html)}\n`);
  const checked = report.results.some((r) => r.verdict !== 'unsupported');
  if (!checked) {
    io.stderr.write('optimspec check: nothing was checked: the adapter supports none of the requested optimizers and schedules\n');
    return endLingering(io, 1);
  }
  return endLingering(io, report.passed ? 0 : 1);
}

/** `optimspec check`, as an entry of the CLI's command table (src/cli.ts). */
export const checkCommand: CliCommand = {
  name: 'check',
  summary: 'check an optimizer implementation (a module or --exec program) against the lecture',
  run: runCheckCommand,
};
