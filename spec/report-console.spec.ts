import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, test } from 'vitest';
import { checkConformance } from '../src/conformance/check.js';
import type { ConformanceReport, Finding, SubjectResult } from '../src/conformance/types.js';
import { reportToConsole } from '../src/report/console.js';
import { messageWithoutValues } from '../src/report/message-without-values.js';
import { formatErrors, formatRelative, formatUlp, formatValue, MAX_SHOWN_ULP } from '../src/report/format-number.js';
import { reportHints } from '../src/report/hints.js';
import { reportToJson } from '../src/report/json.js';
import { reportToJUnit } from '../src/report/junit.js';
import { reportToMarkdown } from '../src/report/markdown.js';
import { firstProblem } from '../src/report/subject-outcome.js';
import { handwritten } from './support/planted/handwritten.js';

const pass = (check: string): Finding => ({ check, status: 'pass', message: 'ok' });

/** A finding worded as the checker words a fixture mismatch, its values repeated in the counterexample. */
function mismatch(check: string, expected: number, actual: number, extra: Partial<Finding> = {}): Finding {
  return {
    check,
    status: 'fail',
    message: `golden fixture (ordinary): step 1, coordinate 0: expected ${expected}, got ${actual} (relative error ${Math.abs((actual - expected) / expected)}, 126154 ulp)`,
    counterexample: {
      step: 1,
      coordinate: 0,
      expected,
      actual,
      relativeError: Math.abs((actual - expected) / expected),
      ulp: 126154,
      tolerance: '|actual - expected| <= 6.56e-9',
      x0: [1, -0],
      gradients: [[1e-9, -0]],
    },
    ...extra,
  };
}

function report(results: SubjectResult[], extra: Partial<ConformanceReport> = {}): ConformanceReport {
  return {
    optimspec: { version: '0.1.0' },
    adapter: { name: 'mine', dtype: 'float32' },
    fixtures: { provenance: {} },
    options: { runs: 1, seed: 42, accepted: [] },
    results,
    passed: false,
    durationMs: 500,
    ...extra,
  };
}

const long = 'x'.repeat(300);
const adam: SubjectResult = {
  subject: 'adam',
  verdict: 'fails',
  conventions: ['epsilon-hat'],
  bug: 'bias-correction-multiplied',
  findings: [
    pass('fixture:adam/a'),
    mismatch('fixture:adam/b', 0.009999999510932927, 0.009882509708404541, { bug: 'bias-correction-multiplied' }),
    mismatch('fixture:adam/c', 3.0313838426060435e-6, 3.1e-6),
    { check: 'law:adam/first-step', status: 'fail', message: `the first step is large ${long}` },
  ],
};

