import { describe, expect, it } from 'vitest';
import { referenceAdapter } from '../src/adapter/contract.js';
import { checkConformance } from '../src/conformance/check.js';
import { allSubjects } from '../src/laws/index.js';
import { type ScenarioRun, compareScenario } from '../src/conformance/run.js';
import { probeScenarios } from '../src/conformance/scenarios.js';
import { errorArithmetic } from '../src/conformance/error-arithmetic.js';
import { boundedTrajectory } from '../src/conformance/tolerance.js';
import { createOptimizer } from '../src/registry/create.js';
import { allocate } from '../src/numerics/dtype.js';
import { loadOptimizerFixtures } from '../src/fixtures/fixtures.js';
import type { ConventionId, Dtype, OptimizerConfig } from '../src/reference/types.js';
import { handwritten } from './support/planted/handwritten.js';

const SEED = 20170418;

/** Runs the reference rule (lecture's, no convention) in a dtype over a fixture case's open-loop gradients. */
function referenceTrajectory(
  config: OptimizerConfig,
  dtype: Dtype,
  x0: number[],
  grads: number[][],
  rates?: number[],
): Float64Array[] {
  const x = allocate(dtype, x0.length);
  x.set(x0);
  const optimizer = createOptimizer(config, { size: x0.length, dtype });
  return grads.map((g, k) => {
    optimizer.step(x, g, rates?.[k]);
    return Float64Array.from(x);
  });
}

const openCases = loadOptimizerFixtures()
  .filter((f) => f.dtype === 'float32')
  .flatMap((f) => f.cases)
  .filter((c) => c.loop.kind === 'open' && Object.keys(c.conventions).length === 0);

describe('tolerance model (src/conformance/tolerance.ts)', () => {
  it('error arithmetic: a float32 product of two float32 values lies within its bound of the exact product', () => {
    const A = errorArithmetic('float32');
    const a = A.input(Math.fround(0.1));
    const b = A.input(Math.fround(3));
    const p = A.mul(a, b);
    expect(Math.abs(Math.fround(Math.fround(0.1) * 3) - p.v)).toBeLessThanOrEqual(p.e);
    // u_float32 + u_float64 per operation (tolerance.ts header): the unit roundoffs themselves.
    expect(A.u).toBe(2 ** -24 + 2 ** -53);
  });

  it('a denominator lost in its own error makes the bound infinite, not wrong', () => {
    const A = errorArithmetic('float32');
    const q = A.div(A.exact(1), { v: 1e-9, e: 2e-9 });
    expect(q.e).toBe(Number.POSITIVE_INFINITY);
  });

  it('a value beyond float32 range gets an infinite bound (the implementation may overflow)', () => {
    const A = errorArithmetic('float32');
    expect(A.mul(A.exact(1e20), A.exact(1e20)).e).toBe(Number.POSITIVE_INFINITY);
    expect(A.product(A.exact(1e-3), A.exact(2e19), A.exact(2e19)).e).toBe(Number.POSITIVE_INFINITY);
  });

  it.each(openCases.map((c) => [c.id, c] as const))(
    '%s: the NumPy-exact float32 reference and a TF.js-ordered float32 implementation stay within the float32 bound',
    async (_id, c) => {
      const grads = (c.loop as { gradients: number[][] }).gradients;
      const bounded = boundedTrajectory(c.config, {}, 'float32', c.x0, grads, c.learningRates);
      const f64 = referenceTrajectory(c.config, 'float64', c.x0, grads, c.learningRates);
      const f32 = referenceTrajectory(c.config, 'float32', c.x0, grads, c.learningRates);
      const other = (await handwritten({ name: 'tfjs-order', declared: 'float32' }).create(
        c.config,
        Float64Array.from(c.x0),
      )) as {
        step(g: Float64Array, lr?: number): Float64Array;
      };
      for (let k = 0; k < grads.length; k++) {
        const mine = other.step(Float64Array.from(grads[k]!), c.learningRates?.[k]);
        for (let i = 0; i < c.x0.length; i++) {
          const e = f64[k]![i]!;
          const bound = bounded.bound[k]![i]!;
          if (!Number.isFinite(e) || !(bound < Number.POSITIVE_INFINITY)) continue;
          // Model values and the float64 reference are two float64 evaluations of the rule, each within the u64 share (u64 / u32 = 2^-29) of the bound: 2 * 2^-29.
          expect(Math.abs(bounded.x[k]![i]! - e)).toBeLessThanOrEqual(bound * 2 ** -28);
          expect(Math.abs(f32[k]![i]! - e), `${c.id} reference step ${k + 1} coord ${i}`).toBeLessThanOrEqual(bound);
          expect(Math.abs(mine[i]! - e), `${c.id} tfjs-order step ${k + 1} coord ${i}`).toBeLessThanOrEqual(bound);
        }
      }
    },
  );

  it('the float64 bound is far too tight for float32 arithmetic: float32 results part from float64 by >= 1e3 times it somewhere', () => {
    const ratios = openCases
      .filter((c) => c.regime === 'ordinary')
      .map((c) => {
        const grads = (c.loop as { gradients: number[][] }).gradients;
        const bounded = boundedTrajectory(c.config, {}, 'float64', c.x0, grads);
        const f64 = referenceTrajectory(c.config, 'float64', c.x0, grads);
        const f32 = referenceTrajectory(c.config, 'float32', c.x0, grads);
        let worst = 0;
        for (let k = 0; k < grads.length; k++)
          for (let i = 0; i < c.x0.length; i++)
            worst = Math.max(worst, Math.abs(f32[k]![i]! - f64[k]![i]!) / bounded.bound[k]![i]!);
        return worst;
      });
    expect(ratios.length).toBeGreaterThan(5);
    // u32 / u64 = 2^29 = 5e8; operation counts and conditioning in the bound cost at most ~1e4 of it over 20 steps.
    for (const ratio of ratios) expect(ratio).toBeGreaterThan(1e3);
  });
});

