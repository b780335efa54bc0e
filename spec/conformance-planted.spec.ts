import { afterEach, describe, expect, it } from 'vitest';
import { type Adapter, referenceAdapter } from '../src/adapter/contract.js';
import { checkConformance } from '../src/conformance/check.js';
import type { ConformanceReport, Counterexample, SubjectResult } from '../src/conformance/types.js';
import type { ConventionId, OptimizerConfig } from '../src/reference/types.js';
import { handwritten, resetSharedState } from './support/planted/handwritten.js';
import { type Misbehaviour, misbehaving } from './support/planted/misbehaving.js';
import { SOAK } from './support/soak.js';
import { isTensorSubject } from '../src/adapter/index.js';

const SEED = 7;
/**
 * A quarter of the default drawn runs and law runs: the golden fixtures, scenarios and probes all run,
 * and a verdict here does not hang on a drawn run (correct implementations get the full count over 50
 * seeds in `npm run soak`).
 */
const RUNS = 0.25;
const OPTIMIZERS = ['sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adam'] as const;

afterEach(() => resetSharedState());

function result(report: ConformanceReport, subject: string): SubjectResult {
  const found = report.results.find((r) => r.subject === subject);
  if (found === undefined) throw new Error(`no result for ${subject}`);
  return found;
}

function explain(r: SubjectResult): string {
  return `${r.subject}: ${r.verdict} [${r.conventions.join(', ')}] ${r.findings
    .filter((f) => f.status !== 'pass')
    .slice(0, 2)
    .map((f) => `${f.check}: ${f.message}`)
    .join(' | ')}`;
}

/** The shrunk counterexample of a `fails` result: on the first failing numeric finding. */
function counterexampleOf(r: SubjectResult): Counterexample {
  const withInputs = r.findings.find((f) => f.status === 'fail' && f.counterexample?.gradients !== undefined);
  expect(withInputs, explain(r)).toBeDefined();
  return withInputs!.counterexample!;
}

/** Fields every shrunk counterexample must carry (issue 4), and its replay seed. */
function expectComplete(c: Counterexample, config: Partial<OptimizerConfig>): void {
  expect(c.config).toMatchObject(config);
  expect(c.seed).toBe(SEED);
  expect(typeof c.path).toBe('string');
  expect(c.gradients!.length).toBeGreaterThanOrEqual(1);
  expect(c.gradients!.every((g) => g.length === c.x0!.length)).toBe(true);
  expect(c.step).toBeLessThanOrEqual(c.gradients!.length);
  expect(c.coordinate).toBeLessThan(c.x0!.length);
  expect(Number.isFinite(c.expected)).toBe(true);
  expect(c.actual).not.toBe(c.expected);
  expect(c.relativeError).toBeGreaterThan(0);
  expect(c.ulp).toBeGreaterThan(0);
  expect(c.tolerance).toMatch(/running error bound/);
}

describe('planted correct implementations conform', () => {
  it.each(['float32', 'float64'] as const)(
    'a hand-written %s implementation (TF.js op order, float32 hyperparameters, beta**t by repeated multiplication) conforms',
    async (dtype) => {
      const report = await checkConformance(
        handwritten({ name: 'hand', declared: dtype, schedules: ['step', 'exponential', 'inverse-time'] }),
        { seed: SEED, runs: RUNS },
      );
      // A single-vector adapter: the checks over several tensors it does not declare are unsupported, the rest conform.
      for (const r of report.results)
        expect(r.verdict, explain(r)).toBe(isTensorSubject(r.subject) ? 'unsupported' : 'conforms');
      expect(report.passed).toBe(true);
    },
  );
});

