import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, test } from 'vitest';
import { type Adapter, referenceAdapter } from '../src/adapter/contract.js';
import { checkConformance } from '../src/conformance/check.js';
import type { ConformanceOptions, ConformanceReport, Finding } from '../src/conformance/types.js';
import { isRunning } from '../src/protocol/child-registry.js';
import { reportToConsole } from '../src/report/console.js';
import { reportToHtml } from '../src/report/html.js';
import { reportToJson } from '../src/report/json.js';
import { reportToJUnit } from '../src/report/junit.js';
import { reportToMarkdown } from '../src/report/markdown.js';
import { parseXml, type XmlNode } from './report-xml-reader.js';
import { cliArgs, importBuilt } from './support/built.js';
import { startInProcess } from './support/in-process-cli.js';
import { scratchFolder } from './support/scratch.js';

// The CLI of this run's compiled copy of src/ (spec/support/built.ts), for the runs in-process: its adapters'
// workers start from JavaScript, not through tsx.
const { runCheckCommand } = await importBuilt<typeof import('../src/cli/check-command.js')>('src/cli/check-command.ts');

const root = fileURLToPath(new URL('..', import.meta.url));
const scratch = scratchFolder('optimspec-interrupted-');
const schema = JSON.parse(readFileSync(new URL('../docs/report.schema.json', import.meta.url), 'utf8'));
const validate = new Ajv2020({ strict: true, allErrors: true }).compile(schema);

/** Resolves once `predicate` holds, polling; the test's own timeout is the only clock. */
async function until(predicate: () => boolean): Promise<void> {
  while (!predicate()) await new Promise((r) => setTimeout(r, 20));
}

/** Every element of an XML tree, depth first. */
function elements(node: XmlNode): XmlNode[] {
  return [node, ...node.children.flatMap(elements)];
}

/** What no report of an interrupted run may hold: an `error` or `fails` verdict, an `error` finding. */
function blamed(report: ConformanceReport): string[] {
  return report.results.flatMap((r) => [
    ...(r.verdict === 'error' || r.verdict === 'fails' ? [`${r.subject}: ${r.verdict}`] : []),
    ...r.findings.filter((f) => f.status === 'error').map((f) => `${r.subject} ${f.check}: ${f.message}`),
  ]);
}

type Signal = 'SIGINT' | 'SIGTERM';

/** A CLI run on an adapter that pauses inside sgd's check, and the signal that interrupts it. */
interface Paused {
  /** The report files the run was asked for, by flag. */
  reports: Record<string, string>;
  output(): { stdout: string; stderr: string };
  /** Waits for the pause and for the progress line that sgd's check started (either first), then sends `signal`; resolves to the exit code. */
  interrupt(signal: Signal): Promise<number | null>;
}

/** The check command's arguments: the adapter, seed 7, and every report format next to `marker`. */
function pausedArgs(adapter: string[], marker: string): { args: string[]; reports: Record<string, string> } {
  const reports = Object.fromEntries(['json', 'junit', 'markdown', 'html'].map((f) => [f, `${marker}.${f}`]));
  const args = [...adapter, '--seed', '7', ...Object.entries(reports).flatMap(([flag, path]) => [`--${flag}`, path])];
  return { args, reports };
}

/** Resolves once the adapter wrote `marker` (it paused) and sgd's progress line was written. */
function paused(marker: string, stderr: () => string): Promise<void> {
  return until(
    () => existsSync(marker) && readFileSync(marker, 'utf8') !== '' && stderr().includes('optimspec: checking sgd'),
  );
}

/**
 * The real CLI in a child process on an adapter that pauses inside sgd's check (it writes `marker` and never
 * answers that call): the signal goes once the marker exists, so sgd's check is surely in progress. What a real
 * signal does: the exit status 130 or 143 of the process, its pipes.
 */
function startPaused(adapter: string[], marker: string): Paused {
  const { args, reports } = pausedArgs(adapter, marker);
  const child: ChildProcess = spawn(process.execPath, cliArgs(['check', ...args]), {
    cwd: root,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d));
  child.stderr!.on('data', (d: Buffer) => (stderr += d));
  // 'close', not 'exit': stdout and stderr are then read to their end.
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return {
    reports,
    output: () => ({ stdout, stderr }),
    async interrupt(signal) {
      await paused(marker, () => stderr);
      child.kill(signal);
      return exited;
    },
  };
}

