import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { referenceAdapter } from '../src/adapter/index.js';
import { findChromium, openInBrowser } from '../src/browser/index.js';
import { runCheckCommand } from '../src/cli/check-command.js';
import { checkConformance, type ConformanceReport, type SubjectResult } from '../src/conformance/index.js';

// `optimspec check --browser`: the worker isolation's cases (spec/isolation.spec.ts) for an
// adapter module run in a page of headless Chromium.

const root = fileURLToPath(new URL('..', import.meta.url));
const hostile = (name: string) => `spec/cli-adapters/hostile/${name}.mjs`;

/**
 * The per-call timeout of the hang cases: every call before the hang (two steps of a plain
 * SGD, one page.evaluate each, about 15 ms on the loaded 2-core machine) answers in well under it.
 */
const HANG_MS = 1_000;
/** A per-call limit for the cases that test no hang: only a misbehaviour ends a call. */
const SETTLED_MS = 30_000;
/** The module's load: bundling it and a page's first script, not the per-call limit under test. */
const LOAD_MS = 30_000;

async function check(module: string, only: string[], timeoutMs: number): Promise<(s: string) => SubjectResult> {
  const adapter = await openInBrowser(module, { cwd: root, timeoutMs, loadTimeoutMs: LOAD_MS });
  let report: ConformanceReport;
  try {
    report = await checkConformance(adapter, {
      only,
      seed: 1,
      stepTimeoutMs: timeoutMs,
      beforeSubject: () => adapter.renew(),
    });
  } finally {
    await adapter.close();
  }
  return (s) => report.results.find((r) => r.subject === s)!;
}

function firstError(result: SubjectResult): string {
  const finding = result.findings.find((f) => f.status === 'error');
  expect(finding, `${result.subject} has an error finding`).toBeDefined();
  return finding!.message;
}

describe('an adapter module in headless Chromium (--browser): nothing its page does takes the checker down', () => {
  test('a synchronous infinite loop in the page is an error for each subject, cut by the per-call timeout; the next subject gets a fresh browser', async () => {
    const bySubject = await check(hostile('sync-loop'), ['sgd', 'momentum'], HANG_MS);
    for (const subject of ['sgd', 'momentum']) {
      expect(bySubject(subject).verdict).toBe('error');
      expect(firstError(bySubject(subject))).toMatch(/no answer within 1000 ms/);
    }
  });

  test.each([
    ['uncaught', /uncaught exception in the adapter.*thrown from a timer/],
    ['stray-rejection', /unhandled rejection in the adapter: stray rejection from step 3/],
  ] as const)('%s: a page error is an error for the subject, named', async (name, message) => {
    const bySubject = await check(hostile(name), ['sgd', 'momentum'], SETTLED_MS);
    for (const subject of ['sgd', 'momentum']) {
      expect(bySubject(subject).verdict).toBe('error');
      expect(firstError(bySubject(subject))).toMatch(message);
    }
  });

  test('an adapter that takes its page down (navigates it away) is an error for the subject; the next subject runs in a fresh page', async () => {
    const bySubject = await check('spec/cli-adapters/browser/navigates-away.mjs', ['sgd', 'momentum'], SETTLED_MS);
    for (const subject of ['sgd', 'momentum']) {
      expect(bySubject(subject).verdict).toBe('error');
      expect(firstError(bySubject(subject))).toMatch(
        /the adapter's page went away during scripts \(a navigation, a crash\).*navigation/,
      );
    }
  });

  test("the run's deadline ends a step that never answers: `total timeout`, not the per-call limit", async () => {
    const adapter = await openInBrowser('spec/cli-adapters/hangs.mjs', {
      cwd: root,
      timeoutMs: SETTLED_MS,
      loadTimeoutMs: LOAD_MS,
      deadline: Date.now() + LOAD_MS + 2_000,
    });
    try {
      const stepper = await adapter.create({ optimizer: 'sgd', learningRate: 0.1 }, new Float64Array([1]));
      await expect(stepper.step(new Float64Array([1]))).rejects.toThrow(/total timeout/);
    } finally {
      await adapter.close();
    }
  });

  test('a signal ends a pending call at once with its name, and every later call', async () => {
    const controller = new AbortController();
    const adapter = await openInBrowser('spec/cli-adapters/hangs.mjs', {
      cwd: root,
      timeoutMs: SETTLED_MS,
      loadTimeoutMs: LOAD_MS,
      signal: controller.signal,
    });
    try {
      const stepper = await adapter.create({ optimizer: 'sgd', learningRate: 0.1 }, new Float64Array([1]));
      const pending = stepper.step(new Float64Array([1]));
      controller.abort('SIGINT');
      await expect(pending).rejects.toThrow(/interrupted by SIGINT/);
      await expect(adapter.create({ optimizer: 'sgd', learningRate: 0.1 }, new Float64Array([1]))).rejects.toThrow(
        /interrupted by SIGINT/,
      );
    } finally {
      await adapter.close();
    }
  });

  test('the reference as a TypeScript module gets the same verdicts and checks in the browser as in-process', async () => {
    const subjects = ['adam', 'schedule:step'];
    const adapter = await openInBrowser('spec/cli-adapters/reference64.ts', {
      cwd: root,
      timeoutMs: SETTLED_MS,
      loadTimeoutMs: LOAD_MS,
    });
    let report: ConformanceReport;
    try {
      report = await checkConformance(adapter, { only: subjects, seed: 1, beforeSubject: () => adapter.renew() });
    } finally {
      await adapter.close();
    }
    const direct = await checkConformance(referenceAdapter({ dtype: 'float64' }), { only: subjects, seed: 1 });
    expect(report.results.map((r) => r.verdict)).toEqual(['conforms', 'conforms']);
    expect(report.results.map((r) => r.findings.map((f) => `${f.check}:${f.status}`))).toEqual(
      direct.results.map((r) => r.findings.map((f) => `${f.check}:${f.status}`)),
    );
  });
});

describe('where no Chromium is found', () => {
  test('findChromium names what it looked for and the install command', () => {
    expect(() => findChromium(undefined, '/nonexistent-folder')).toThrow(
      /no Chromium found on the PATH \(looked for chromium, .*\); install it with apt-get install -y chromium/,
    );
    expect(findChromium(undefined, '/usr/bin')).toBe('/usr/bin/chromium');
  });

  test('optimspec check --browser --chromium <missing> is a usage error (exit 2) with the install command', async () => {
    let stderr = '';
    const io = { stdout: { write: () => true }, stderr: { write: (s: string) => (stderr += s) }, env: {}, cwd: root };
    const code = await runCheckCommand(
      ['--browser', 'spec/cli-adapters/reference64.ts', '--chromium', '/nonexistent/chromium', '--quiet'],
      io,
    );
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /--chromium "\/nonexistent\/chromium": no executable file there; install Chromium with apt-get install -y chromium/,
    );
  });
});
