import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type Adapter, AdapterError, AdapterLoadError } from '../adapter/index.js';
import { CONFORMANCE_DEFAULTS, checkConformance, prepareConformance } from '../conformance/index.js';
import { type ConformanceOptions, type ConformanceReport, decodeReplay } from '../conformance/index.js';
import { openInBrowser } from '../browser/index.js';
import { isolateAdapter } from '../isolation/index.js';
import { spawnAdapter } from '../protocol/index.js';
import {
  jsonWithNumbers,
  reportToConsole,
  reportToHtml,
  reportToJson,
  reportToJUnit,
  reportToMarkdown,
} from '../report/index.js';
import { type CheckArgs, parseCheckArgs } from './check-args.js';
import { CHECK_HELP } from './check-help.js';
import { colorEnabled } from './color.js';
import { createProgress, plannedTotals } from './progress.js';
import { checkReportPaths, makeFolders, REPORT_FLAGS } from './report-paths.js';
import { UsageError } from './usage-error.js';
import type { CliCommand, CliIo } from './io.js';

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
  /** Before each subject: a fresh worker if the last one ended. */
  beforeSubject?: () => Promise<void>;
}

/**
 * Loads the module in a worker thread (src/isolation), in Chromium through one (`--browser`, src/browser), or starts the `--exec`
 * child; returns an exit code when it cannot. Both are bounded by `--timeout`
 * and by the run's deadline.
 */
async function open(args: CheckArgs, io: CliIo, deadline: number, signal: AbortSignal): Promise<Opened | number> {
  if (args.module !== undefined) {
    try {
      const limits = {
        cwd: io.cwd,
        deadline,
        signal,
        ...(args.timeoutMs === undefined ? {} : { timeoutMs: args.timeoutMs }),
      };
      let starting: ReturnType<typeof isolateAdapter>;
      if (!args.browser) starting = isolateAdapter(args.module, limits);
      else {
        try {
          starting = openInBrowser(args.module, {
            ...limits,
            ...(args.chromium === undefined ? {} : { chromium: args.chromium }),
          });
        } catch (error) {
          return usage(io, `--browser: ${(error as Error).message}`);
        }
      }
      // The worker starts on its own thread: read the fixtures meanwhile.
      prepareConformance();
      const adapter = await starting;
      return { adapter, close: () => adapter.close(), beforeSubject: () => adapter.renew() };
    } catch (error) {
      if (!(error instanceof AdapterLoadError)) throw error;
      if (error.reason === 'missing' || error.reason === 'extension') return usage(io, error.message);
      io.stderr.write(`optimspec check: ${error.message}\n`);
      return 1;
    }
  }
  const command = args.exec!;
  try {
    const spawned = await spawnAdapter(command, {
      cwd: io.cwd,
      env: io.env,
      deadline,
      signal,
      ...(args.timeoutMs === undefined ? {} : { timeoutMs: args.timeoutMs, handshakeTimeoutMs: args.timeoutMs }),
    });
    return { adapter: spawned, close: () => spawned.close() };
  } catch (error) {
    if (error instanceof TypeError) return usage(io, `--exec ${JSON.stringify(command)}: ${error.message}`);
    if (
      error instanceof AdapterError &&
      /ENOENT|EACCES/.test(`${error.message} ${String((error.cause as Error | undefined)?.message ?? '')}`)
    ) {
      return usage(io, `--exec ${JSON.stringify(command)}: the program could not be started: ${error.message}`);
    }
    if (!(error instanceof AdapterError)) throw error;
    io.stderr.write(`optimspec check: --exec ${JSON.stringify(command)}: ${error.message}\n`);
    return 1;
  }
}

/** Writes each requested report file (paths were checked before the run, see checkReportPaths). */
async function writeReports(args: CheckArgs, report: ConformanceReport, io: CliIo): Promise<number | undefined> {
  const render: Record<(typeof REPORT_FLAGS)[number], (r: ConformanceReport) => string | Promise<string>> = {
    json: reportToJson,
    junit: reportToJUnit,
    markdown: reportToMarkdown,
    html: (r) => reportToHtml(r, { adapterArgument: adapterArgument(args) }),
  };
  for (const flag of REPORT_FLAGS) {
    const path = args[flag];
    if (path === undefined) continue;
    const file = resolve(io.cwd, path);
    try {
      await makeFolders(file);
      await writeFile(file, await render[flag](report));
    } catch (error) {
      io.stderr.write(
        `optimspec check: --${flag} ${JSON.stringify(path)}: cannot write the report: ${(error as Error).message}\n`,
      );
      return EXIT.reportUnwritable;
    }
  }
  return undefined;
}

/** A word as POSIX sh reads it: bare when it is plain, else in single quotes. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}

/** The adapter as the command line gave it, quoted for sh: the module path or `--exec '<command>'`. */
function adapterArgument(args: CheckArgs): string {
  return args.module !== undefined ? shellWord(args.module) : `--exec ${shellWord(args.exec ?? '')}`;
}