/**
 * The same run in-process (spec/support/in-process-cli.ts): the signal is delivered as Node delivers one to
 * the process, by calling the command's own listener of it; the exit code is the one the command returns,
 * which the CLI's entry sets as the process's. Sequential only (one listener per signal and run).
 */
function startPausedInProcess(adapter: string[], marker: string): Paused {
  const { args, reports } = pausedArgs(adapter, marker);
  const run = startInProcess(runCheckCommand, args, { cwd: root, env: { ...process.env, NO_COLOR: '1' } });
  return {
    reports,
    output: () => ({ stdout: run.stdout(), stderr: run.stderr() }),
    async interrupt(signal) {
      await paused(marker, run.stderr);
      run.deliver(signal);
      return run.done;
    },
  };
}

/** The partial report of an interrupted CLI run, in every format: the running subject `interrupted`, nothing blamed. */
async function expectInterruptedReports(run: Paused, signal: Signal, code: number | null): Promise<void> {
  const { stdout, stderr } = run.output();
  expect(code, stderr).toBe(signal === 'SIGINT' ? 130 : 143);
  const report = JSON.parse(readFileSync(run.reports.json!, 'utf8')) as ConformanceReport;
  expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
  expect(report.interrupted).toBe(signal);
  expect(report.passed).toBe(false);
  expect(report.reason).toBe(`interrupted by ${signal}: the results are partial`);
  // sgd was running; momentum, listed after it, had not started: absent, not `unsupported` nor anything else.
  expect(report.results.map((r) => [r.subject, r.verdict, r.interrupted])).toEqual([['sgd', 'interrupted', signal]]);
  expect(blamed(report)).toEqual([]);
  // The checks made before the pause are kept, and passed (the adapter is correct).
  const sgd = report.results[0]!;
  expect(sgd.findings.length).toBeGreaterThan(0);
  expect(sgd.findings.every((f: Finding) => f.status === 'pass')).toBe(true);

  expect(stdout).toMatch(new RegExp(`^sgd +interrupted \\(${signal}\\) `, 'm'));
  expect(stdout).toContain(
    `sgd: interrupted by ${signal} after ${sgd.findings.length} checks; its other checks did not run`,
  );
  expect(stdout).toMatch(
    new RegExp(`^FAIL .*: 1 interrupted in .*; interrupted by ${signal}: the results are partial$`, 'm'),
  );
  expect(stdout).not.toMatch(/\berror\b/);

  const junit = elements(parseXml(readFileSync(run.reports.junit!, 'utf8')));
  expect(junit.filter((e) => e.name === 'error' || e.name === 'failure')).toEqual([]);
  const skipped = junit.filter((e) => e.name === 'skipped').map((e) => e.attrs.message);
  expect(skipped).toEqual([
    `interrupted by ${signal} after ${sgd.findings.length} checks; its other checks did not run`,
    `interrupted by ${signal}: the results are partial`,
  ]);
  const markdown = readFileSync(run.reports.markdown!, 'utf8');
  expect(markdown).toContain(`| \`sgd\` | ⏹️ interrupted (${signal}) |`);
  expect(markdown).not.toMatch(/💥|❌ fails|\berror\b/);
  const html = readFileSync(run.reports.html!, 'utf8');
  expect(html).toContain(`<span class="verdict v-interrupted">■ interrupted (${signal})</span>`);
  expect(html).toContain(`<strong>interrupted by ${signal}: the results are partial</strong>`);
  expect(html).not.toContain('class="verdict v-error"');
}

// A real process for SIGTERM to an --exec child: the exit status a real signal gives the process (real SIGINTs
// to a module in its worker and to an --exec child are spec/cli-robustness.spec.ts's). The other pairs in-process
// (below), where no process start and fixture parsing (about 1 s of CPU a process) is paid.
describe('SIGINT and SIGTERM while a correct adapter is checked: `interrupted`, never `error`', () => {
  test('SIGTERM, an --exec child: exit 143, sgd interrupted, the child is gone', async () => {
    await interruptExec(startPaused, 'SIGTERM');
  });
});

