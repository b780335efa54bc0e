import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, test } from 'vitest';
import { referenceAdapter } from '../src/adapter/contract.js';
import { checkConformance } from '../src/conformance/check.js';
import type { ConformanceReport } from '../src/conformance/types.js';
import { reportToConsole } from '../src/report/console.js';
import { reportToJson } from '../src/report/json.js';
import { reportToJUnit } from '../src/report/junit.js';
import { reportToMarkdown } from '../src/report/markdown.js';
import { findingIsProblem, subjectPassed } from '../src/report/subject-outcome.js';
import { parseXml } from './report-xml-reader.js';
import { handwritten } from './support/planted/handwritten.js';
import { misbehaving } from './support/planted/misbehaving.js';

// Real reports from the checker, one adapter per verdict kind, each through all four
// formats: the formats are written against the agreed types, this proves they agree
// with what checkConformance actually returns.
const schema = JSON.parse(readFileSync(new URL('../docs/report.schema.json', import.meta.url), 'utf8'));
const validate = new Ajv2020({ strict: true, allErrors: true }).compile(schema);

async function reports(): Promise<ConformanceReport[]> {
  const seed = 20261125;
  return [
    await checkConformance(referenceAdapter({ dtype: 'float32' }), { seed, only: ['sgd', 'schedule:step'] }),
    await checkConformance(
      handwritten({
        name: 'keras-style adam',
        declared: 'float32',
        conventions: { 'epsilon-hat': true },
        optimizers: ['adam'],
      }),
      {
        seed,
        only: ['adam', 'sgd'],
        accept: ['epsilon-hat'],
      },
    ),
    await checkConformance(handwritten({ name: 'ascent', declared: 'float64', bug: 'ascent', optimizers: ['sgd'] }), {
      seed,
      only: ['sgd'],
    }),
    await checkConformance(misbehaving('garbage', 'adam'), { seed, only: ['adam', 'sgd'] }),
  ];
}

describe('real reports through every format', async () => {
  const all = await reports();

  test('cover every verdict kind', () => {
    const verdicts = new Set(all.flatMap((r) => r.results.map((x) => x.verdict)));
    expect([...verdicts].sort()).toEqual(['conforms', 'deviates', 'error', 'fails', 'unsupported']);
  });

  test.each(all.map((r) => [r.adapter.name, r] as const))('%s: JSON valid against the schema', (_name, report) => {
    const json = JSON.parse(reportToJson(report));
    expect(validate(json), JSON.stringify(validate.errors)).toBe(true);
  });

  test.each(all.map((r) => [r.adapter.name, r] as const))(
    '%s: JUnit well-formed, failures and errors counted from the findings',
    (_name, report) => {
      const xml = parseXml(reportToJUnit(report));
      expect(xml.children.map((s) => s.attrs.name)).toEqual(report.results.map((r) => r.subject));
      for (const [i, result] of report.results.entries()) {
        const suite = xml.children[i]!;
        const problems = result.findings.filter((f) => findingIsProblem(f, report.options.accepted));
        const errors = result.findings.filter((f) => f.status === 'error').length;
        expect(Number(suite.attrs.errors) + Number(suite.attrs.failures)).toBe(
          problems.length || (subjectPassed(result, report.options.accepted) ? 0 : 1),
        );
        expect(Number(suite.attrs.errors)).toBeGreaterThanOrEqual(errors);
      }
      expect(Number(xml.attrs.failures) + Number(xml.attrs.errors) > 0).toBe(!report.passed);
    },
  );

  test.each(all.map((r) => [r.adapter.name, r] as const))(
    '%s: Markdown has a row per subject and details per failing one',
    (_name, report) => {
      const md = reportToMarkdown(report);
      const rows = md.split('\n').filter((l) => l.startsWith('| `'));
      expect(rows.length).toBe(report.results.length);
      const failing = report.results.filter((r) => !subjectPassed(r, report.options.accepted)).map((r) => r.subject);
      expect(md.split('\n').filter((l) => l.startsWith('### ')).length).toBe(failing.length);
    },
  );

  test.each(all.map((r) => [r.adapter.name, r] as const))(
    '%s: console summary agrees with report.passed',
    (_name, report) => {
      const out = reportToConsole(report, { color: false });
      expect(out).not.toContain('\u001b');
      expect(
        out
          .trimEnd()
          .split('\n')
          .at(-1)!
          .startsWith(report.passed ? 'PASS ' : 'FAIL '),
      ).toBe(true);
      expect(report.passed).toBe(report.results.every((r) => subjectPassed(r, report.options.accepted)));
    },
  );
});