describe('numbers: one format', () => {
  test('values round-trip, in exponent notation outside [1e-3, 1e6); -0, NaN and the infinities stay visible', () => {
    for (const v of [0.009999999510932927, 3.0313838426060435e-6, 1.54e-7, 123456789.5, 5e-324, 0.001, -999999.9])
      expect(Number(formatValue(v))).toBe(v);
    expect(formatValue(3.0313838426060435e-6)).toBe('3.0313838426060435e-6');
    expect(formatValue(1.54e-7)).toBe('1.54e-7');
    expect(formatValue(0.5)).toBe('0.5');
    expect(formatValue(-0)).toBe('-0');
    expect([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0].map(formatValue)).toEqual([
      'NaN',
      'Infinity',
      '-Infinity',
      '0',
    ]);
  });

  test('relative errors to three significant digits; a sign flip is "opposite sign", not a ULP count across the float line', () => {
    expect(formatRelative(0.011748980827442556)).toBe('0.0117');
    expect(formatRelative(3.0466e-8)).toBe('3.05e-8');
    expect(formatRelative(Number.POSITIVE_INFINITY)).toBe('Infinity');
    expect(formatUlp(9153836458608175000, 0.5, -0.5)).toBe('opposite sign');
    expect(formatUlp(126154, 0.5, 0.49)).toBe('126154 ULP');
    // Zero has no sign to flip: the ULP count is the distance from it.
    expect(formatUlp(3, 0, -1e-323)).toBe('3 ULP');
  });

  test('a huge ULP count gives way to the relative error; a small one stays beside it', () => {
    expect(formatErrors(0.0117, 126154, 0.5, 0.49)).toBe('relative error 0.0117, 126154 ULP');
    expect(formatErrors(3.11e-8, 143340976, 1e-3, 1.0000000311e-3)).toBe('relative error 3.11e-8');
    expect(formatErrors(undefined, 44912345678901230, 1, 1.5)).toBe('relative error 0.5');
    expect(formatErrors(2, 9153836458608175000, 0.5, -0.5)).toBe('relative error 2, opposite sign');
    expect(formatErrors(1e-9, MAX_SHOWN_ULP)).toBe(`relative error 1e-9, ${MAX_SHOWN_ULP} ULP`);
    expect(formatErrors(1e-9, MAX_SHOWN_ULP + 1)).toBe('relative error 1e-9');
    const line = reportToConsole(
      report([
        {
          subject: 'adam',
          verdict: 'fails',
          conventions: [],
          findings: [mismatch('fixture:adam/x', 1e-3, 1.0000000311e-3, {})].map((f) => ({
            ...f,
            counterexample: { ...f.counterexample!, ulp: 44912345678901230 },
          })),
        },
      ]),
      { color: false },
    );
    expect(line).toContain('expected 0.001, actual 0.0010000000311 (relative error 3.11e-8)\n');
    expect(line).not.toMatch(/e\+16 ULP/);
  });

  test('a shrunk problem carries one expected/actual pair, the shrunk one, in its message and on the console', async () => {
    const ascent = await checkConformance(
      handwritten({ name: 'ascent', declared: 'float64', bug: 'ascent', optimizers: ['sgd'] }),
      { seed: 5, only: ['sgd'] },
    );
    const shrunk = ascent.results[0]!.findings.find((f) => f.message.includes('shrunk'))!;
    const c = shrunk.counterexample!;
    expect(shrunk.message.match(/expected/g)).toHaveLength(1);
    expect(shrunk.message).toContain(`expected ${c.expected}, got ${c.actual}`);
    expect(shrunk.message).toMatch(
      /the run first differs at step \d+, coordinate \d+; shrunk to 1 step of 1 coordinate: /,
    );
    const out = reportToConsole(ascent, { color: false });
    const block = out.slice(out.indexOf(`  ${shrunk.check}:`), out.indexOf('    tolerance:'));
    expect(block.match(/expected/g), block).toHaveLength(1);
  });

  test("a message's own expected/got values are removed when the counterexample prints them, others are reformatted", () => {
    const f = adam.findings[1]!;
    expect(messageWithoutValues(f)).toBe('golden fixture (ordinary)');
    const unshrunk: Finding = {
      ...f,
      message: `${f.message}; shrunk to 1 step(s)`,
      counterexample: { ...f.counterexample!, expected: -0.01, actual: 0.01 },
    };
    expect(messageWithoutValues(unshrunk)).toBe(
      'golden fixture (ordinary): step 1, coordinate 0: expected 0.009999999510932927, got 0.009882509708404541 (relative error 0.0117, 126154 ULP); shrunk to 1 step(s)',
    );
  });
});

