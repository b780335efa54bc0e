import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { CHECK_HELP } from '../src/cli/check-help.js';
import type { CliIo } from '../src/cli/index.js';
import { checkConformance } from '../src/conformance/check.js';
import type { ConformanceReport, Finding, Trace } from '../src/conformance/types.js';
import { reportToConsole } from '../src/report/console.js';
import { MAX_CHARTED_PER_SUBJECT, reportToHtml } from '../src/report/html.js';
import { deviatingReport, failingReport, gradientTable, traceOf } from './support/traced-report.js';
import { importBuilt } from './support/built.js';
import { handwritten } from './support/planted/handwritten.js';
import { scratchFolder } from './support/scratch.js';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The charts of a page: inline SVGs with an accessible name. */
function charts(html: string): string[] {
  return html.match(/<svg[^>]*role="img"[\s\S]*?<\/svg>/g) ?? [];
}

/** The first 1-based step where |actual - expected| > bound, found here from the trace (not by the renderer's code). */
function firstCrossing(trace: Trace): number {
  for (let s = 0; s < trace.actual.length; s++) {
    if (trace.actual[s]!.some((a, c) => Math.abs(a - trace.expected[s]![c]!) > trace.bound[s]![c]!)) return s + 1;
  }
  return 0;
}

/** The failing report and its page, made once for the tests that read it (a page renders its charts with vega: 0.5 s each). */
let failing: Promise<{ report: ConformanceReport; html: string }> | undefined;
function failingPage(): Promise<{ report: ConformanceReport; html: string }> {
  failing ??= failingReport().then(async (report) => ({ report, html: await reportToHtml(report) }));
  return failing;
}

