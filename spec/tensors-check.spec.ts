import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { reportToConsole } from '../src/report/console.js';
import { reportToHtml } from '../src/report/html.js';
import { reportToJson } from '../src/report/json.js';
import { reportToJUnit } from '../src/report/junit.js';
import { reportToMarkdown } from '../src/report/markdown.js';
import { type Adapter, referenceAdapter } from '../src/adapter/index.js';
import { AdapterError } from '../src/adapter/index.js';
import { checkConformance } from '../src/conformance/check.js';
import type { ConformanceReport, SubjectResult } from '../src/conformance/types.js';
import { unsupported } from '../src/adapter/index.js';
import type { Dtype, OptimizerName } from '../src/reference/types.js';
import type { TensorAdapter, TensorStepper } from '../src/adapter/index.js';
import { checkpoint } from '../src/adapter/index.js';
import { isTensorSubject, TENSOR_SUBJECTS, type TensorSubject } from '../src/adapter/index.js';
import { knownBugs } from '../src/conformance/known-bugs.js';
import { handwritten } from './support/planted/handwritten.js';
import { type TensorBug, tensorImplementation } from './support/planted/tensors.js';
import { SOAK } from './support/soak.js';

// docs/spec.md section 9 as conformance checks: every planted bug of spec/support/planted/tensors.ts
// is caught by its subject and named, the other subjects keep the verdicts the same implementation
// has without the bug (attribution), correct implementations conform, and an adapter that does not
// declare a use gets `unsupported` for it. Under `npm run soak` (OPTIMSPEC_SOAK=1) it checks every
// subject, the single-vector ones included, in both dtypes; by default the subjects over several
// tensors in float64, with the float32-only cases.

const ALL = SOAK || process.env.OPTIMSPEC_ATTRIBUTION === 'all';
const SEED = 18;
const RUNS = 0.25;
/** The optimizers the planted implementations offer here: one with no state, one with a velocity, Adam's counter. */
const OPTIMIZERS: readonly OptimizerName[] = ALL
  ? ['sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adam']
  : ['sgd', 'momentum', 'adam'];
const ONLY = ALL ? undefined : [...TENSOR_SUBJECTS];

async function check(adapter: Adapter, only: readonly string[] | undefined = ONLY): Promise<ConformanceReport> {
  return checkConformance(adapter, { seed: SEED, runs: RUNS, ...(only === undefined ? {} : { only }) });
}

function verdicts(report: ConformanceReport): Map<string, string> {
  return new Map(
    report.results.map((r) => [
      r.subject,
      `${r.verdict}${r.conventions.length ? ` [${r.conventions.join(', ')}]` : ''}${r.bug ? ` (${r.bug})` : ''}`,
    ]),
  );
}

function result(report: ConformanceReport, subject: string): SubjectResult {
  const found = report.results.find((r) => r.subject === subject);
  if (found === undefined) throw new Error(`no result for ${subject}`);
  return found;
}

const explain = (r: SubjectResult) =>
  r.findings
    .filter((f) => f.status !== 'pass')
    .map((f) => `${f.check}: ${f.status}: ${f.message}`)
    .join('\n');

/** A bug, the subject that must catch it, and the verdict it must get there. */
const CASES: [TensorBug, TensorSubject, string, readonly Dtype[]][] = [
  ['step-counter-counts-tensors', 'tensors:several', 'fails (step-counter-counts-tensors)', ['float64']],
  ['global-step', 'tensors:missing-gradient', 'deviates [global-step]', ['float64']],
  [
    'missing-gradient-advances-state',
    'tensors:missing-gradient',
    'fails (missing-gradient-advances-state)',
    ['float64'],
  ],
  ['state-lost-on-restore:flag', 'tensors:save-restore', 'fails (state-lost-on-restore)', ['float64']],
  ['state-lost-on-restore:counter', 'tensors:save-restore', 'fails (state-lost-on-restore)', ['float32']],
  ['state-lost-on-restore:schedule', 'tensors:save-restore', 'fails (state-lost-on-restore)', ['float64']],
  ['state-downcast', 'tensors:save-restore', 'fails (state-downcast)', ['float32', 'float64']],
  ['schedule-one-early', 'tensors:own-schedule', 'fails (schedule-one-early)', ['float64']],
];

/** The reports of the bug cases, for the report formats below. */
const bugReports = new Map<string, ConformanceReport>();

const bases = new Map<Dtype, Promise<Map<string, string>>>();
function base(dtype: Dtype): Promise<Map<string, string>> {
  if (!bases.has(dtype))
    bases.set(dtype, check(tensorImplementation({ name: 'correct', dtype, optimizers: OPTIMIZERS })).then(verdicts));
  return bases.get(dtype)!;
}

