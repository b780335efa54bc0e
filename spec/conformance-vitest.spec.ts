import { expect, it } from 'vitest';
import { referenceAdapter } from '../src/adapter/contract.js';
import { checkConformance, plannedChecks } from '../src/conformance/index.js';
import type { ConventionId } from '../src/reference/types.js';
import { subjectFailureMessages } from '../src/report/index.js';
import { ConformanceCheckError, type DescribeConformanceOptions, describeConformance } from '../src/vitest.js';
import { handwritten } from './support/planted/handwritten.js';
import { nesterovOneMinusRho } from './support/planted/user-bugs.js';

// The binding as a user calls it: each check below is a test of this file.
describeConformance(referenceAdapter({ dtype: 'float32' }), { only: ['sgd', 'schedule:inverse-time'] });
// An accepted convention turns the deviation's checks into passing tests.
describeConformance(
  handwritten({
    name: 'eps inside',
    declared: 'float32',
    conventions: { 'epsilon-inside-sqrt': true },
    optimizers: ['rmsprop'],
  }),
  {
    only: ['rmsprop'],
    accept: ['epsilon-inside-sqrt'],
  },
);

it('plannedChecks lists exactly the checks a run reports (the CLI counts its progress by it)', async () => {
  const adapter = referenceAdapter({ dtype: 'float64' });
  const planned = plannedChecks(adapter, { seed: 3, only: ['momentum', 'schedule:step'] });
  const report = await checkConformance(adapter, { seed: 3, only: ['momentum', 'schedule:step'] });
  for (const r of report.results) expect(r.findings.map((f) => f.check)).toEqual(planned.get(r.subject));
});

it('bad options throw at once, with the same messages as checkConformance (not "No test found in suite")', async () => {
  const adapter = referenceAdapter({ dtype: 'float64' });
  const cases: DescribeConformanceOptions[] = [
    { only: ['Adam'] },
    { only: ['adamw'] },
    { accept: ['Epsilon-Hat' as ConventionId] },
    { accept: ['ascent' as ConventionId] },
    { runs: 0 },
  ];
  for (const options of cases) {
    const rejected = await checkConformance(adapter, options).then(
      () => undefined,
      (e: Error) => e.message,
    );
    expect(rejected, JSON.stringify(options)).toBeDefined();
    expect(() => describeConformance(adapter, options)).toThrow(rejected!);
  }
  expect(() => describeConformance(adapter, { only: ['Adam'] })).toThrow(
    'options.only: unknown subject "Adam"; did you mean "adam"? (one of sgd, ',
  );
  expect(() => describeConformance(adapter, { accept: ['Epsilon-Hat' as ConventionId] })).toThrow(
    'did you mean "epsilon-hat"?',
  );
  expect(() => describeConformance(adapter, { accept: ['schedule-one-early' as ConventionId] })).toThrow(
    'options.accept: "schedule-one-early" is a known bug, not a convention: it can be named but never accepted',
  );
});

it('a failing check throws the checker message, with its stack at the caller and no boolean diff', () => {
  const error = new ConformanceCheckError('sgd: fails\n  x0: [-0]', '    at mySpec (/project/my.spec.ts:3:1)');
  expect(error.stack).toBe('ConformanceCheckError: sgd: fails\n  x0: [-0]\n    at mySpec (/project/my.spec.ts:3:1)');
  expect(error).not.toHaveProperty('expected');
  expect(error).not.toHaveProperty('actual');
});

it('a typo in one rule fails one subject, in two tests whose messages fit one screen: the verdict with every problem one line each, the first problem in full', async () => {
  const report = await checkConformance(nesterovOneMinusRho, { seed: 1, only: ['nesterov'] });
  const result = report.results[0]!;
  const problems = result.findings.filter((f) => f.status === 'fail').length;
  expect(problems).toBeGreaterThan(20);
  const failed = subjectFailureMessages(result, [])!;
  const verdict = failed.verdict.split('\n');
  expect(verdict[0]).toBe(`nesterov: fails (${problems} problems)`);
  // Every problem one line each, the golden fixtures' repeats on one: fewer lines than problems.
  expect(verdict.length).toBeLessThan(problems / 2);
  expect(failed.verdict).toContain('(in full under "nesterov: first problem in full")');
  const first = failed.first!.split('\n');
  expect(first[0]).toMatch(/^fixture:nesterov\/float64\/open\/ordinary-0: fail: /);
  expect(failed.first).toMatch(/reference at step 1, coordinate 0: .*old_v 0, v -0\.01/);
  // Both messages, the two FAIL headers and one code frame of 6 lines: one screen.
  expect(verdict.length + first.length + 2 + 6).toBeLessThanOrEqual(40);
  // A passing subject has nothing to say.
  const sgd = (await checkConformance(referenceAdapter({ dtype: 'float64' }), { seed: 1, only: ['sgd'] })).results[0]!;
  expect(subjectFailureMessages(sgd, [])).toBeUndefined();
});
