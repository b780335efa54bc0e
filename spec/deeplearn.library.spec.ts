import { beforeAll, describe, expect, it } from 'vitest';
import type { Adapter } from '../src/adapter/contract.js';
import { checkConformance } from '../src/conformance/check.js';
import type { ConformanceReport, SubjectResult } from '../src/conformance/types.js';
import { MATRIX_SEED } from '../scripts/matrix.js';
import { explain, resultOf } from './support/matrix-helpers.js';

/**
 * The verdicts optimspec gives deeplearn.js 0.5.1 (TF.js's predecessor, CPU
 * backend, float32) through examples/deeplearn.mjs, each justified by its own
 * optimizer code (node_modules/deeplearn/dist/optimizers/*.js): the matrix row
 * `deeplearn` of docs/matrix.md.
 */
let report: ConformanceReport;
const verdict = (subject: string): SubjectResult => resultOf(report, subject);

beforeAll(async () => {
  const adapter = ((await import(new URL('../examples/deeplearn.mjs', import.meta.url).href)) as { default: Adapter })
    .default;
  report = await checkConformance(adapter, { seed: MATRIX_SEED });
});

describe('deeplearn.js 0.5.1 through examples/deeplearn.mjs', () => {
  it('is checked as a float32 implementation of the six optimizers (the CPU backend stores every tensor in a Float32Array)', () => {
    expect(report.adapter.dtype).toBe('float32');
    expect(report.adapter.name).toMatch(/^deeplearn\.js 0\.5\.1/);
  });

  it('sgd conforms: SGDOptimizer.applyGradients computes c.mul(gradient).add(value) with c = scalar(-learningRate) (sgd_optimizer.js:33, 43)', () => {
    expect(verdict('sgd').verdict, explain(verdict('sgd'))).toBe('conforms');
  });

  it("momentum conforms: newAccumulation = m * accumulation + gradient, value += c * newAccumulation (momentum_optimizer.js:46, 52), the lecture's vx = rho vx + dx; x -= lr vx", () => {
    expect(verdict('momentum').verdict, explain(verdict('momentum'))).toBe('conforms');
  });

  it('nesterov deviates by lr-placement: useNesterov adds c * (gradient + m * newAccumulation) (momentum_optimizer.js:49), x -= lr (dx + rho b) with the learning rate outside the velocity', () => {
    const r = verdict('nesterov');
    expect(r.verdict, explain(r)).toBe('deviates');
    expect(r.conventions).toEqual(['lr-placement']);
  });

  it('adagrad deviates by epsilon-inside-sqrt and initial-accumulator 0.1: the accumulator is filled with initialAccumulatorValue = 0.1 and the step divides by sqrt(accumulator + epsilon) (adagrad_optimizer.js:22, 50)', () => {
    const r = verdict('adagrad');
    expect(r.verdict, explain(r)).toBe('deviates');
    expect(r.conventions).toEqual(['epsilon-inside-sqrt', 'initial-accumulator']);
    expect(r.findings.find((f) => f.status === 'explained')!.message).toMatch(/initial-accumulator = 0\.1\b/);
  });

  it('rmsprop deviates by epsilon-inside-sqrt and non-finite: the moment is momentum * moment + c * gradient / sqrt(meanSquare + epsilon), the product formed at momentum 0, so an infinite moment becomes NaN (rmsprop_optimizer.js:63-64)', () => {
    const r = verdict('rmsprop');
    expect(r.verdict, explain(r)).toBe('deviates');
    expect(r.conventions).toEqual(['epsilon-inside-sqrt', 'non-finite']);
    const shown = r.findings.find((f) => f.check === 'probe:non-finite-infinite-step');
    expect(shown?.status, explain(r)).toBe('explained');
    expect(shown?.conventions).toContain('non-finite');
  });

  it('adam conforms: both moments are divided by 1 - accBeta (built by repeated float32 multiplication) and epsilon is added outside the root (adam_optimizer.js:65, 70, 74)', () => {
    expect(verdict('adam').verdict, explain(verdict('adam'))).toBe('conforms');
  });

  it('schedules are unsupported: dl.train offers optimizers only (optimizer_constructors.js)', () => {
    for (const s of ['schedule:step', 'schedule:exponential', 'schedule:inverse-time'])
      expect(verdict(s).verdict).toBe('unsupported');
  });
});