describe('console report', () => {
  const r = report([{ subject: 'sgd', verdict: 'conforms', conventions: [], findings: [pass('a')] }, adam]);

  test('per subject the first problem in full, the others one line each; expected and actual once', () => {
    const out = reportToConsole(r, { color: false });
    const block = out.slice(out.indexOf('\nadam: fails'));
    expect(block.split('\n')[1]).toBe(
      'adam: fails, known bug bias-correction-multiplied (docs/conventions.md, "Known bugs"; cannot be accepted); otherwise follows epsilon-hat (3 problems)',
    );
    expect(block).toContain('  fixture:adam/b: golden fixture (ordinary)\n    known bug bias-correction-multiplied');
    expect(block).toContain(
      '    step 1, coordinate 0: expected 0.009999999510932927, actual 0.009882509708404541 (relative error 0.0117, 126154 ULP)\n',
    );
    // Once in the whole output: not in the message, not in the table.
    expect(out.split('0.009882509708404541').length - 1).toBe(1);
    expect(block).toContain('\n  fixture:adam/c: golden fixture (ordinary)\n');
    expect(block).not.toContain('3.0313838426060435e-6');
    expect(block).toContain('(--verbose prints each in full');
  });

  test('--verbose prints every problem in full', () => {
    const out = reportToConsole(r, { color: false, verbose: true });
    expect(out).toContain('    step 1, coordinate 0: expected 3.0313838426060435e-6, actual 3.1e-6');
    expect(out).not.toContain('--verbose prints');
  });

  test('nothing is cut without a width (a pipe); on a terminal lines are clipped to it', () => {
    const piped = reportToConsole(r, { color: false });
    expect(piped).toContain(long);
    expect(piped).not.toContain('…');
    const tty = reportToConsole(r, { color: false, width: 80 });
    expect(tty).not.toContain(long);
    for (const line of tty.split('\n').filter((l) => l.includes('xxxx')))
      expect(Array.from(line).length).toBeLessThanOrEqual(80);
  });

  test('the table names the bug and the partial diagnosis', () => {
    const row = reportToConsole(r, { color: false })
      .split('\n')
      .find((l) => l.startsWith('adam '))!;
    expect(row).toMatch(
      /^adam +fails \(bias-correction-multiplied\) +1\/4 +epsilon-hat +fixture:adam\/b: golden fixture \(ordinary\)$/,
    );
  });
});

test('a deviation is illustrated by the scenario that shows its convention, not by the first fixture that differed', () => {
  const explained = (check: string, conventions: SubjectResult['conventions']): Finding => ({
    check,
    status: 'explained',
    message: `explained by ${conventions.join(' + ')}`,
    conventions,
  });
  const nesterov: SubjectResult = {
    subject: 'nesterov',
    verdict: 'deviates',
    conventions: ['lr-placement'],
    findings: [
      explained('fixture:nesterov/float32/open/non-finite-0', ['lr-placement']),
      explained('probe:ordinary', ['lr-placement']),
      explained('probe:lr-changes', ['lr-placement']),
    ],
  };
  const adagrad: SubjectResult = {
    subject: 'adagrad',
    verdict: 'deviates',
    conventions: ['epsilon-inside-sqrt', 'initial-accumulator'],
    findings: [
      explained('fixture:adagrad/float32/open/ordinary-0', ['epsilon-inside-sqrt', 'initial-accumulator']),
      explained('probe:tiny-gradients', ['epsilon-inside-sqrt', 'initial-accumulator']),
    ],
  };
  const out = reportToConsole(report([nesterov, adagrad]), { color: false });
  expect(out.split('\n').find((l) => l.startsWith('nesterov '))).toMatch(
    /probe:lr-changes: explained by lr-placement$/,
  );
  expect(out).toContain(
    'nesterov: deviates by lr-placement (3 problems)\n  probe:lr-changes: explained by lr-placement\n',
  );
  expect(out).toContain(
    'adagrad: deviates by epsilon-inside-sqrt, initial-accumulator (2 problems)\n  probe:tiny-gradients:',
  );
  // The other problems, one line each, drop the "explained by" the heading already says.
  const worded = {
    ...nesterov,
    findings: [
      ...nesterov.findings,
      {
        ...explained('fixture:nesterov/x', ['lr-placement']),
        message: 'explained by lr-placement: golden fixture (x)',
      },
    ],
  };
  expect(reportToConsole(report([worded]), { color: false })).toContain('\n  fixture:nesterov/x: golden fixture (x)\n');
  const mixed = {
    ...nesterov,
    conventions: ['lr-placement', 'non-finite'] as SubjectResult['conventions'],
    findings: worded.findings,
  };
  expect(reportToConsole(report([mixed]), { color: false })).toContain(
    '\n  fixture:nesterov/x: explained by lr-placement: golden fixture (x)\n',
  );
  // Without an illustrating check, the first explained one.
  const plain = { ...nesterov, findings: nesterov.findings.slice(0, 2) };
  expect(reportToConsole(report([plain]), { color: false })).toContain(
    '(2 problems)\n  fixture:nesterov/float32/open/non-finite-0:',
  );
});