describe('correct implementations over several tensors conform', () => {
  it.each(['float64', 'float32'] as const)('the hand-written one, %s: every subject conforms', async (dtype) => {
    const report = await check(tensorImplementation({ name: 'correct', dtype, optimizers: OPTIMIZERS }));
    for (const r of report.results) expect(r.verdict, `${r.subject}\n${explain(r)}`).toBe('conforms');
    expect(report.passed).toBe(true);
  });

  it('the reference, float32: every subject over several tensors conforms', async () => {
    const report = await check(referenceAdapter({ dtype: 'float32' }), TENSOR_SUBJECTS);
    for (const r of report.results) expect(r.verdict, `${r.subject}\n${explain(r)}`).toBe('conforms');
  });
});

describe('each planted bug is caught by its subject and named; every other subject keeps its verdict', () => {
  it('covers every known bug of a subject over several tensors, and global-step', () => {
    const named = new Set(CASES.map(([, , verdict]) => /\((.+)\)|\[(.+)\]/.exec(verdict)!.slice(1).find(Boolean)));
    const expected = knownBugs.filter((b) => b.subjects.some(isTensorSubject)).map((b) => b.id);
    expect([...named].sort()).toEqual([...expected, 'global-step'].sort());
  });

  const cases = CASES.flatMap(([bug, subject, verdict, dtypes]) =>
    (ALL ? (['float64', 'float32'] as const) : dtypes).map((dtype) => [bug, subject, verdict, dtype] as const),
  );
  it.each(cases)('%s, caught by %s as %s (%s)', async (bug, subject, verdict, dtype) => {
    const report = await check(tensorImplementation({ name: bug, dtype, bug, optimizers: OPTIMIZERS }));
    bugReports.set(`${bug} ${dtype}`, report);
    const got = verdicts(report);
    expect(got.get(subject), explain(result(report, subject))).toBe(verdict);
    for (const [other, was] of await base(dtype)) if (other !== subject) expect(got.get(other), other).toBe(was);
    // The message of every finding the bug or convention explains names the tensor and the step.
    const named = result(report, subject).findings.filter((f) => f.bug !== undefined || f.status === 'explained');
    expect(named.length).toBeGreaterThan(0);
    for (const f of named) {
      expect(f.message).toMatch(/tensor \d+ .*step \d+/);
      expect(f.counterexample?.tensor).toBeTypeOf('number');
      expect(f.counterexample?.run?.steps.length).toBeGreaterThan(0);
      expect(f.replay).toMatch(/^r1\./);
    }
  });

  it('a counterexample is shrunk to the fewest tensors and steps: the per-tensor counter shows with two tensors in one step', async () => {
    const report = await check(
      tensorImplementation({
        name: 'flashlight',
        dtype: 'float64',
        bug: 'step-counter-counts-tensors',
        optimizers: ['adam'],
      }),
      ['tensors:several'],
    );
    const run = result(report, 'tensors:several').findings.find((f) => f.status === 'fail')!.counterexample!.run!;
    expect(run.x0.length).toBe(2);
    expect(run.steps.length).toBe(1);
  });

  it('the replay token re-runs exactly that check and finds the same counterexample', async () => {
    const adapter = tensorImplementation({
      name: 'zero-filled',
      dtype: 'float64',
      bug: 'missing-gradient-advances-state',
      optimizers: ['adam'],
    });
    const first = result(await check(adapter, ['tensors:missing-gradient']), 'tensors:missing-gradient');
    const failing = first.findings.find((f) => f.status === 'fail')!;
    const again = await checkConformance(adapter, { replay: failing.replay! });
    expect(again.results.map((r) => r.subject)).toEqual(['tensors:missing-gradient']);
    const replayed = again.results[0]!.findings.filter((f) => f.status !== 'skipped');
    expect(replayed.map((f) => f.check)).toEqual([failing.check]);
    expect(replayed[0]!.counterexample?.run).toEqual(failing.counterexample?.run);
    expect(replayed[0]!.bug).toBe('missing-gradient-advances-state');
  });

  it('--accept global-step passes the implementation that keeps one step counter', async () => {
    const adapter = tensorImplementation({
      name: 'tfjs-like',
      dtype: 'float32',
      bug: 'global-step',
      optimizers: ['adam'],
    });
    const options = { seed: SEED, runs: RUNS, only: ['tensors:missing-gradient'] };
    expect((await checkConformance(adapter, options)).passed).toBe(false);
    expect((await checkConformance(adapter, { ...options, accept: ['global-step'] })).passed).toBe(true);
  });
});

describe('every report format names global-step and the four known bugs over several tensors, with the tensor and the step', () => {
  const schema = JSON.parse(readFileSync(new URL('../docs/report.schema.json', import.meta.url), 'utf8'));
  const validate = new Ajv2020({ strict: true, allErrors: true }).compile(schema);
  it('console, Markdown, JUnit, JSON (valid against docs/report.schema.json) and HTML', async () => {
    const ids = [
      'step-counter-counts-tensors',
      'global-step',
      'missing-gradient-advances-state',
      'state-lost-on-restore',
      'state-downcast',
    ];
    for (const id of ids) {
      const report = [...bugReports.entries()].find(([key]) => key.startsWith(id))?.[1];
      expect(report, id).toBeDefined();
      const json = JSON.parse(reportToJson(report!));
      expect(validate(json), JSON.stringify(validate.errors)).toBe(true);
      const texts = {
        console: reportToConsole(report!, { color: false }),
        markdown: reportToMarkdown(report!),
        junit: reportToJUnit(report!),
        json: reportToJson(report!),
        html: await reportToHtml(report!),
      };
      for (const [format, text] of Object.entries(texts)) {
        expect(text, `${format} names ${id}`).toContain(id);
        expect(text, `${format} names the tensor and the step`).toMatch(/tensor \d+ .*step \d+/);
      }
    }
  });
});

