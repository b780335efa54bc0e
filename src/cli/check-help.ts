import { CONFORMANCE_DEFAULTS } from '../conformance/index.js';
import { CONVENTION_IDS, SUBJECTS } from './check-args.js';

const INDENT = ' '.repeat(26);

/** A comma list wrapped to 80 columns under the option descriptions. */
function list(items: readonly string[]): string {
  const lines: string[] = [];
  let line = '';
  for (const [i, item] of items.entries()) {
    const word = i < items.length - 1 ? `${item},` : item;
    if (line && INDENT.length + line.length + 1 + word.length > 80) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  lines.push(line);
  return lines.map((l) => INDENT + l).join('\n');
}

/** `optimspec check --help`: every flag, the exit codes and where the docs are (docs/cli.md has the long form). */
export const CHECK_HELP = `Usage: optimspec check <adapter-module> [options]
       optimspec check --browser <adapter-module> [--chromium <path>] [options]
       optimspec check --exec "<command>" [options]

Checks an optimizer implementation against the CS231n Lecture 7 rules (golden
fixtures, laws, convention probes) and prints a verdict per optimizer and
schedule: conforms, deviates (by a named convention), fails, unsupported, error,
or interrupted (by SIGINT or SIGTERM while it was checked).

  <adapter-module>        a .js, .mjs, .cjs, .ts, .mts or .cts file whose default
                          export is an adapter { name, dtype, optimizers, create }
  --exec <command>        run the adapter as a child process speaking the
                          JSON-lines protocol of docs/protocol.md (no shell;
                          leading NAME=value words set its environment, and
                          PYTHONPATH ends with the Python helper's folder,
                          'optimspec python-path')
  --browser               run the adapter module in a page of headless Chromium
                          (bundled with its imports) instead of a worker thread;
                          same timeouts, same isolation
  --chromium <path>       Chromium's executable for --browser (default: chromium
                          on the PATH; apt-get install -y chromium)

Options:
  --only <subject>        check only these; repeatable or a comma list:
${list(SUBJECTS)}
  --accept <convention>   count deviations by this convention as passing;
                          repeatable or a comma list:
${list(CONVENTION_IDS)}
  --runs <multiplier>     multiply the number of randomly drawn cases
                          (default 1; e.g. 0.5 or 10)
  --seed <int>            fast-check seed, a 32-bit integer, negative ones too
                          (--seed -5); default random; the report prints it, so
                          a failure can be replayed
  --replay <token>        re-run exactly one failing or deviating check: every
                          such check prints this whole command (the token
                          carries its subject, seed, runs and counterexample)
  --seeds <n>             check with n seeds, --seed, --seed + 1, ...: one
                          summary line per seed, the first failing run in full;
                          --json writes every run's report
                          (docs/seeds-report.schema.json)
  --shard <k>/<n>         with --seeds and --seed: only this job's share, the
                          seeds whose index i has i mod n = k - 1 (a CI matrix)
  --large-vector <n>      also run each optimizer on an n-coordinate vector (e.g.
                          1000003): libraries switch kernels by size; off by
                          default (over --exec each step carries n numbers)
  --timeout <ms>          limit for each call into the adapter, module load and
                          handshake included (default ${CONFORMANCE_DEFAULTS.stepTimeoutMs}; 60000 for the
                          load and the handshake)
  --total-timeout <ms>    limit for the whole check (default ${CONFORMANCE_DEFAULTS.totalTimeoutMs})
  --json <path>           write the JSON report (docs/report.schema.json)
  --junit <path>          write a JUnit XML report (one testsuite per subject)
  --markdown <path>       write a Markdown summary, e.g. "$GITHUB_STEP_SUMMARY"
  --html <path>           write a self-contained HTML page with trajectory and
                          error-against-bound charts of each failing or
                          deviating run (the last line of output names it)
  --no-color              no colours; also when NO_COLOR is set or stdout is
                          not a terminal (FORCE_COLOR=1 colours a pipe)
  --quiet                 no progress and no table: only the one-line summary
  --verbose               every problem in full (default: the first per subject
                          in full, the others one line each)
  -h, --help              this help

Exit codes:
  0  every supported subject conforms, or deviates only by accepted conventions
  1  some subject fails, errors, or deviates by a convention not accepted; nothing
     was checked; or the adapter module threw while loading or its default export
     is not an adapter (no report files are written then)
  2  usage error: unknown option, bad value, adapter module or --exec program
     not found, a report path that cannot be written or would overwrite an input
     or another report (checked before anything runs)
  3  a report file could not be written after the run
  130  interrupted by SIGINT (143: SIGTERM); the partial report is written, the
       subject being checked marked interrupted

Docs: docs/cli.md (examples, CI), docs/conventions.md (what each id means),
docs/spec.md (the rules), docs/report.schema.json, docs/protocol.md.
`;