describe('hints', () => {
  const deviates = (subject: 'adagrad' | 'rmsprop', conventions: SubjectResult['conventions']): SubjectResult => ({
    subject,
    verdict: 'deviates',
    conventions,
    findings: [{ check: 'probe:tiny-gradients', status: 'explained', message: 'explained', conventions }],
  });

  test('after a deviating run, the exact --accept list that passes (already accepted ids kept: the flag replaces)', () => {
    const r = report(
      [
        deviates('adagrad', ['epsilon-inside-sqrt', 'initial-accumulator']),
        deviates('rmsprop', ['epsilon-inside-sqrt']),
      ],
      {
        options: { runs: 1, seed: 1, accepted: ['initial-accumulator', 'lr-placement'] },
      },
    );
    expect(reportHints(r)).toEqual([
      'the run passes with --accept epsilon-inside-sqrt,initial-accumulator,lr-placement, if your implementation means to follow these conventions (docs/conventions.md says what each id means)',
    ]);
    expect(reportToConsole(r, { color: false })).toContain(
      '\nhint: the run passes with --accept epsilon-inside-sqrt,initial-accumulator,lr-placement',
    );
    expect(reportToMarkdown(r)).toContain('**Hints**');
    const withFailure = report([deviates('rmsprop', ['epsilon-inside-sqrt']), adam]);
    expect(reportHints(withFailure)[0]).toMatch(
      /^--accept epsilon-inside-sqrt would accept the deviations .*would still fail$/,
    );
    expect(reportHints(report([{ subject: 'sgd', verdict: 'conforms', conventions: [], findings: [] }]))).toEqual([]);
  });

  test('a float32 implementation declared float64 gets a dtype hint; a float64 one with a real bug does not', async () => {
    const liar = await checkConformance(
      handwritten({ name: 'f32 as f64', declared: 'float64', computes: 'float32', optimizers: ['momentum'] }),
      { seed: 5, only: ['momentum'] },
    );
    expect(liar.results[0]!.verdict).toBe('fails');
    expect(reportHints(liar).join('\n')).toMatch(
      /declares dtype float64, but \d+ of its \d+ failing checks are off by [\d.e-]+ to [\d.e-]+ relative to their step, the size of float32 rounding .* declare dtype: 'float32'/,
    );
    const ascent = await checkConformance(
      handwritten({ name: 'ascent', declared: 'float64', bug: 'ascent', optimizers: ['sgd'] }),
      { seed: 5, only: ['sgd'] },
    );
    expect(ascent.results[0]!.verdict).toBe('fails');
    expect(reportHints(ascent)).toEqual([]);
    const honest = await checkConformance(handwritten({ name: 'f32', declared: 'float32', optimizers: ['momentum'] }), {
      seed: 5,
      only: ['momentum'],
    });
    expect(reportHints(honest)).toEqual([]);
  });
});

test('a skipped check is counted as skipped, not as passed, in console, Markdown and JUnit', () => {
  const r = report(
    [
      {
        subject: 'rmsprop',
        verdict: 'conforms',
        conventions: [],
        findings: [
          pass('a'),
          { check: 'law:rmsprop/decay-zero', status: 'skipped', message: 'the adapter refused decayRate 0' },
        ],
      },
    ],
    { passed: true },
  );
  expect(reportToConsole(r, { color: false }).split('\n')[1]).toMatch(/^rmsprop +conforms +1\/2, 1 skipped$/);
  expect(reportToMarkdown(r)).toContain('| 1/2, 1 skipped |');
  const xml = reportToJUnit(r);
  expect(xml).toContain(
    '<testcase name="law:rmsprop/decay-zero" classname="optimspec.rmsprop" time="0">\n      <skipped message="the adapter refused decayRate 0"/>',
  );
  expect(xml).toMatch(/<testsuite name="rmsprop" tests="2" failures="0" errors="0" skipped="1"/);
});