describe('reportToHtml', () => {
  test('a failing report: one self-contained page, two charts per traced run, escaped adapter text', async () => {
    const { report, html } = await failingPage();
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain(
      `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    );
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import/i);
    // The only URLs are XML namespace names, which are never fetched.
    const urls = (html.match(/https?:\/\/[^\s"'<>)]+/g) ?? []).filter(
      (u) => !/^http:\/\/www\.w3\.org\/(2000\/svg|1999\/xlink)$/.test(u),
    );
    expect(urls).toEqual([]);
    expect(html).not.toContain('<b>&');
    expect(html).toContain('ascent &lt;b&gt;&amp;"planted"&lt;/b&gt;');
    expect(charts(html)).toHaveLength(4);
    const short = report.results[0]!.findings[1]!.counterexample!.trace!;
    expect(html).toContain(`The error first exceeds the bound at step ${firstCrossing(short)}`);
    // The numbers table carries the exact values, as describeCounterexample prints them.
    expect(html).toContain(`<td class="num">${String(short.actual[0]![0])}</td>`);
    // The law finding without a trace shows its counterexample as text only.
    expect(html).toContain('seed 42, path "0:1"');
    // Without the adapter's path (reportToHtml called directly) the flags alone, no placeholder.
    expect(html).toContain('re-run: --only sgd --seed 42');
    expect(html).not.toContain('&lt;adapter&gt;');
    // The 300-step run is thinned to at most 200 drawn steps and says so.
    expect(html).toContain('One step in 2 is drawn');
  });

  test('every chart has a unique id, a title and a description it is labelled by, and ids inside it stay unique in the page', async () => {
    const { html } = await failingPage();
    for (const svg of charts(html)) {
      const id = svg.match(/ id="(chart-\d+)"/)![1]!;
      expect(svg).toContain(`aria-labelledby="${id}-title" aria-describedby="${id}-desc"><title id="${id}-title">`);
      expect(svg).toMatch(new RegExp(`<desc id="${id}-desc">[^<]{80,}</desc>`));
    }
    const ids = [...html.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
    for (const [, ref] of html.matchAll(/url\(#([^)]+)\)/g)) expect(ids).toContain(ref);
  });

  test('a deviating report overlays the convention variant, whose error is within the bound', async () => {
    const report = await deviatingReport();
    const html = await reportToHtml(report);
    expect(charts(html)).toHaveLength(4);
    expect(html).toContain('reference with epsilon-inside-sqrt (wide pale band, triangles)');
    for (const r of report.results) {
      const trace = r.findings[0]!.counterexample!.trace!;
      const ratio = Math.max(
        ...trace.actual.flatMap((row, s) =>
          row.map((a, c) => Math.abs(a - trace.convention![s]![c]!) / trace.bound[s]![c]!),
        ),
      );
      expect(ratio).toBeLessThan(1);
    }
    expect(html).toMatch(/reproduces the run bit for bit|largest error-to-bound ratio is 0\.\d/);
  });

  test('the same report gives the same page, byte for byte', async () => {
    const { report, html } = await failingPage();
    expect(await reportToHtml(report)).toBe(html);
  });

  test(`only the first ${MAX_CHARTED_PER_SUBJECT} traced problems of a subject are drawn; the rest are text`, async () => {
    const adapter = handwritten({ name: 'ascent', declared: 'float64', bug: 'ascent', optimizers: ['sgd'] });
    const findings: Finding[] = [];
    for (let i = 0; i < MAX_CHARTED_PER_SUBJECT + 2; i++) {
      const trace = await traceOf(adapter, { optimizer: 'sgd', learningRate: 0.1 }, [1, 2], gradientTable(5, 2, i + 1));
      findings.push({ check: `probe:${i}`, status: 'fail', message: 'beyond the bound', counterexample: { trace } });
    }
    const base = await failingReport();
    const report: ConformanceReport = {
      ...base,
      results: [{ subject: 'sgd', verdict: 'fails', conventions: [], findings }],
    };
    const html = await reportToHtml(report);
    expect(charts(html)).toHaveLength(2 * MAX_CHARTED_PER_SUBJECT);
    expect(html).toContain(
      `Charts are drawn for the first ${MAX_CHARTED_PER_SUBJECT} of the ${MAX_CHARTED_PER_SUBJECT + 2} problems that can be drawn`,
    );
    expect(html).toContain(`probe:${MAX_CHARTED_PER_SUBJECT + 1}`);
  });

  test('non-finite values and zero errors are left out of the charts and kept in the table', async () => {
    const base = await failingReport();
    const trace: Trace = {
      actual: [
        [1, 2],
        [Number.NaN, 3],
        [Number.POSITIVE_INFINITY, -0],
      ],
      expected: [
        [1, 2],
        [0.5, 3],
        [0.25, 0],
      ],
      bound: [
        [1e-16, 1e-16],
        [2e-16, 2e-16],
        [3e-16, 3e-16],
      ],
    };
    const report: ConformanceReport = {
      ...base,
      results: [
        {
          subject: 'sgd',
          verdict: 'fails',
          conventions: [],
          findings: [{ check: 'probe:nan', status: 'fail', message: 'NaN', counterexample: { trace } }],
        },
      ],
    };
    const html = await reportToHtml(report);
    expect(charts(html)).toHaveLength(2);
    expect(html).toContain('<td class="num">NaN</td>');
    expect(html).toContain('<td class="num">Infinity</td>');
    expect(html).toContain('<td class="num">-0</td>');
    expect(html).toContain('The error first exceeds the bound at step 2 on x[0] (error NaN');
  });

  test('a failing schedule, checked for real (the planted one-epoch-early step decay), is drawn as its values over t', async () => {
    const adapter = handwritten({
      name: 'early',
      declared: 'float64',
      bug: 'schedule-one-epoch-early',
      optimizers: [],
      schedules: ['step'],
    });
    const report = await checkConformance(adapter, { seed: 1, only: ['schedule:step'] });
    const failing = report.results[0]!.findings.filter(
      (f) => f.status === 'fail' && f.counterexample?.config !== undefined && f.counterexample.step !== undefined,
    );
    expect(failing.length).toBeGreaterThan(0);
    const html = await reportToHtml(report);
    expect(charts(html)).toHaveLength(Math.min(MAX_CHARTED_PER_SUBJECT, failing.length));
    const first = failing[0]!.counterexample!;
    expect(html).toContain(
      `the implementation's value at the first wrong t = ${first.step} (large circle, labelled): ${first.actual}, the reference's ${first.expected}.`,
    );
  });

  test("a trace cut to the steps around its first difference is numbered by the run's steps (Trace.firstStep)", async () => {
    const base = await failingReport();
    const trace: Trace = {
      actual: [[1], [1], [2]],
      expected: [[1], [1], [1]],
      bound: [[1e-16], [1e-16], [1e-16]],
      firstStep: 745,
    };
    const report: ConformanceReport = {
      ...base,
      results: [
        {
          subject: 'sgd',
          verdict: 'fails',
          conventions: [],
          findings: [{ check: 'fixture:long', status: 'fail', message: 'x', counterexample: { trace } }],
        },
      ],
    };
    const html = await reportToHtml(report);
    expect(html).toContain('over steps 745 to 747 (the run is cut to the steps around its first difference)');
    expect(html).toContain('The error first exceeds the bound at step 747 on x[0] (error 1, bound 1e-16)');
    expect(html).toContain('<tr><td class="num">745</td><td>x[0]</td>');
    expect(html).not.toContain('<tr><td class="num">1</td><td>x[0]</td>');
  });

  test('a shrunk counterexample with its x0 is drawn from step 0; an x0 of another width is not used', async () => {
    const base = await failingReport();
    const trace: Trace = { actual: [[0.01]], expected: [[-0.01]], bound: [[1e-18]] };
    const finding = (x0: number[]): Finding => ({
      check: 'fixture:shrunk',
      status: 'fail',
      message: 'x',
      counterexample: { x0, trace },
    });
    const html = async (x0: number[]) =>
      reportToHtml({
        ...base,
        results: [{ subject: 'sgd', verdict: 'fails', conventions: [], findings: [finding(x0)] }],
      });
    expect(await html([0])).toContain('Parameter value from x0 (step 0) over 1 step for x[0]');
    expect(await html([0, 1])).toContain('Parameter value over 1 step for x[0]');
  });

  test("numbers as the console prints them: one expected/actual pair, 9.99999697894388e-4 and not String's 0.000999999697894388", async () => {
    const base = await failingReport();
    const [expected, actual] = [0.000999999697894388, 0.0009999996830503974];
    const finding: Finding = {
      check: 'fixture:adam/float64/open/ordinary-0',
      status: 'fail',
      message: `golden fixture (ordinary): step 1, coordinate 0: expected ${expected}, got ${actual} (relative error 1.48e-8, 68455824 ulp)`,
      counterexample: { step: 1, coordinate: 0, expected, actual, relativeError: 1.48e-8, ulp: 68455824 },
    };
    const report: ConformanceReport = {
      ...base,
      results: [
        { subject: 'adam', verdict: 'fails', conventions: [], findings: [finding, { ...finding, check: 'x' }] },
      ],
    };
    const html = await reportToHtml(report);
    const console = reportToConsole(report, { color: false });
    for (const out of [html, console]) {
      expect(out).toContain('expected 9.99999697894388e-4');
      expect(out).not.toContain('0.000999999697894388');
    }
    // In the problem's text the pair appears once: the message keeps what the counterexample does not say.
    const article = html.slice(html.indexOf('<article'), html.indexOf('</article>'));
    expect(article.split('9.99999697894388e-4').length - 1).toBe(1);
  });

  test('a report without traces has no charts and names every check', async () => {
    const base = await failingReport();
    const report: ConformanceReport = {
      ...base,
      passed: true,
      results: [
        {
          subject: 'adam',
          verdict: 'conforms',
          conventions: [],
          findings: [{ check: 'law:adam/first-step', status: 'pass', message: 'holds' }],
        },
      ],
    };
    const html = await reportToHtml(report);
    expect(charts(html)).toHaveLength(0);
    expect(html).toContain('<title>optimspec check: passed: ascent');
    expect(html).toContain('<td>law:adam/first-step</td>');
  });
});

describe('optimspec check --html', () => {
  const scratch = scratchFolder('optimspec-html-');

  async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = '';
    let stderr = '';
    const io: CliIo = {
      stdout: { write: (s: string) => (stdout += s), isTTY: false },
      stderr: { write: (s: string) => (stderr += s), isTTY: false },
      env: {},
      cwd: root,
    };
    // The compiled CLI (spec/support/built.ts): its adapter's worker starts from JavaScript, not through tsx.
    const { runCheckCommand } =
      await importBuilt<typeof import('../src/cli/check-command.js')>('src/cli/check-command.ts');
    const code = await runCheckCommand(args, io);
    return { code, stdout, stderr };
  }

  test('writes the page and names it on the last line of output, also with --quiet', async () => {
    const file = join(scratch, 'deep', 'report.html');
    const { code, stdout } = await run(['spec/cli-adapters/sgd-bug.mjs', '--seed', '3', '--quiet', '--html', file]);
    expect(code).toBe(1);
    expect(stdout.trimEnd().split('\n').at(-1)).toBe(`HTML report: ${file}`);
    const html = readFileSync(file, 'utf8');
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('sgd with a stale learning rate');
    // The replay line is the whole command, with the adapter's path as it was given.
    expect(html).toMatch(/replay: npx optimspec check spec\/cli-adapters\/sgd-bug\.mjs --replay r1\.\S+/);
    expect(html).not.toContain('&lt;adapter&gt;');
  });

  test('--help documents it', () => {
    expect(CHECK_HELP).toMatch(/^ {2}--html <path> {11}write a self-contained HTML page/m);
  });

  test('an empty path is a usage error naming the flag', async () => {
    const { code, stderr } = await run(['spec/cli-adapters/sgd-only.mjs', '--html', '']);
    expect(code).toBe(2);
    expect(stderr).toContain('--html needs a file path, got ""');
  });
});
