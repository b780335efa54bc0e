import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, test } from 'vitest';
import type { ConformanceReport, Finding } from '../src/conformance/types.js';
import { reportToConsole } from '../src/report/console.js';
import { reportToJson } from '../src/report/json.js';
import { reportToJUnit } from '../src/report/junit.js';
import { reportToMarkdown } from '../src/report/markdown.js';
import { firstProblem, subjectPassed } from '../src/report/subject-outcome.js';
import { parseXml } from './report-xml-reader.js';

// A hand-made report with every verdict, an accepted and an unaccepted convention,
// and adapter-supplied strings built to break each format.
const HOSTILE =
  'x < y && "q" \'a\' ]]> | pipe `tick` ``` fence\nnew line\r\ttab \u001b[31mred\u001b[0m bell\u0007 nul\u0000 lone\ud800 nonchar\ufffe';
const pass = (check: string): Finding => ({ check, status: 'pass', message: 'ok' });

function sampleReport(): ConformanceReport {
  return {
    optimspec: { version: '0.1.0' },
    adapter: { name: `evil ${HOSTILE}`, dtype: 'float32' },
    fixtures: { provenance: { generator: 'scripts/generate_fixtures.py', numpy: '2.4.0' } },
    options: { runs: 1, seed: 42, accepted: ['dampened-momentum'] },
    results: [
      {
        subject: 'sgd',
        verdict: 'conforms',
        conventions: [],
        findings: [pass('fixture:sgd/a'), pass('law:sgd/b')],
        durationMs: 12,
      },
      {
        subject: 'momentum',
        verdict: 'deviates',
        conventions: ['dampened-momentum'],
        findings: [
          pass('fixture:momentum/a'),
          {
            check: 'probe:momentum/early',
            status: 'explained',
            message: 'smaller by 1 - rho',
            conventions: ['dampened-momentum'],
          },
        ],
      },
      {
        subject: 'nesterov',
        verdict: 'deviates',
        conventions: ['lr-placement'],
        findings: [
          pass('fixture:nesterov/a'),
          {
            check: 'probe:nesterov/lr-change',
            status: 'explained',
            message: 'parts after lr change',
            conventions: ['lr-placement'],
          },
        ],
      },
      { subject: 'adagrad', verdict: 'unsupported', conventions: [], findings: [] },
      {
        subject: 'rmsprop',
        verdict: 'error',
        conventions: [],
        findings: [
          pass('fixture:rmsprop/a'),
          { check: 'fixture:rmsprop/b', status: 'error', message: `step threw: ${HOSTILE}` },
        ],
      },
      {
        subject: 'adam',
        verdict: 'fails',
        conventions: [],
        findings: [
          pass('fixture:adam/a'),
          {
            check: `law:adam/${HOSTILE}`,
            status: 'fail',
            message: HOSTILE,
            counterexample: {
              step: 2,
              coordinate: 0,
              expected: -0,
              actual: Number.NaN,
              relativeError: Number.POSITIVE_INFINITY,
              ulp: Number.NEGATIVE_INFINITY,
              tolerance: '4 ULP: 2 ops x 2 steps, u = 2^-24',
              config: { optimizer: 'adam', learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
              x0: [1, -0],
              gradients: [
                [5e-324, -0],
                [Number.NaN, 1e300],
              ],
              learningRates: [null, 0.5],
              seed: -7,
              path: '0:1:1',
            },
          },
        ],
      },
      { subject: 'schedule:step', verdict: 'conforms', conventions: [], findings: [pass('fixture:schedule:step/a')] },
      { subject: 'schedule:exponential', verdict: 'error', conventions: [], findings: [] },
    ],
    passed: false,
    durationMs: 1234,
  };
}

describe('subject outcome', () => {
  const report = sampleReport();
  const accepted = report.options.accepted;
  test('conforms and unsupported pass, deviates passes only when accepted, fails and error never', () => {
    const passed = Object.fromEntries(report.results.map((r) => [r.subject, subjectPassed(r, accepted)]));
    expect(passed).toEqual({
      sgd: true,
      momentum: true,
      nesterov: false,
      adagrad: true,
      rmsprop: false,
      adam: false,
      'schedule:step': true,
      'schedule:exponential': false,
    });
  });
  test('the first problem skips passes and accepted explanations, and prefers fail/error over unaccepted explanations', () => {
    const [, momentum, nesterov, , rmsprop] = report.results;
    expect(firstProblem(momentum!, accepted)).toBeUndefined();
    expect(firstProblem(nesterov!, accepted)?.check).toBe('probe:nesterov/lr-change');
    expect(firstProblem(rmsprop!, accepted)?.check).toBe('fixture:rmsprop/b');
    expect(
      firstProblem(
        { ...nesterov!, findings: [nesterov!.findings[1]!, { check: 'c', status: 'fail', message: 'm' }] },
        accepted,
      )?.check,
    ).toBe('c');
  });
});

describe('JSON report', () => {
  const schema = JSON.parse(readFileSync(new URL('../docs/report.schema.json', import.meta.url), 'utf8'));
  const validate = new Ajv2020({ strict: true, allErrors: true }).compile(schema);

  test('is valid against docs/report.schema.json and keeps NaN, the infinities and -0 as strings', () => {
    const parsed = JSON.parse(reportToJson(sampleReport()));
    expect(validate(parsed), JSON.stringify(validate.errors)).toBe(true);
    const ce = parsed.results[5].findings[1].counterexample;
    expect([ce.expected, ce.actual, ce.relativeError, ce.ulp]).toEqual(['-0', 'NaN', 'Infinity', '-Infinity']);
    expect(ce.gradients).toEqual([
      [5e-324, '-0'],
      ['NaN', 1e300],
    ]);
    expect(ce.learningRates).toEqual([null, 0.5]);
    expect(parsed.adapter.name).toBe(`evil ${HOSTILE}`);
  });

  test('writes typed arrays as plain arrays and does not touch the report', () => {
    const report = sampleReport();
    const x0 = new Float64Array([1.5, -0]);
    (report.results[5]!.findings[1]!.counterexample as { x0: unknown }).x0 = x0;
    const before = structuredClone(report);
    const parsed = JSON.parse(reportToJson(report));
    expect(parsed.results[5].findings[1].counterexample.x0).toEqual([1.5, '-0']);
    expect(report).toEqual(before);
  });

  test('the schema rejects what the report type forbids', () => {
    const bad = (mutate: (r: Record<string, unknown> & ConformanceReport) => void) => {
      const r = JSON.parse(reportToJson(sampleReport()));
      mutate(r);
      return validate(r);
    };
    expect(bad(() => {})).toBe(true);
    expect(bad((r) => Object.assign(r.adapter, { dtype: 'float8' }))).toBe(false);
    expect(bad((r) => Object.assign(r.results[0]!, { verdict: 'ok' }))).toBe(false);
    expect(bad((r) => Object.assign(r.results[1]!, { conventions: ['made-up'] }))).toBe(false);
    expect(bad((r) => Object.assign(r.results[0]!.findings[0]!, { extra: 1 }))).toBe(false);
    expect(bad((r) => Object.assign(r, { results: [{ ...r.results[0], subject: 'schedule:cosine' }] }))).toBe(false);
    expect(bad((r) => Object.assign(r.results[5]!.findings[1]!.counterexample!, { actual: 'nan' }))).toBe(false);
  });
});

/** What the JUnit writer promises for characters XML cannot carry: a visible \uXXXX. */
const visible = (s: string) =>
  ['\u0000', '\u0007', '\u001b', '\ud800', '\ufffe'].reduce(
    (t, ch) => t.replaceAll(ch, `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`),
    s,
  );

describe('JUnit report', () => {
  test('is read by an XML reader that rejects what is not well-formed', () => {
    for (const bad of [
      '<a><b></a>',
      '<a x="1" x="2"/>',
      '<a>&bogus;</a>',
      '<a>x < y</a>',
      '<a x=1/>',
      '<a>\u0001</a>',
      '<a>',
      '<a/><b/>',
    ]) {
      expect(() => parseXml(bad), bad).toThrow();
    }
    expect(parseXml('<a x="&lt;&#10;&#x41;">1 &amp; 2<b/></a>')).toEqual({
      name: 'a',
      attrs: { x: '<\nA' },
      children: [{ name: 'b', attrs: {}, children: [], text: '' }],
      text: '1 & 2',
    });
  });

  const report = sampleReport();
  const doc = parseXml(reportToJUnit(report));
  const suites = doc.children;
  const suite = (subject: string) => suites.find((s) => s.attrs.name === subject)!;
  const cases = (subject: string) => suite(subject).children.filter((c) => c.name === 'testcase');

  test('is well-formed, with one testsuite per subject and one testcase per finding', () => {
    expect(doc.name).toBe('testsuites');
    expect(suites.map((s) => s.attrs.name)).toEqual(report.results.map((r) => r.subject));
    for (const r of report.results) {
      if (r.findings.length === 0) continue;
      expect(cases(r.subject).map((c) => c.attrs.name)).toEqual(r.findings.map((f) => f.check).map(visible));
    }
  });

  test('fails exactly the problems: fail and unaccepted explanations are failures, adapter errors are errors', () => {
    const kinds = (subject: string) =>
      cases(subject).map(
        (c) => c.children.find((k) => ['failure', 'error', 'skipped'].includes(k.name))?.name ?? 'pass',
      );
    expect(kinds('sgd')).toEqual(['pass', 'pass']);
    expect(kinds('momentum')).toEqual(['pass', 'pass']);
    expect(kinds('nesterov')).toEqual(['pass', 'failure']);
    expect(kinds('adagrad')).toEqual(['skipped']);
    expect(kinds('rmsprop')).toEqual(['pass', 'error']);
    expect(kinds('adam')).toEqual(['pass', 'failure']);
    expect(kinds('schedule:exponential')).toEqual(['error']);
    // Totals by hand: 2+2+2+1+2+2+1+1 cases; failures nesterov, adam; errors rmsprop, schedule:exponential; skipped adagrad.
    expect(doc.attrs).toMatchObject({ tests: '13', failures: '2', errors: '2', skipped: '1', time: '1.234' });
    expect(suite('adam').attrs).toMatchObject({ tests: '2', failures: '1', errors: '0', skipped: '0' });
  });

  test('carries hostile messages and the counterexample, escaped so they decode back', () => {
    const failure = cases('adam')[1]!.children.find((k) => k.name === 'failure')!;
    expect(failure.attrs.message).toBe(visible(HOSTILE));
    expect(failure.text.startsWith(visible(HOSTILE))).toBe(true);
    expect(failure.text).toContain('step 2, coordinate 0: expected -0, actual NaN (relative error Infinity)');
    expect(failure.text).toContain('gradients: [[5e-324, -0], [NaN, 1e+300]]');
    expect(failure.text).toContain('seed -7, path "0:1:1"');
    expect(doc.attrs.name).toBe(`optimspec check: evil ${visible(HOSTILE)} (float32)`);
  });
});

describe('Markdown report', () => {
  const md = reportToMarkdown(sampleReport());
  const lines = md.split('\n');
  const tableRows = lines.filter((l) => l.startsWith('| '));
  const cells = (row: string) => row.split(/(?<!\\)\|/).length - 2;

  test('has a header, a separator and one table row per subject, each with five cells despite pipes and line breaks', () => {
    expect(lines[0]).toMatch(/^## optimspec check: ❌ failed: /);
    expect(tableRows.length).toBe(1 + 8);
    for (const row of tableRows) expect(cells(row)).toBe(5);
    expect(tableRows.find((r) => r.startsWith('| `momentum`'))).toContain('deviates (accepted)');
  });

  test('details each failing subject once, and no passing one', () => {
    const headings = lines.filter((l) => l.startsWith('### ')).map((l) => l.match(/`([^`]+)`/)![1]);
    expect(headings).toEqual(['nesterov', 'rmsprop', 'adam', 'schedule:exponential']);
  });

  test('escapes HTML and cannot be closed early by backticks in a message', () => {
    const outsideCode = md.replace(/^(`{3,})text\n[\s\S]*?\n\1$/gm, '');
    expect(outsideCode).not.toContain('<');
    expect(outsideCode).toContain('x &lt; y &amp;&amp;');
    const adam = md.slice(md.indexOf('### ❌ `adam`'));
    const fence = adam.match(/^(`{3,})text$/m)![1]!;
    expect(fence.length).toBeGreaterThan(3);
    const body = adam.slice(adam.indexOf(`${fence}text\n`) + fence.length + 5);
    expect(body.slice(0, body.indexOf(`\n${fence}`))).toContain(HOSTILE);
  });
});

/** Removes the SGR colour codes the console format writes. */
const stripAnsi = (s: string) =>
  s
    .split('\u001b[')
    .map((part, i) => (i === 0 ? part : part.replace(/^\d+m/, '')))
    .join('');

describe('console report', () => {
  const report = sampleReport();
  test('has no escape codes without colour, even when the adapter sends some', () => {
    const out = reportToConsole(report, { color: false, width: 100 });
    expect(out).not.toContain('\u001b');
    expect(out).not.toContain('\u0007');
    expect(out).toContain('\\u001b[31mred');
    const table = out.split('\n').slice(0, 1 + report.results.length);
    for (const line of table) expect(Array.from(line).length).toBeLessThanOrEqual(100);
    expect(table.at(-1)).toMatch(/^schedule:exponential +error +0\/0/);
    expect(table[0]).toMatch(/^subject +verdict +checks +conventions +first problem$/);
    const nesterov = table.find((l) => l.startsWith('nesterov'))!;
    expect(nesterov).toMatch(/^nesterov +deviates +1\/2 +lr-placement +probe:nesterov\/lr-change: pa.*…$/);
    expect(Array.from(nesterov).length).toBe(100);
    expect(table.find((l) => l.startsWith('momentum'))).toMatch(
      /^momentum +deviates \(accepted\) +2\/2 +dampened-momentum$/,
    );
  });

  test('colours verdicts when asked, one row per subject, and ends with the summary', () => {
    const out = reportToConsole(report, { color: true, width: 120 });
    expect(out).toContain('\u001b[31mfails');
    expect(out).toContain('\u001b[32mconforms');
    const rows = out
      .split('\n')
      .map(stripAnsi)
      .filter((l) => /^(sgd|momentum|nesterov|adagrad|rmsprop|adam|schedule:[a-z-]+) /.test(l));
    expect(rows.length).toBe(8);
    expect(out.trimEnd().split('\n').at(-1)).toMatch(
      /FAIL.*: 2 conforms, 1 deviates \(accepted\), 1 deviates, 1 fails, 2 errors, 1 unsupported in 1\.2 s, seed 42$/,
    );
  });

  test('shows the first problem of each failing subject with its counterexample', () => {
    const out = reportToConsole(report, { color: false });
    expect(out).toContain('adam: fails');
    expect(out).toContain('    gradients: [[5e-324, -0], [NaN, 1e+300]]');
    expect(out).not.toContain('momentum: deviates');
  });

  test('quiet prints only the summary', () => {
    const plain = {
      ...report,
      adapter: { name: 'plain', dtype: 'float64' as const },
      passed: true,
      results: report.results.slice(0, 2),
    };
    expect(reportToConsole(plain, { color: false, quiet: true })).toBe(
      'PASS plain (float64): 1 conforms, 1 deviates (accepted) in 1.2 s, seed 42\n',
    );
  });
});