/** An --exec child that pauses at its 40th step, interrupted by `signal`: the reports, then the child is gone. */
async function interruptExec(start: typeof startPaused, signal: Signal): Promise<void> {
  const marker = join(scratch, `exec-${signal}-${start.name}`);
  const run = start(['--exec', `node spec/support/children/pausing-sgd.mjs ${marker} 40`], marker);
  const code = await run.interrupt(signal);
  await expectInterruptedReports(run, signal, code);
  const pid = Number(readFileSync(marker, 'utf8'));
  await until(() => !isRunning(pid));
}

describe('SIGINT and SIGTERM in-process: the same reports, the code the command returns', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    test(`${signal}, a module in its worker: exit ${signal === 'SIGINT' ? 130 : 143}, sgd interrupted`, async () => {
      const marker = join(scratch, `module-${signal}`);
      // The 60th step call is past sgd's first batch of scenarios (its progress line) and far from its last.
      // The worker's environment is a copy of this thread's as it starts: the pause's settings are set for the
      // run and removed after it (no other run shares this thread meanwhile: the tests here are sequential).
      process.env.OPTIMSPEC_PAUSE_AT = '60';
      process.env.OPTIMSPEC_PAUSE_FILE = marker;
      try {
        const run = startPausedInProcess(['spec/cli-adapters/pauses.mjs'], marker);
        await expectInterruptedReports(run, signal, await run.interrupt(signal));
      } finally {
        delete process.env.OPTIMSPEC_PAUSE_AT;
        delete process.env.OPTIMSPEC_PAUSE_FILE;
      }
    });
  }

  test('SIGINT, an --exec child: exit 130, sgd interrupted, the child is gone', async () => {
    await interruptExec(startPausedInProcess, 'SIGINT');
  });
});

/** The float64 reference for sgd, momentum and nesterov, calling `onStep(optimizer, n)` before its n-th step of that optimizer. */
function watchedReference(onStep: (optimizer: string, n: number) => Promise<never> | undefined): Adapter {
  const reference = referenceAdapter({ dtype: 'float64' });
  const counts = new Map<string, number>();
  return {
    name: 'watched reference',
    dtype: 'float64',
    optimizers: ['sgd', 'momentum', 'nesterov'],
    create(config, x0) {
      const inner = reference.create(config, x0);
      return {
        step(grad, learningRate) {
          const n = (counts.get(config.optimizer) ?? 0) + 1;
          counts.set(config.optimizer, n);
          return onStep(config.optimizer, n) ?? inner.step(grad, learningRate);
        },
      };
    },
  };
}

describe('checkConformance with options.signal', () => {
  // A quarter of the drawn runs: what is tested is where the abort leaves the run, not how many cases ran before it.
  const base: ConformanceOptions = { seed: 11, runs: 0.25, stepTimeoutMs: 600_000 };

  test('an abort during momentum: sgd keeps its verdict, momentum is interrupted, nesterov is absent', async () => {
    const stop = new AbortController();
    const progress: Finding['status'][] = [];
    const report = await checkConformance(
      watchedReference((optimizer, n) => {
        if (optimizer === 'momentum' && n === 40) stop.abort('SIGINT');
        return undefined;
      }),
      { ...base, signal: stop.signal, onProgress: (e) => progress.push(e.status) },
    );
    expect(report.results.map((r) => [r.subject, r.verdict])).toEqual([
      ['sgd', 'conforms'],
      ['momentum', 'interrupted'],
    ]);
    expect(report.results[1]!.interrupted).toBe('SIGINT');
    expect(blamed(report)).toEqual([]);
    expect(progress).not.toContain('error');
    expect(report.passed).toBe(false);
    expect(report.interrupted).toBe('SIGINT');
    expect(report.reason).toBe('interrupted by SIGINT: the results are partial');
    expect(validate(JSON.parse(reportToJson(report))), JSON.stringify(validate.errors)).toBe(true);
  });

  test('a call that never answers is given up at the abort (no timeout needed), with the reason of the abort', async () => {
    const stop = new AbortController();
    const report = await checkConformance(
      watchedReference((optimizer, n) => {
        if (optimizer !== 'sgd' || n !== 25) return undefined;
        queueMicrotask(() => stop.abort());
        return new Promise<never>(() => undefined);
      }),
      { ...base, signal: stop.signal },
    );
    const aborted = new AbortController();
    aborted.abort();
    const name = (aborted.signal.reason as Error).message;
    expect(report.results.map((r) => [r.subject, r.verdict, r.interrupted])).toEqual([['sgd', 'interrupted', name]]);
    expect(blamed(report)).toEqual([]);
    expect(report.interrupted).toBe(name);
    expect(report.reason).toBe(`interrupted (${name}): the results are partial`);
  });

  test('a signal aborted before the run: nothing is checked, nothing is blamed, nothing is unsupported', async () => {
    const report = await checkConformance(referenceAdapter({ dtype: 'float32' }), {
      ...base,
      signal: AbortSignal.abort('SIGTERM'),
    });
    expect(report.results).toEqual([]);
    expect(report.passed).toBe(false);
    expect(report.reason).toBe('interrupted by SIGTERM: the results are partial');
  });
});

