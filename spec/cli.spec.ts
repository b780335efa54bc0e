import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, test } from 'vitest';
import type { CliIo } from '../src/cli/index.js';
import { cliArgs, importBuilt } from './support/built.js';
import { hangGuard } from './support/slowdown.js';
import { parseXml } from './report-xml-reader.js';
import { scratchFolder } from './support/scratch.js';

// The CLI of this run's compiled copy of src/ (spec/support/built.ts), as bin/optimspec.js runs
// dist/: its processes and its adapters' workers start from JavaScript, not through tsx.
const [{ runCheckCommand }, { encodeReplay }] = await Promise.all([
  importBuilt<typeof import('../src/cli/check-command.js')>('src/cli/check-command.ts'),
  importBuilt<typeof import('../src/conformance/replay.js')>('src/conformance/replay.ts'),
]);

const root = fileURLToPath(new URL('..', import.meta.url));
const adapters = 'spec/cli-adapters';
const scratch = scratchFolder('optimspec-cli-');

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The real CLI in a child process, as a user runs it; stdout and stderr are pipes. A child
 * still running after 60 s (scaled by the machine's load) is killed: its code is then NaN and its stderr says so.
 */
function cli(args: string[], env: Record<string, string> = {}): Promise<Ran> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      cliArgs(args),
      { cwd: root, env: { ...process.env, ...env }, timeout: hangGuard(60_000) },
      (error, stdout, stderr) => {
        const killed =
          error?.killed === true ? `\n(killed by ${error.signal}: still running after ${hangGuard(60)} s)` : '';
        done({ code: error ? Number((error as { code?: number }).code) : 0, stdout, stderr: stderr + killed });
      },
    );
  });
}

/** The command in-process, with a fake terminal: for what a pipe cannot show (colour, TTY progress). */
async function inProcess(
  args: string[],
  tty: { stdout?: boolean; stderr?: boolean; env?: Record<string, string> } = {},
): Promise<Ran> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (s: string) => (stdout += s), isTTY: tty.stdout ?? false, columns: 120 },
    stderr: { write: (s: string) => (stderr += s), isTTY: tty.stderr ?? false },
    env: tty.env ?? {},
    cwd: root,
  };
  const code = await runCheckCommand(args, io);
  return { code, stdout, stderr };
}

const HINT = "Run 'optimspec check --help' for the options.";