describe('planted conventions deviate, naming exactly that convention', () => {
  const cases: [
    ConventionId,
    Parameters<typeof handwritten>[0]['conventions'],
    readonly string[],
    'float32' | 'float64',
  ][] = [
    ['epsilon-inside-sqrt', { 'epsilon-inside-sqrt': true }, ['adagrad', 'rmsprop', 'adam'], 'float32'],
    ['epsilon-hat', { 'epsilon-hat': true }, ['adam'], 'float32'],
    ['no-bias-correction', { 'no-bias-correction': true }, ['adam'], 'float64'],
    ['initial-accumulator', { 'initial-accumulator': 0.1 }, ['adagrad', 'rmsprop'], 'float32'],
    ['dampened-momentum', { 'dampened-momentum': true }, ['momentum'], 'float64'],
    ['lr-placement', { 'lr-placement': true }, ['momentum', 'nesterov'], 'float32'],
  ];
  it.each(cases)('%s', async (id, conventions, subjects, dtype) => {
    const report = await checkConformance(
      handwritten({ name: id, declared: dtype, conventions: conventions ?? {}, optimizers: subjects as never }),
      { seed: SEED, runs: RUNS, only: subjects },
    );
    for (const subject of subjects) {
      const r = result(report, subject);
      expect(r.verdict, explain(r)).toBe('deviates');
      expect(r.conventions).toEqual([id]);
      expect(r.findings.some((f) => f.status === 'explained' && f.conventions?.includes(id))).toBe(true);
      expect(r.findings.some((f) => f.status === 'fail')).toBe(false);
    }
    expect(report.passed).toBe(false);
    // Accepting the convention passes the run: the same code path for every convention, checked for
    // one (the cheapest check) in npm test and for each under the soak.
    if (!SOAK && id !== 'dampened-momentum') return;
    const accepted = await checkConformance(
      handwritten({ name: id, declared: dtype, conventions: conventions ?? {}, optimizers: subjects as never }),
      {
        seed: SEED,
        runs: RUNS,
        only: subjects,
        accept: [id],
      },
    );
    expect(accepted.passed).toBe(true);
  });

  it.each(['adagrad', 'rmsprop'] as const)(
    '%s: initial-accumulator names the value it solved from the first step (0.05 is not among the values tried first)',
    async (rule) => {
      const report = await checkConformance(
        handwritten({
          name: 'acc',
          declared: 'float32',
          conventions: { 'initial-accumulator': 0.05 },
          optimizers: [rule],
        }),
        {
          seed: SEED,
          runs: RUNS,
          only: [rule],
        },
      );
      const r = result(report, rule);
      expect(r.verdict, explain(r)).toBe('deviates');
      expect(r.findings.find((f) => f.status === 'explained')!.message).toMatch(/initial-accumulator = 0\.05:/);
    },
  );
});

describe('float32 arithmetic behind a float64 claim fails', () => {
  it('every optimizer fails, with a one-step counterexample an ulp of float32 away', async () => {
    const report = await checkConformance(handwritten({ name: 'liar', declared: 'float64', computes: 'float32' }), {
      seed: SEED,
      runs: RUNS,
      only: [...OPTIMIZERS],
    });
    for (const subject of OPTIMIZERS) {
      const r = result(report, subject);
      expect(r.verdict, explain(r)).toBe('fails');
      const c = counterexampleOf(r);
      expectComplete(c, { optimizer: subject });
      // A float32 rounding shows as a relative error near 2^-24, far above float64's 2^-53.
      expect(c.relativeError).toBeGreaterThan(2 ** -30);
      expect(c.relativeError).toBeLessThan(2 ** -20);
    }
  });
});

