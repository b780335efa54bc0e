import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { referenceAdapter } from '../src/adapter/contract.js';
import { checkConformance } from '../src/conformance/check.js';
import { knownBugsFor } from '../src/conformance/known-bugs.js';
import type { Finding } from '../src/conformance/types.js';
import { checkLaw, lawsFor } from '../src/laws/index.js';
import { validateConformanceOptions } from '../src/conformance/validate-options.js';
import {
  epsilonIn,
  finiteValue,
  learningRateIn,
  normalValue,
  positiveEpsilonIn,
  decayFactorIn,
} from '../src/laws/arbitraries.js';
import { f16round } from '../src/numerics/index.js';
import { handAdam } from './support/planted/mixed.js';

// The checker judges float16 (docs/spec.md, "float16 in the checker"): the laws draw what float16
// gives a meaning (lecture.md section 9: hyperparameters rounded where they meet the array).

// A fraction of each law's runs keeps these checks cheap; npm run soak runs them whole over 50 seeds.
const cheap = { seed: 5, runs: 0.3, only: ['adam' as const] };

const sample = (arbitrary: fc.Arbitrary<number>) => fc.sample(arbitrary, { seed: 3, numRuns: 400 });

describe('the laws draw float16 inputs float16 holds', () => {
  it('a positive epsilon is a float16 value of at least 2^-24 (1e-8 would be 0), the lecture 1e-7 among them as 2^-23', () => {
    const drawn = sample(positiveEpsilonIn('float16'));
    for (const eps of drawn) {
      expect(eps).toBeGreaterThanOrEqual(2 ** -24);
      expect(f16round(eps)).toBe(eps);
    }
    expect(drawn).toContain(2 ** -23);
    expect(sample(epsilonIn('float16'))).toContain(0);
    // float32 keeps its own draws: PyTorch's 1e-8 among them.
    expect(sample(positiveEpsilonIn('float32'))).toContain(1e-8);
  });

  it('learning rates are float16 values in [2^-11, 1], decay factors float16 values below 1', () => {
    for (const lr of sample(learningRateIn('float16'))) {
      expect(f16round(lr)).toBe(lr);
      expect(lr).toBeGreaterThanOrEqual(2 ** -11);
      expect(lr).toBeLessThanOrEqual(1);
    }
    for (const beta of sample(decayFactorIn('float16'))) {
      expect(f16round(beta)).toBe(beta);
      expect(beta).toBeLessThan(1);
    }
  });

  it('finite values stay within 2^5 and normal ones within [2^-2, 2^5], so squares and their sums stay finite', () => {
    for (const v of sample(finiteValue('float16', 1e6))) expect(Math.abs(v)).toBeLessThanOrEqual(32);
    for (const v of sample(normalValue('float16', 2 ** -20, 2 ** 20))) {
      expect(Math.abs(v)).toBeGreaterThanOrEqual(0.25);
      expect(Math.abs(v)).toBeLessThanOrEqual(32);
    }
    // A law about tiny gradients keeps its own range, from float16's smallest subnormal.
    for (const v of sample(normalValue('float16', 1e-12, 1e-3)))
      expect(Math.abs(v)).toBeLessThanOrEqual(f16round(1e-3));
  });
});

describe('the checker in float16', () => {
  it('accepts float16 adapters and names an unknown dtype', () => {
    expect(() => validateConformanceOptions(referenceAdapter({ dtype: 'float16' }), {})).not.toThrow();
    expect(() =>
      validateConformanceOptions({ ...referenceAdapter({ dtype: 'float16' }), dtype: 'float8' as never }, {}),
    ).toThrow(/^adapter\.dtype must be 'float16', 'bfloat16', 'float32' or 'float64', got "float8"$/);
  });

  it('the float16 reference conforms on every subject, each law and scenario it is judged by (one seed)', async () => {
    const report = await checkConformance(referenceAdapter({ dtype: 'float16' }), { seed: 5, runs: 0.1 });
    const bad = report.results.filter((r) => r.verdict !== 'conforms');
    expect(bad.map((r) => [r.subject, r.verdict, r.findings.find((f) => f.status !== 'pass')?.message])).toEqual([]);
    expect(report.results.length).toBe(14);
  });

  it("a hand-written float16 Adam (NumPy float16's order) conforms", async () => {
    const [adam] = (await checkConformance(handAdam({ name: 'f16 adam', dtype: 'float16' }), cheap)).results;
    expect(adam!.verdict, JSON.stringify(adam!.findings.filter((f) => f.status !== 'pass'))).toBe('conforms');
  });

  it('epsilon flushed to 0 (TF.js issue 425) fails where the spec keeps float16 epsilon 2^-23: NaN at a zero gradient', async () => {
    const adapter = handAdam({ name: 'f16 adam, eps flushed', dtype: 'float16', flushEpsilon: true });
    const law = lawsFor('adam').find((l) => l.id === 'adam/zero-gradient')!;
    const result = await checkLaw(law, adapter, { seed: 5, numRuns: 20 });
    expect(result.status).toBe('fail');
    expect(result.message).toMatch(/a zero gradient moved x .* got NaN$/);
    expect(
      await checkLaw(law, handAdam({ name: 'f16 adam', dtype: 'float16' }), { seed: 5, numRuns: 20 }),
    ).toMatchObject({
      status: 'pass',
    });
  });

  it('no known bug is an epsilon lost to 0: the laws it fails hold whatever a zero hyperparameter defaults to', () => {
    const zeroDefault = knownBugsFor('adam').find((b) => b.id === 'zero-replaced-by-default')!;
    const finding = (check: string): Finding => ({
      check,
      status: 'fail',
      message: '',
      counterexample: { config: { optimizer: 'adam', learningRate: 1, beta1: 0, beta2: 0, epsilon: 2 ** -23 } },
    });
    expect(zeroDefault.pattern!([finding('law:adam/zero-gradient'), finding('law:adam/first-step')])).toBe(false);
    expect(zeroDefault.pattern!([finding('law:adam/constant-gradient-step')])).toBe(true);
  });
});