/** The command line that re-runs one check of this run: the same adapter, the finding's token. */
function replayCommand(args: CheckArgs, token: string): string {
  return `npx optimspec check ${adapterArgument(args)} --replay ${token}`;
}

/**
 * The seeds `--seeds count` checks, `seed`, `seed + 1`, ... (as 32-bit integers; a random first one without
 * `--seed`), and of those the shard's: index i (from 0) with i mod n = k - 1. Together the n shards check each seed once.
 */
export function shardSeeds(count: number, shard: { k: number; n: number } | undefined, seed?: number): number[] {
  const first = seed ?? (Date.now() ^ (Math.random() * 0x100000000)) | 0;
  const all = Array.from({ length: count }, (_, i) => (first + i) | 0);
  return shard === undefined ? all : all.filter((_, i) => i % shard.n === shard.k - 1);
}

/** The JSON document `--seeds` writes: every run's report, and which seeds of how many this job checked (docs/seeds-report.schema.json). */
export interface SeedsReport {
  optimspec: { version: string };
  adapter: ConformanceReport['adapter'];
  seeds: { count: number; shard?: string; checked: number[] };
  /** True iff every run passed. */
  passed: boolean;
  reports: ConformanceReport[];
}

function seedsReport(args: CheckArgs, reports: readonly ConformanceReport[]): SeedsReport {
  const first = reports[0]!;
  return {
    optimspec: first.optimspec,
    adapter: first.adapter,
    seeds: {
      count: args.seeds ?? 1,
      ...(args.shard === undefined ? {} : { shard: `${args.shard.k}/${args.shard.n}` }),
      checked: reports.map((r) => r.options.seed),
    },
    passed: reports.every((r) => r.passed),
    reports: [...reports],
  };
}

/** Writes the `--seeds` JSON document to `--json`, if given. */
async function writeSeedsReport(args: CheckArgs, report: SeedsReport, io: CliIo): Promise<number | undefined> {
  if (args.json === undefined) return undefined;
  const file = resolve(io.cwd, args.json);
  try {
    await makeFolders(file);
    await writeFile(file, jsonWithNumbers(report));
  } catch (error) {
    io.stderr.write(
      `optimspec check: --json ${JSON.stringify(args.json)}: cannot write the report: ${(error as Error).message}\n`,
    );
    return EXIT.reportUnwritable;
  }
  return undefined;
}

/** How long the process may linger after the check before it is ended. */
const LINGER_MS = 1000;

/** The exit codes of docs/cli.md. */
const EXIT = {
  passed: 0,
  failed: 1,
  usage: 2,
  /** A report path passed the checks before the run but could not be written after it (the disk filled, say). */
  reportUnwritable: 3,
  SIGINT: 130,
  SIGTERM: 143,
} as const;

/**
 * An adapter (an `--exec` child's relay, a stray handle) could keep Node alive
 * after the report: the CLI would hang in CI. On the real process only, an
 * unref'd timer ends it with the command's exit code; a process that ends by
 * itself never sees it.
 */
function endLingering(io: CliIo, code: number): number {
  if (io.stdout === process.stdout) setTimeout(() => process.exit(code), LINGER_MS).unref();
  return code;
}

/** One check of the opened adapter at `seed` (the run's, or one of --seeds), with its progress on stderr. */
async function checkOnce(
  args: CheckArgs,
  io: CliIo,
  ready: Opened,
  run: { seed: number | undefined; deadline: number; signal: AbortSignal },
): Promise<ConformanceReport> {
  const progress = createProgress(io.stderr, args.quiet, {
    totals: plannedTotals(
      ready.adapter,
      args.only,
      args.runs,
      args.largeVector,
      args.replay === undefined ? undefined : decodeReplay(args.replay),
    ),
    color: colorEnabled({ isTTY: io.stderr.isTTY, env: io.env, noColorFlag: args.noColor }),
  });
  const options: ConformanceOptions = {
    accept: args.accept,
    signal: run.signal,
    // Once a signal stopped the run, the bars stay as they were.
    onProgress: (event) => {
      if (!run.signal.aborted) progress.onProgress(event);
    },
    ...(ready.beforeSubject === undefined ? {} : { beforeSubject: ready.beforeSubject }),
    ...(args.only === undefined ? {} : { only: args.only }),
    ...(args.replay === undefined ? {} : { replay: args.replay }),
    ...(args.largeVector === undefined ? {} : { largeVector: args.largeVector }),
    ...(args.runs === undefined ? {} : { runs: args.runs }),
    ...(run.seed === undefined ? {} : { seed: run.seed }),
    ...(args.timeoutMs === undefined ? {} : { stepTimeoutMs: args.timeoutMs }),
    totalTimeoutMs: Math.max(1, run.deadline - Date.now()),
  };
  try {
    return await checkConformance(ready.adapter, options);
  } finally {
    progress.done();
  }
}