// Concurrent: each case is a separate process, so two cores run two at a time. One case per way
// a real process ends (exit 2, a timer left running with exit 1, a Python child with exit 0, writing to
// pipes): the help, the report files, a module that fails to load and --accept are the same in-process
// (below), where no process start, cold JIT and fixture parsing (about 1 s of CPU a process) is paid.
describe.concurrent('optimspec check, in a child process', () => {
  test('usage errors exit 2 and name the flag and the value, with a hint to --help', async () => {
    const unknown = await cli(['check', `${adapters}/sgd-only.mjs`, '--colour']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe(`optimspec check: unknown option --colour\n${HINT}\n`);
    expect(unknown.stdout).toBe('');
  });

  test('ends even when an adapter leaves a timer running after its step timed out', async () => {
    // The step's timer is 1e9 ms: the CLI ends by itself (exit 1, the report printed) only if the
    // 1000 ms --timeout cuts the step and the timer does not keep it alive; otherwise exec's 60 s kill comes first.
    // 1000 ms: the module's load and create, the calls before the hang, answer in milliseconds.
    const { code, stdout, stderr } = await cli(['check', `${adapters}/timer-hang.mjs`, '--timeout', '1000', '--quiet']);
    expect(stdout, stderr).toMatch(/^FAIL timer hang \(float64\): 1 error, 13 unsupported in /);
    expect(code).toBe(1);
  });

  test('--exec runs a Python adapter over the protocol: exit 0, the table without colour on a pipe, one progress line', async () => {
    // A schedule: the child's protocol session as for any subject, without pure Python's slow trajectories
    // (those are checked over the protocol by spec/protocol.spec.ts and spec/unsupported-values.spec.ts).
    const python = await cli([
      'check',
      '--exec',
      'python3 examples/python/lecture_pure.py',
      '--only',
      'schedule:inverse-time',
      '--seed',
      '11',
    ]);
    expect(python.code, python.stderr).toBe(0);
    expect(python.stdout).not.toContain('\u001b');
    expect(python.stdout).toMatch(/^schedule:inverse-time +conforms +(\d+)\/\1$/m);
    expect(python.stdout.trimEnd().split('\n').at(-1)).toMatch(
      /^PASS lecture rules in pure Python \(float64\): 1 conforms in [\d.]+ s, seed 11$/,
    );
    // Nothing else on stderr: the child wrote nothing there.
    expect(python.stderr).toMatch(/^optimspec: checking schedule:inverse-time \(\d+ checks\)\n$/);
  });
});

// A quarter of the drawn runs where a check's verdict is the input of what is tested (exit codes, reports, --accept).
describe('optimspec check, in-process', () => {
  /** A conforming check for the tests of the output's form: a tenth of the drawn cases (the form does not depend on them). */
  const conforming = [`${adapters}/sgd-only.mjs`, '--seed', '1', '--only', 'sgd', '--runs', '0.1'];
  /**
   * The smallest conforming run, for the colour of its table: one law of sgd, replayed (`--replay`, the
   * run a printed replay command makes). The colour is decided from the streams and the environment alone.
   */
  const oneCheck = [
    `${adapters}/sgd-only.mjs`,
    '--replay',
    encodeReplay({ subject: 'sgd', check: 'law:sgd/closed-form', seed: 1, runs: 0.1 }),
  ];

  test('--help documents every flag and the exit codes', async () => {
    const { code, stdout } = await inProcess(['--help']);
    expect(code).toBe(0);
    for (const flag of [
      '--exec',
      '--only',
      '--accept',
      '--runs',
      '--seed',
      '--timeout',
      '--total-timeout',
      '--json',
      '--junit',
      '--markdown',
      '--no-color',
      '--quiet',
      '--verbose',
      '--replay',
      '--help',
    ]) {
      expect(stdout).toContain(`${flag} `);
    }
    expect(stdout).toContain('Exit codes:');
    expect(stdout).toMatch(/^ {2}2 {2}usage error/m);
  });

  test('a conforming adapter exits 0 and prints the table without colour and a line of progress when stdout and stderr are not terminals', async () => {
    const { code, stdout, stderr } = await inProcess([`${adapters}/sgd-only.mjs`, '--seed', '7']);
    expect(code, stderr).toBe(0);
    expect(stdout).not.toContain('\u001b');
    expect(stdout).toMatch(/^sgd +conforms +(\d+)\/\1$/m);
    expect(stdout).toMatch(/^adam +unsupported$/m);
    expect(stdout.trimEnd().split('\n').at(-1)).toMatch(
      /^PASS hand-written sgd \(mjs\) \(float64\): 1 conforms, 13 unsupported in [\d.]+ s, seed 7$/,
    );
    expect(stderr).toMatch(/^optimspec: checking sgd \(\d+ checks\)\n$/);
  });

  test('a module that throws on load exits 1 with its message and writes no report', async () => {
    const threw = await inProcess([`${adapters}/throws-on-load.mjs`, '--json', join(scratch, 'never.json')]);
    expect(threw.code).toBe(1);
    expect(threw.stderr).toBe(
      'optimspec check: adapter module "spec/cli-adapters/throws-on-load.mjs" failed to load: Error: cannot find libtorch.so\n',
    );
    expect(() => readFileSync(join(scratch, 'never.json'))).toThrow();
  });

  test('a module that does not exist, or an --exec program that does not, is a usage error naming it', async () => {
    const missing = await inProcess([`${adapters}/nope.mjs`]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('adapter module "spec/cli-adapters/nope.mjs" not found');
    expect(missing.stderr).toContain(HINT);
    expect(missing.stdout).toBe('');
    const nothing = await inProcess(['--exec', 'no-such-program-optimspec --flag']);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain('--exec "no-such-program-optimspec --flag": the program could not be started');
  });

  test('a bad --accept value is a usage error', async () => {
    const bad = await inProcess([`${adapters}/sgd-only.mjs`, '--accept', 'amsgrad']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /^optimspec check: --accept: unknown name "amsgrad"; expected one of .*\nRun 'optimspec check --help' for the options\.\n$/,
    );
  });

  test('a planted bug exits 1 and every report file is written and valid', async () => {
    const out = join(scratch, 'bug', 'deep');
    const { code, stdout } = await inProcess([
      `${adapters}/sgd-bug.mjs`,
      '--seed',
      '3',
      '--runs',
      '0.25',
      '--quiet',
      '--json',
      join(out, 'r.json'),
      '--junit',
      join(out, 'r.xml'),
      '--markdown',
      join(out, 'r.md'),
    ]);
    expect(code).toBe(1);
    expect(stdout).toMatch(
      /^FAIL sgd with a stale learning rate \(float64\): 1 fails, 13 unsupported in [\d.]+ s, seed 3\n$/,
    );

    const schema = JSON.parse(readFileSync(join(root, 'docs/report.schema.json'), 'utf8'));
    const validate = new Ajv2020({ strict: true, allErrors: true }).compile(schema);
    const json = JSON.parse(readFileSync(join(out, 'r.json'), 'utf8'));
    expect(validate(json), JSON.stringify(validate.errors)).toBe(true);
    expect(json.passed).toBe(false);
    expect(json.options.seed).toBe(3);
    const sgd = json.results.find((r: { subject: string }) => r.subject === 'sgd');
    expect(sgd.verdict).toBe('fails');
    const failures = sgd.findings.filter((f: { status: string }) => f.status === 'fail');
    expect(failures.length).toBeGreaterThan(0);
    expect(
      failures.some((f: { counterexample?: { gradients?: unknown } }) => f.counterexample?.gradients !== undefined),
    ).toBe(true);

    const xml = parseXml(readFileSync(join(out, 'r.xml'), 'utf8'));
    const suite = xml.children.find((s) => s.attrs.name === 'sgd')!;
    expect(suite.children.filter((c) => c.name === 'testcase').length).toBe(sgd.findings.length);
    expect(Number(suite.attrs.failures)).toBe(failures.length);
    // One suite per subject: the six optimizers, the three schedules and the five checks over several tensors.
    expect(xml.children.length).toBe(14);

    const md = readFileSync(join(out, 'r.md'), 'utf8');
    expect(md).toMatch(/^## optimspec check: ❌ failed: sgd with a stale learning rate \(float64\)/);
    expect(md).toContain('### ❌ `sgd`: fails');
  });

  test('--accept turns a deviation by that convention into exit 0', async () => {
    const accepted = await inProcess([
      `${adapters}/dampened-momentum.mjs`,
      '--seed',
      '5',
      '--runs',
      '0.25',
      '--only',
      'momentum',
      '--accept',
      'dampened-momentum',
    ]);
    expect(accepted.code, accepted.stderr).toBe(0);
    expect(accepted.stdout).toMatch(/^momentum +deviates \(accepted\) +\d+\/\d+ +dampened-momentum$/m);
  });

  test('without --accept, or accepting another convention, a deviation exits 1', async () => {
    const strict = await inProcess([
      `${adapters}/dampened-momentum.mjs`,
      '--seed',
      '5',
      '--runs',
      '0.25',
      '--only',
      'momentum',
      '--quiet',
    ]);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(/^FAIL dampened momentum \(float64\): 1 deviates in/);
    const other = await inProcess([
      `${adapters}/dampened-momentum.mjs`,
      '--seed',
      '5',
      '--runs',
      '0.25',
      '--only',
      'momentum',
      '--accept',
      'lr-placement',
      '--quiet',
    ]);
    expect(other.code).toBe(1);
  });

  test('a default export that is not an adapter exits 1 naming the field and the value', async () => {
    const invalid = await inProcess([`${adapters}/bad-dtype.mjs`]);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toBe(
      `optimspec check: spec/cli-adapters/bad-dtype.mjs: adapter.dtype must be 'float16', 'bfloat16', 'float32' or 'float64', got "float8"\n`,
    );
  });

  test('colours on a terminal, not with --no-color, NO_COLOR or TERM=dumb', async () => {
    const args = oneCheck;
    expect((await inProcess(args, { stdout: true })).stdout).toContain('\u001b[32mconforms');
    expect((await inProcess([...args, '--no-color'], { stdout: true })).stdout).not.toContain('\u001b');
    expect((await inProcess(args, { stdout: true, env: { NO_COLOR: '1' } })).stdout).not.toContain('\u001b');
    expect((await inProcess(args, { stdout: true, env: { TERM: 'dumb' } })).stdout).not.toContain('\u001b');
    // no-color.org: an empty NO_COLOR does not disable colour.
    expect((await inProcess(args, { stdout: true, env: { NO_COLOR: '' } })).stdout).toContain('\u001b[');
  });

  test('FORCE_COLOR colours a pipe; NO_COLOR still wins over it', async () => {
    const args = oneCheck;
    expect((await inProcess(args, { env: { FORCE_COLOR: '1' } })).stdout).toContain('\u001b[32mconforms');
    expect((await inProcess(args, { env: { FORCE_COLOR: '1', NO_COLOR: '1' } })).stdout).not.toContain('\u001b');
  });

  test('progress is a redrawn line on a terminal stderr, cleared before the table, and absent with --quiet', async () => {
    const live = await inProcess(conforming, { stderr: true });
    const CLEAR = '\r\u001b[K';
    // A bar with checks done / total and the elapsed time, redrawn in place; the finished bar stays, one line.
    expect(live.stderr.startsWith(`${CLEAR}  sgd `)).toBe(true);
    // The fake terminal has no NO_COLOR: the bar is green; compare it without the colour codes.
    expect(live.stderr).toContain('\u001b[32m█');
    const bars = live.stderr
      .split(CLEAR)
      .filter(Boolean)
      .map((b) =>
        b
          .split('\u001b[')
          .map((part, i) => (i === 0 ? part : part.replace(/^\d+m/, '')))
          .join(''),
      );
    expect(bars.at(-1)).toMatch(/^ {2}sgd +█{24} +(\d+)\/\1 +\d+\.\d s\n$/);
    for (const bar of bars.slice(0, -1)) expect(bar).toMatch(/^ {2}sgd +[█░]{24} +\d+\/\d+ +\d+\.\d s$/);
    const quiet = await inProcess([...conforming, '--quiet'], {
      stderr: true,
    });
    expect(quiet.stderr).toBe('');
    expect(quiet.stdout.split('\n').length).toBe(2);
  });

  test('--timeout reaches the checker: a step that never answers is an error verdict, not a hang', async () => {
    // 1000 ms: the calls before the hang (the module's load, create) answer in milliseconds.
    const { code, stdout } = await inProcess([`${adapters}/hangs.mjs`, '--timeout', '1000', '--no-color']);
    expect(code).toBe(1);
    expect(stdout).toMatch(/^sgd +error /m);
    expect(stdout).toContain('no answer within 1000 ms');
  });

  test('--exec: a command that cannot be split is a usage error; a child that fails the handshake exits 1 with its stderr', async () => {
    const quote = await inProcess(['--exec', "python3 'examples/python/lecture_pure.py"]);
    expect(quote.code).toBe(2);
    expect(quote.stderr).toContain(`--exec "python3 'examples/python/lecture_pure.py": command`);
    expect(quote.stderr).toContain('unterminated');
    const dies = await inProcess([
      '--exec',
      'python3 -c "import sys; sys.stderr.write(\'no numpy here\\n\'); sys.exit(3)"',
    ]);
    expect(dies.code).toBe(1);
    expect(dies.stderr).toContain('no numpy here');
  });

  test('--exec in-process: the schedule of the Python adapter is checked over the protocol', async () => {
    const { code, stdout } = await inProcess([
      '--exec',
      'python3 examples/python/lecture_pure.py',
      '--only',
      'schedule:step',
      '--seed',
      '2',
      '--quiet',
    ]);
    expect(stdout).toMatch(/^PASS lecture rules in pure Python \(float64\): 1 conforms in /);
    expect(code).toBe(0);
  });

  test('nothing checked is a failure: the adapter supports none of --only', async () => {
    const { code, stderr } = await inProcess([`${adapters}/sgd-only.mjs`, '--only', 'adam', '--quiet']);
    expect(code).toBe(1);
    expect(stderr).toContain('nothing was checked');
  });

  test('a report path that cannot be written is a usage error naming the flag and the path', async () => {
    const file = join(scratch, 'a-file');
    writeFileSync(file, '');
    const { code, stderr } = await inProcess([
      `${adapters}/sgd-only.mjs`,
      '--only',
      'sgd',
      '--quiet',
      '--junit',
      `${file}/r.xml`,
    ]);
    expect(code).toBe(2);
    expect(stderr).toContain(`--junit "${file}/r.xml": cannot write the report`);
    expect(stderr).toContain(HINT);
  });

  test('--only, --runs, --seed and --accept reach the checker and show in the report', async () => {
    const path = join(scratch, 'opts.json');
    await inProcess([
      `${adapters}/sgd-step.mjs`,
      '--only',
      'sgd,schedule:step',
      '--runs',
      '0.5',
      '--seed=-9',
      '--accept',
      'lr-placement',
      '--json',
      path,
      '--quiet',
    ]);
    const json = JSON.parse(readFileSync(path, 'utf8'));
    expect(json.options).toEqual({ runs: 0.5, seed: -9, accepted: ['lr-placement'], only: ['sgd', 'schedule:step'] });
    expect(json.results.map((r: { subject: string; verdict: string }) => `${r.subject}:${r.verdict}`)).toEqual([
      'sgd:conforms',
      'schedule:step:conforms',
    ]);
  });
});