describe('bugs real libraries shipped fail with a minimal counterexample', () => {
  it("SGD with the lecture notes' `+=` (ascent): one step, expected x0 - lr g, got x0 + lr g", async () => {
    const report = await checkConformance(handwritten({ name: 'ascent', declared: 'float64', bug: 'ascent' }), {
      seed: SEED,
      runs: RUNS,
      only: ['sgd'],
    });
    const r = result(report, 'sgd');
    expect(r.verdict, explain(r)).toBe('fails');
    const c = counterexampleOf(r);
    expectComplete(c, { optimizer: 'sgd' });
    expect(c.gradients).toHaveLength(1);
    expect(c.x0).toHaveLength(1);
    const lr = (c.config as { learningRate: number }).learningRate;
    const [x0, g] = [c.x0![0]!, c.gradients![0]![0]!];
    expect(c.expected).toBe(x0 - lr * g);
    expect(c.actual).toBe(x0 + lr * g);
    // The descent law of issue 3 catches the same slip through the law functions.
    expect(r.findings.find((f) => f.check === 'law:sgd/descent')!.status).toBe('fail');
  });

  it("Adam multiplying by 1 - beta**t: fails at step 1, where the spec's step is lr * g / (|g| + eps)", async () => {
    const report = await checkConformance(
      handwritten({ name: 'mult', declared: 'float64', bug: 'adam-multiplies-bias-correction' }),
      { seed: SEED, runs: RUNS, only: ['adam'] },
    );
    const r = result(report, 'adam');
    expect(r.verdict, explain(r)).toBe('fails');
    const c = counterexampleOf(r);
    expectComplete(c, { optimizer: 'adam' });
    expect(c.step).toBe(1);
    const { learningRate, epsilon } = c.config as { learningRate: number; epsilon: number };
    const g = c.gradients![0]![c.coordinate!]!;
    // At t = 1 the bias-corrected moments are g and g^2 exactly; 6 roundings of relative 2^-53 separate float64 from that.
    expect(
      Math.abs(c.expected! - (c.x0![c.coordinate!]! - (learningRate * g) / (Math.abs(g) + epsilon))),
    ).toBeLessThanOrEqual(6 * 2 ** -53 * (Math.abs(c.expected!) + learningRate));
  });

  it.each([
    ['adam-counter-off-by-one', 'float32', 1],
    ['adam-counter-per-coordinate', 'float64', 2],
  ] as const)('Adam with %s (%s) fails; the counterexample needs %i coordinate(s)', async (bug, dtype, coordinates) => {
    const report = await checkConformance(handwritten({ name: bug, declared: dtype, bug }), {
      seed: SEED,
      runs: RUNS,
      only: ['adam'],
    });
    const r = result(report, 'adam');
    expect(r.verdict, explain(r)).toBe('fails');
    const c = counterexampleOf(r);
    expectComplete(c, { optimizer: 'adam' });
    expect(c.x0).toHaveLength(coordinates);
    expect(c.gradients).toHaveLength(1);
  });

  it('momentum applying rho to dx (vx += rho * dx) fails at step 1', async () => {
    const report = await checkConformance(
      handwritten({ name: 'rho', declared: 'float64', bug: 'momentum-rho-on-dx' }),
      { seed: SEED, runs: RUNS, only: ['momentum'] },
    );
    const r = result(report, 'momentum');
    expect(r.verdict, explain(r)).toBe('fails');
    const c = counterexampleOf(r);
    expectComplete(c, { optimizer: 'momentum' });
    expect(c.gradients).toHaveLength(1);
    const { learningRate, rho } = c.config as { learningRate: number; rho: number };
    const [x0, g] = [c.x0![0]!, c.gradients![0]![0]!];
    expect(c.expected).toBe(x0 - learningRate * g);
    expect(c.actual).toBe(x0 - learningRate * (rho * g));
  });

  it('state shared between instances fails, and the interleaved-instances probe shows it', async () => {
    const report = await checkConformance(handwritten({ name: 'shared', declared: 'float64', bug: 'shared-state' }), {
      seed: SEED,
      runs: RUNS,
      only: ['momentum', 'adam'],
    });
    for (const subject of ['momentum', 'adam']) {
      const r = result(report, subject);
      expect(r.verdict, explain(r)).toBe('fails');
      expect(r.findings.find((f) => f.check === 'probe:independence')!.status).toBe('fail');
    }
  });

  it('gradients modified in place fail the immutability check, with step, coordinate, before and after', async () => {
    const report = await checkConformance(
      handwritten({ name: 'mutates', declared: 'float64', bug: 'mutates-gradient' }),
      { seed: SEED, runs: RUNS, only: ['sgd'] },
    );
    const r = result(report, 'sgd');
    expect(r.verdict, explain(r)).toBe('fails');
    const finding = r.findings.find((f) => f.check === 'immutability')!;
    expect(finding.status).toBe('fail');
    expect(finding.counterexample).toMatchObject({ step: 1, actual: 0 });
    expect(finding.counterexample!.expected).not.toBe(0);
    // The trajectory itself is right: only the immutability finding fails.
    expect(r.findings.filter((f) => f.status === 'fail')).toHaveLength(1);
  });

  it('an x0 modified by create fails the immutability check too', async () => {
    const reference = referenceAdapter({ dtype: 'float64' });
    const adapter: Adapter = {
      ...reference,
      async create(config, x0) {
        const stepper = await reference.create(config, x0);
        x0.fill(0);
        return stepper;
      },
    };
    const report = await checkConformance(adapter, { seed: SEED, runs: RUNS, only: ['sgd'] });
    const finding = result(report, 'sgd').findings.find((f) => f.check === 'immutability')!;
    expect(finding.status).toBe('fail');
    expect(finding.message).toMatch(/modified the x0/);
  });

  it('a convention plus a bug at lr = 0 (lr || 0.01): fails "otherwise follows epsilon-inside-sqrt", names zero-replaced-by-default; the lr = 0 edge fixtures and the law show it, every other run is explained', async () => {
    const adapter = handwritten({
      name: 'defaults',
      declared: 'float32',
      conventions: { 'epsilon-inside-sqrt': true },
      bug: 'zero-lr-default',
      optimizers: ['rmsprop'],
    });
    const r = result(await checkConformance(adapter, { seed: SEED, runs: RUNS, only: ['rmsprop'] }), 'rmsprop');
    expect(r.verdict, explain(r)).toBe('fails');
    expect(r.conventions).toEqual(['epsilon-inside-sqrt']);
    expect(r.bug).toBe('zero-replaced-by-default');
    const runs = r.findings.filter((f) => !f.check.startsWith('law:'));
    // Only the runs at learning rate 0 (the golden fixtures at that edge) show the default; the rest follow the convention.
    const shown = runs.filter((f) => f.status === 'fail').map((f) => f.check);
    expect(shown.length).toBeGreaterThan(0);
    expect(
      shown.every((check) => /^fixture:rmsprop\/float32\/open\/edge-lr-zero\./.test(check)),
      shown.join(),
    ).toBe(true);
    expect(
      runs
        .filter((f) => f.status !== 'fail')
        .every(
          (f) => f.status === 'pass' || (f.status === 'explained' && f.conventions?.join() === 'epsilon-inside-sqrt'),
        ),
    ).toBe(true);
    const law = r.findings.find((f) => f.check === 'law:rmsprop/zero-learning-rate')!;
    expect(law.status).toBe('fail');
    expect(law.bug).toBe('zero-replaced-by-default');
    expect((law.counterexample!.config as { learningRate: number }).learningRate).toBe(0);
    expect(law.counterexample!.seed).toBe(SEED);
    expect(typeof law.counterexample!.path).toBe('string');
  });

  it('NaN in x0 replaced by 0 is a difference only where a parameter is NaN: deviates by non-finite (beside its epsilon-inside-sqrt), and passes once both are accepted', async () => {
    const adapter = handwritten({
      name: 'sanitizes',
      declared: 'float32',
      conventions: { 'epsilon-inside-sqrt': true },
      bug: 'sanitizes-x0',
      optimizers: ['rmsprop'],
    });
    const report = await checkConformance(adapter, {
      seed: SEED,
      runs: RUNS,
      only: ['rmsprop'],
      accept: ['epsilon-inside-sqrt', 'non-finite'],
    });
    const r = result(report, 'rmsprop');
    expect(r.verdict, explain(r)).toBe('deviates');
    expect(r.conventions).toEqual(['epsilon-inside-sqrt', 'non-finite']);
    const law = r.findings.find((f) => f.check === 'law:rmsprop/zero-gradient')!;
    expect(law.status).toBe('explained');
    expect(law.conventions).toEqual(['non-finite']);
    expect(law.counterexample!.x0!.some((v) => Number.isNaN(v))).toBe(true);
    expect(report.passed).toBe(true);
  });

  it('schedules that decay one epoch early fail at the first t where it shows', async () => {
    const report = await checkConformance(
      handwritten({
        name: 'early',
        declared: 'float64',
        bug: 'schedule-one-epoch-early',
        schedules: ['step', 'exponential', 'inverse-time'],
      }),
      {
        seed: SEED,
        runs: RUNS,
        only: ['schedule:step', 'schedule:exponential', 'schedule:inverse-time'],
      },
    );
    for (const r of report.results) {
      expect(r.verdict, explain(r)).toBe('fails');
      const c = r.findings.find((f) => f.status === 'fail')!.counterexample!;
      const config = c.config as { schedule: string; every?: number };
      // Step decay first differs one epoch before the first multiple of `every`; the smooth schedules at t = 0.
      expect(c.step).toBe(config.schedule === 'step' ? config.every! - 1 : 0);
    }
  });
});