/** The report as the console table on stdout; with --seeds under a line naming its seed, the first that failed. */
function printReport(args: CheckArgs, io: CliIo, report: ConformanceReport): void {
  // Cut to the terminal's width only on a terminal: a pipe or a CI log gets every character.
  const width = io.stdout.isTTY === true && io.stdout.columns ? { width: io.stdout.columns } : {};
  const heading = args.seeds === undefined ? '' : `\nseed ${report.options.seed}, the first that failed:\n`;
  io.stdout.write(
    heading +
      reportToConsole(report, {
        color: wantsColor(args, io),
        ...width,
        quiet: args.quiet,
        verbose: args.verbose,
        replayCommand: (token) => replayCommand(args, token),
        adapterSource: args.module !== undefined ? { module: args.module } : { exec: args.exec ?? '' },
      }),
  );
}

/**
 * `optimspec check`: checks one adapter, prints the console table, writes the
 * requested report files and returns the exit code of docs/cli.md (0 passed,
 * 1 failed, 2 usage error, 3 a report could not be written, 130/143 interrupted).
 * A module runs in a worker thread and an `--exec` program in a child process, so
 * no adapter can end, hang or corrupt the checker. On SIGINT or SIGTERM
 * the worker or child is ended, the partial report is written marked
 * `interrupted`; a second signal exits at once.
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
  const pathProblem = await checkReportPaths(args, io.cwd, io.env);
  if (pathProblem !== undefined) return usage(io, pathProblem);
  const deadline = Date.now() + (args.totalTimeoutMs ?? CONFORMANCE_DEFAULTS.totalTimeoutMs);

  let signalled: 'SIGINT' | 'SIGTERM' | undefined;
  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    const first = signalled ?? (signal === 'SIGTERM' ? 'SIGTERM' : 'SIGINT');
    if (signalled !== undefined) {
      // A second signal: out now. The process's exit hook kills any child's group; worker threads end with the process.
      io.stderr.write(`\noptimspec check: second ${signal}, exiting without a report\n`);
      stop.abort(`interrupted by a second ${signal}`);
      process.exit(EXIT[first]);
    }
    signalled = first;
    io.stderr.write(
      `\noptimspec check: ${signal}, stopping the adapter and writing the partial report (${signal} again exits at once)\n`,
    );
    stop.abort(first);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const result = await open(args, io, deadline, stop.signal);
    if (typeof result === 'number') return endLingering(io, signalled === undefined ? result : EXIT[signalled]);
    const ready = result;
    // One run, or with --seeds one per seed of this shard.
    const seeds = args.seeds === undefined ? [args.seed] : shardSeeds(args.seeds, args.shard, args.seed);
    const reports: ConformanceReport[] = [];
    try {
      for (const seed of seeds) {
        if (signalled !== undefined) break;
        reports.push(await checkOnce(args, io, ready, { seed, deadline, signal: stop.signal }));
        // With several seeds each run's summary line as it ends; the first failing run in full at the end.
        if (args.seeds !== undefined)
          io.stdout.write(reportToConsole(reports.at(-1)!, { color: wantsColor(args, io), quiet: true }));
      }
    } finally {
      await ready.close();
    }
    if (signalled !== undefined && reports.length > 0) {
      const last = reports.length - 1;
      reports[last] = {
        ...reports[last]!,
        passed: false,
        interrupted: signalled,
        reason: `interrupted by ${signalled}: the results are partial`,
      };
    }
    const report = reports.find((r) => !r.passed) ?? reports.at(-1);
    if (report === undefined) return endLingering(io, signalled === undefined ? EXIT.passed : EXIT[signalled]);
    if (args.seeds === undefined || (!report.passed && !args.quiet)) printReport(args, io, report);
    const failedWrite =
      args.seeds === undefined
        ? await writeReports(args, report, io)
        : await writeSeedsReport(args, seedsReport(args, reports), io);
    const passed = reports.every((r) => r.passed);
    if (signalled !== undefined) return endLingering(io, EXIT[signalled]);
    if (failedWrite !== undefined) return endLingering(io, failedWrite);
    if (args.html !== undefined) io.stdout.write(`HTML report: ${resolve(io.cwd, args.html)}\n`);
    if (report.reason !== undefined) io.stderr.write(`optimspec check: ${report.reason}\n`);
    return endLingering(io, passed ? EXIT.passed : EXIT.failed);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** `optimspec check`, as an entry of the CLI's command table (src/cli/index.ts). */
export const checkCommand: CliCommand = {
  name: 'check',
  summary: 'check an optimizer implementation (a module or --exec program) against the lecture',
  run: runCheckCommand,
};