describe('what an adapter does not declare is unsupported, never an error; what it declares and breaks is an error', () => {
  it('a single-vector adapter keeps its verdicts: the five subjects are unsupported with no finding', async () => {
    const report = await checkConformance(handwritten({ name: 'hand', declared: 'float64', optimizers: ['sgd'] }), {
      seed: SEED,
      runs: RUNS,
      only: ['sgd', ...TENSOR_SUBJECTS],
    });
    expect(verdicts(report)).toEqual(
      new Map([['sgd', 'conforms'], ...TENSOR_SUBJECTS.map((s) => [s, 'unsupported'] as [string, string])]),
    );
    for (const subject of TENSOR_SUBJECTS) expect(result(report, subject).findings).toEqual([]);
    const only = await checkConformance(handwritten({ name: 'hand', declared: 'float64', optimizers: ['sgd'] }), {
      seed: SEED,
      only: ['tensors:several'],
    });
    expect(only.passed).toBe(false);
    expect(only.reason).toMatch(/nothing was checked/);
  });

  it('each use is its own declaration: tensors alone checks several tensors and groups-free probes only', async () => {
    const full = tensorImplementation({ name: 'partial', dtype: 'float64', optimizers: ['sgd'] });
    const partial: Adapter & TensorAdapter = { ...full, tensors: { tensors: true } };
    expect(verdicts(await check(partial, TENSOR_SUBJECTS))).toEqual(
      new Map([
        ['tensors:several', 'conforms'],
        ['tensors:missing-gradient', 'unsupported'],
        ['tensors:groups', 'unsupported'],
        ['tensors:own-schedule', 'unsupported'],
        ['tensors:save-restore', 'unsupported'],
      ]),
    );
  });

  it('a declared use the instance lacks, a throwing createTensors, a refusal of everything', async () => {
    const full = tensorImplementation({ name: 'broken', dtype: 'float64', optimizers: ['sgd'] });
    const noSave: Adapter & TensorAdapter = {
      ...full,
      createTensors(spec) {
        const { save: _save, ...rest } = full.createTensors!(spec) as TensorStepper;
        return rest as never;
      },
    };
    const saving = result(await check(noSave, ['tensors:save-restore']), 'tensors:save-restore');
    expect(saving.verdict).toBe('error');
    expect(saving.findings[0]!.message).toMatch(/declares saveRestore but its instance has no save method/);
    const throwing: Adapter & TensorAdapter = {
      ...full,
      createTensors() {
        throw new Error('no tensors today');
      },
    };
    const thrown = result(await check(throwing, ['tensors:several']), 'tensors:several');
    expect(thrown.verdict).toBe('error');
    expect(thrown.findings[0]!.message).toMatch(/createTensors threw: no tensors today/);
    const refusing: Adapter & TensorAdapter = { ...full, createTensors: () => unsupported('one tensor only') };
    const refused = result(await check(refusing, ['tensors:several']), 'tensors:several');
    expect(refused.verdict).toBe('error');
    expect(refused.findings.map((f) => f.status)).toContain('skipped');
    expect(refused.findings.at(-1)!.message).toMatch(/refused every configuration of tensors:several/);
  });
});

describe('the checkpoint a saved state goes through', () => {
  it('keeps -0, NaN, the infinities and subnormals; typed arrays come back as arrays of numbers', () => {
    const saved = checkpoint({
      m: new Float32Array([-0, Number.NaN, 1e-45]),
      t: 3,
      nested: [{ v: [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 5e-324] }],
      flag: true,
      name: null,
    }) as { m: number[]; t: number; nested: { v: number[] }[]; flag: boolean; name: null };
    expect(Object.is(saved.m[0], -0)).toBe(true);
    expect(saved.m.slice(1)).toEqual([Number.NaN, Math.fround(1e-45)]);
    expect(Array.isArray(saved.m)).toBe(true);
    expect(saved.nested[0]!.v).toEqual([Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 5e-324]);
    expect(saved.t).toBe(3);
    expect(saved.flag).toBe(true);
  });

  it('refuses what a checkpoint cannot hold, naming where it is', () => {
    expect(() => checkpoint({ state: [{ step: () => 1 }] })).toThrow(AdapterError);
    expect(() => checkpoint({ state: [{ step: () => 1 }] })).toThrow(
      /save returned a function at state\.state\[0\]\.step/,
    );
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => checkpoint(cycle)).toThrow(/nested deeper than 64 levels/);
    expect(() => checkpoint({ m: new Map() })).toThrow(/save returned a object at state\.m/);
  });
});