describe('an interrupted report in every format', () => {
  const report: ConformanceReport = {
    optimspec: { version: '0.1.0' },
    adapter: { name: 'a', dtype: 'float64' },
    fixtures: { provenance: {} },
    options: { runs: 1, seed: 1, accepted: [] },
    results: [
      {
        subject: 'sgd',
        verdict: 'conforms',
        conventions: [],
        findings: [{ check: 'c1', status: 'pass', message: 'ok' }],
      },
      {
        subject: 'momentum',
        verdict: 'interrupted',
        interrupted: 'SIGTERM',
        conventions: [],
        findings: [{ check: 'c2', status: 'pass', message: 'ok' }],
      },
    ],
    passed: false,
    reason: 'interrupted by SIGTERM: the results are partial',
    interrupted: 'SIGTERM',
    durationMs: 5,
  };

  test('console: its own verdict, heading and tally; JSON: valid against the schema', () => {
    const text = reportToConsole(report, { color: false });
    expect(text).toMatch(/^momentum +interrupted \(SIGTERM\) +1\/1$/m);
    expect(text).toContain('momentum: interrupted by SIGTERM after 1 check; its other checks did not run');
    expect(text).toMatch(/^FAIL a \(float64\): 1 conforms, 1 interrupted in 0\.0 s, seed 1; interrupted by SIGTERM/m);
    expect(validate(JSON.parse(reportToJson(report))), JSON.stringify(validate.errors)).toBe(true);
    const unknown = { ...report, results: [{ ...report.results[1]!, verdict: 'stopped' }] };
    expect(validate(JSON.parse(JSON.stringify(unknown)))).toBe(false);
  });

  test('JUnit: a skipped verdict case and a skipped run case, no error; Markdown and HTML name it', async () => {
    const junit = parseXml(reportToJUnit(report));
    expect(junit.attrs).toMatchObject({ tests: '4', failures: '0', errors: '0', skipped: '2' });
    const verdict = elements(junit).find(
      (e) => e.name === 'testcase' && e.attrs.classname === 'optimspec.momentum' && e.attrs.name === 'verdict',
    );
    expect(verdict?.children.map((c) => [c.name, c.attrs.message])).toEqual([
      ['skipped', 'interrupted by SIGTERM after 1 check; its other checks did not run'],
    ]);
    const markdown = reportToMarkdown(report);
    expect(markdown).toContain('| `momentum` | ⏹️ interrupted (SIGTERM) |');
    expect(markdown).toContain('### ⏹️ `momentum`: interrupted\n\ninterrupted by SIGTERM after 1 check');
    const html = await reportToHtml(report);
    expect(html).toContain('<span class="verdict v-interrupted">■ interrupted (SIGTERM)</span>');
    expect(html).toContain('<p>interrupted by SIGTERM after 1 check; its other checks did not run.</p>');
  });
});