describe('the bound over long runs', () => {
  // The moving averages are tracked in the interpolation form too, m + (1 - beta) (x - m), where m enters twice:
  // counted as two independent operands its error grew by (2 - beta) per step (float32 Adam: 1.7 at step 200).
  it.each([
    { optimizer: 'adam', learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 },
    { optimizer: 'rmsprop', learningRate: 1e-3, decayRate: 0.99, epsilon: 1e-8 },
  ] as OptimizerConfig[])(
    '$optimizer over 1000 float32 steps of a constant gradient: the bound grows linearly',
    (config) => {
      const steps = 1000;
      const bounded = boundedTrajectory(
        config,
        {},
        'float32',
        [1],
        Array.from({ length: steps }, () => [0.5]),
      );
      const u = 2 ** -24 + 2 ** -53;
      // |x| <= 1 throughout; each step adds at most 40 roundings of magnitude <= 1 (the update's, its state's, both forms').
      for (let t = 0; t < steps; t++) expect(bounded.bound[t]![0]!).toBeLessThan((t + 1) * 40 * u);
    },
  );
  it('dampened momentum (its interpolation form) over 1000 float32 steps: the bound grows linearly', () => {
    const steps = 1000;
    const config: OptimizerConfig = { optimizer: 'momentum', learningRate: 1e-4, rho: 0.9 };
    const grads = Array.from({ length: steps }, () => [0.5]);
    const bounded = boundedTrajectory(config, { 'dampened-momentum': true }, 'float32', [1], grads);
    const u = 2 ** -24 + 2 ** -53;
    for (let t = 0; t < steps; t++) expect(bounded.bound[t]![0]!).toBeLessThan((t + 1) * 40 * u);
  });
});

describe('checkConformance on the reference', () => {
  it.each(['float64', 'float32'] as const)(
    'referenceAdapter(%s) conforms on every subject, and the report is complete',
    async (dtype) => {
      const report = await checkConformance(referenceAdapter({ dtype }), { seed: SEED });
      expect(report.results.map((r) => r.subject)).toEqual(allSubjects());
      for (const result of report.results) {
        expect(
          result.verdict,
          `${result.subject}: ${result.findings
            .filter((f) => f.status !== 'pass')
            .map((f) => f.message)
            .join('; ')}`,
        ).toBe('conforms');
        expect(result.findings.length).toBeGreaterThan(5);
      }
      expect(report.passed).toBe(true);
      expect(report.adapter).toEqual({ name: `optimspec reference (${dtype})`, dtype });
      expect(report.options).toEqual({ runs: 1, seed: SEED, accepted: [] });
      expect(report.optimspec.version).toMatch(/^\d+\.\d+\.\d+/);
      expect(report.fixtures.provenance).toHaveProperty('generatorSha256');
    },
  );

  it('only, unsupported and progress: subjects outside `only` are not reported, unsupported ones say so', async () => {
    const events: string[] = [];
    const adapter = { ...referenceAdapter({ dtype: 'float64' }), optimizers: ['sgd'] as const, schedules: [] };
    const report = await checkConformance(adapter, {
      seed: SEED,
      only: ['sgd', 'adam', 'schedule:step'],
      onProgress: (e) => events.push(`${e.subject} ${e.check}`),
    });
    expect(report.results.map((r) => [r.subject, r.verdict])).toEqual([
      ['sgd', 'conforms'],
      ['adam', 'unsupported'],
      ['schedule:step', 'unsupported'],
    ]);
    expect(report.passed).toBe(true);
    expect(events).toContain('sgd probe:tiny-gradients');
    expect(events.every((e) => e.startsWith('sgd '))).toBe(true);
  });

  it('rejects a malformed adapter and options with the field and the value', async () => {
    await expect(
      checkConformance({ ...referenceAdapter({ dtype: 'float64' }), dtype: 'float8' as Dtype }),
    ).rejects.toThrow(/adapter\.dtype.*"float8"/);
    await expect(checkConformance(referenceAdapter({ dtype: 'float64' }), { runs: 0 })).rejects.toThrow(
      /options\.runs.*0/,
    );
    await expect(checkConformance(referenceAdapter({ dtype: 'float64' }), { only: ['adamw'] })).rejects.toThrow(
      /options\.only.*"adamw"/,
    );
    await expect(
      checkConformance(referenceAdapter({ dtype: 'float64' }), { accept: ['eps-inside' as ConventionId] }),
    ).rejects.toThrow(/options\.accept.*"eps-inside"/);
  });
});

describe('scenario comparison', () => {
  it('a run that differs from the reference by one float32 ulp at a coordinate where the bound is a fraction of an ulp fails there', () => {
    const scenario = probeScenarios('sgd', 'float64')[0]!;
    const grads = scenario.gradients!.map((g) => Float64Array.from(g));
    const xs = referenceTrajectory(scenario.config, 'float64', scenario.x0, scenario.gradients!);
    xs[2]![1] = xs[2]![1]! * (1 + 2 ** -23);
    const run: ScenarioRun = {
      scenario,
      instances: [{ config: scenario.config, x0: scenario.x0, gradients: grads, xs }],
    };
    const result = compareScenario(run, 'float64', {});
    expect(result.mismatch).toMatchObject({ step: 3, coordinate: 1 });
    expect(result.mismatch!.relativeError).toBeCloseTo(2 ** -23, 12);
  });
});