describe('misbehaving adapters give `error` with their own message, and the run goes on', () => {
  const cases: [Misbehaviour, RegExp][] = [
    ['throws', /step threw: planted failure: out of memory at step 3/],
    ['rejects', /step threw: planted rejection: device lost/],
    ['hangs', /no answer within 100 ms/],
    ['wrong-length', /returned length 5, expected 4/],
    ['garbage', /returned "NaN" at index 0, expected a number/],
    ['create-returns-nothing', /create returned undefined/],
  ];
  it.each(cases)('%s', async (how, pattern) => {
    const report = await checkConformance(misbehaving(how, 'adam'), {
      seed: SEED,
      runs: RUNS,
      only: ['adam', 'sgd'],
      stepTimeoutMs: 100,
    });
    const adam = result(report, 'adam');
    expect(adam.verdict).toBe('error');
    expect(adam.findings.find((f) => f.status === 'error')!.message).toMatch(pattern);
    expect(result(report, 'sgd').verdict).toBe('conforms');
    expect(report.passed).toBe(false);
  });

  it('an adapter that returns its own buffer and overwrites it later still conforms: answers are copied at once', async () => {
    const report = await checkConformance(misbehaving('scribbles-later', 'adam'), {
      seed: SEED,
      runs: RUNS,
      only: ['adam'],
    });
    expect(result(report, 'adam').verdict).toBe('conforms');
  });

  it('the total timeout ends the run with `error: total timeout` for what remains', async () => {
    const report = await checkConformance(misbehaving('hangs', 'sgd'), {
      seed: SEED,
      runs: RUNS,
      only: ['sgd', 'adam'],
      stepTimeoutMs: 5_000,
      totalTimeoutMs: 300,
    });
    expect(result(report, 'sgd').verdict).toBe('error');
    expect(result(report, 'sgd').findings[0]!.message).toMatch(/^total timeout: the time limit of the whole check/);
    expect(result(report, 'adam').verdict).toBe('error');
  });
});