test('on a real run, the first problem prints its expected and actual values once (message and counterexample agree)', async () => {
  const eps = await checkConformance(
    handwritten({
      name: 'eps inside',
      declared: 'float32',
      conventions: { 'epsilon-inside-sqrt': true },
      optimizers: ['rmsprop'],
    }),
    { seed: 5, only: ['rmsprop'] },
  );
  const out = reportToConsole(eps, { color: false });
  const first = firstProblem(eps.results[0]!, [])!;
  expect(first.counterexample?.actual).toBeDefined();
  // The checker's message quotes the same values as the counterexample here: that is the duplicate a reader used to see.
  expect(first.message).toContain(`got ${first.counterexample!.actual}`);
  const block = out.slice(out.indexOf('\nrmsprop: deviates'));
  const times = (words: string, value: number) =>
    block.match(new RegExp(`(?:${words}) ${formatValue(value).replace(/[.+]/g, '\\$&')}(?![\\d.e])`, 'g'))?.length ?? 0;
  expect(times('expected', first.counterexample!.expected!), block).toBe(1);
  expect(times('actual|got', first.counterexample!.actual!), block).toBe(1);
});

describe('Markdown, JUnit and JSON carry the known bug and the partial diagnosis', () => {
  const r = report([adam]);
  test('Markdown', () => {
    const md = reportToMarkdown(r);
    expect(md).toContain('❌ fails (known bug `bias-correction-multiplied`)');
    expect(md).toContain(
      '### ❌ `adam`: fails, known bug `bias-correction-multiplied` (cannot be accepted); otherwise follows `epsilon-hat`',
    );
  });
  test('JUnit', () => {
    const xml = reportToJUnit(r);
    expect(xml).toContain('<property name="bug" value="bias-correction-multiplied"/>');
    expect(xml).toContain('known bug bias-correction-multiplied (docs/conventions.md');
  });
  test('JSON: the schema knows bug, skipped, non-finite and the trace, and rejects an unknown bug id', () => {
    const schema = JSON.parse(readFileSync(new URL('../docs/report.schema.json', import.meta.url), 'utf8'));
    const validate = new Ajv2020({ strict: true, allErrors: true }).compile(schema);
    const withAll = report([
      adam,
      {
        subject: 'nesterov',
        verdict: 'deviates',
        conventions: ['non-finite'],
        findings: [{ check: 'law:x', status: 'skipped', message: 'needs eps > 0' }],
      },
    ]);
    expect(validate(JSON.parse(reportToJson(withAll))), JSON.stringify(validate.errors)).toBe(true);
    const traced = report([
      {
        ...adam,
        findings: [
          {
            ...adam.findings[1]!,
            counterexample: {
              ...adam.findings[1]!.counterexample!,
              trace: {
                actual: [[1, -0]],
                expected: [[Number.NaN, 2]],
                bound: [[Number.POSITIVE_INFINITY, 0]],
                learningRates: [0.1],
              },
            },
          },
        ],
      },
    ]);
    expect(validate(JSON.parse(reportToJson(traced))), JSON.stringify(validate.errors)).toBe(true);
    const bad = JSON.parse(reportToJson(withAll));
    bad.results[0].bug = 'off-by-two';
    expect(validate(bad)).toBe(false);
  });
});

describe('a message printed in full keeps its line breaks', () => {
  test("a child's stderr tail stays one log line per line, indented under its check; control characters are still escaped", () => {
    const error: Finding = {
      check: 'fixture:sgd/float64/open/ordinary-0',
      status: 'error',
      message: 'the child exited with status 3\n  last lines of its stderr:\n    line one\r\n    line \u001b[31mtwo',
    };
    const out = reportToConsole(report([{ subject: 'sgd', verdict: 'error', conventions: [], findings: [error] }]), {
      color: false,
    });
    expect(out).toContain(
      '  fixture:sgd/float64/open/ordinary-0: the child exited with status 3\n      last lines of its stderr:\n        line one\n        line \\u001b[31mtwo\n',
    );
  });
});
