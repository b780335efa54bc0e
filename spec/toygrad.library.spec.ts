import { beforeAll, describe, expect, it } from 'vitest';
import type { Adapter } from '../src/adapter/contract.js';
import { checkConformance } from '../src/conformance/check.js';
import type { ConformanceReport, SubjectResult } from '../src/conformance/types.js';
import { MATRIX_SEED } from '../scripts/matrix.js';
import { explain, instance, resultOf } from './support/matrix-helpers.js';

/**
 * The verdicts optimspec gives toygrad 2.6.0 (a port of convnetjs's later
 * GitHub Trainer, with its Nesterov and Adam) through examples/toygrad.mjs,
 * each justified by node_modules/toygrad/dist/trainers/abstract.js: the matrix
 * row `toygrad` of docs/matrix.md.
 */
let report: ConformanceReport;
const verdict = (subject: string): SubjectResult => resultOf(report, subject);
let adapter: Adapter;

beforeAll(async () => {
  adapter = ((await import(new URL('../examples/toygrad.mjs', import.meta.url).href)) as { default: Adapter }).default;
  report = await checkConformance(adapter, { seed: MATRIX_SEED });
});

describe('toygrad 2.6.0 through examples/toygrad.mjs', () => {
  it('is checked in float32 (class Buffer extends Float32Array, buffer.js:3) for the trainers it has: SGD (momentum 0 or rho), Nesterov, Adagrad, Adam', () => {
    expect(report.adapter.dtype).toBe('float32');
    expect(adapter.optimizers).toEqual(['sgd', 'momentum', 'nesterov', 'adagrad', 'adam']);
  });

  it("the adapter runs toygrad's own Adam: the first step is lr (1 - beta1)^2 / (1 - beta2) = 10 lr at the lecture's betas, not about lr, because biasCorr1 = m * (1 - beta1**k) (abstract.js:70-72)", async () => {
    const stepper = await instance(
      adapter,
      { optimizer: 'adam', learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
      [0],
    );
    const x = (await stepper.step(Float64Array.from([1])))[0]!;
    // After one step m = 0.1 and v = 0.001; toygrad multiplies them by 1 - 0.9 and 1 - 0.999: -lr * 0.01 / (sqrt(1e-6) + eps) = -0.0099990..., about 10 lr.
    const multiplied = (-0.001 * (0.1 * 0.1)) / (Math.sqrt(0.001 * 0.001) + 1e-7);
    // Three float32 roundings (stored m, v and x) move it by at most 3 * 2^-24 = 1.8e-7 relative; 1e-6 covers that, and the spec's step (about -lr) is 90% away.
    expect(Math.abs(x - multiplied) / Math.abs(multiplied)).toBeLessThan(1e-6);
  });

  it('sgd deviates by non-finite only: p += -learningRate * gij (abstract.js:101) is the spec, but gij = (l2grad + l1grad + g) with l2grad = 0 * p (abstract.js:63-64) makes an infinite parameter NaN', () => {
    const r = verdict('sgd');
    expect(r.verdict, explain(r)).toBe('deviates');
    expect(r.conventions).toEqual(['non-finite']);
  });

  it('momentum deviates by lr-placement and non-finite: dx = momentum * gsum - learningRate * gij; p += dx (abstract.js:95), and 0 * p makes an infinite parameter NaN', () => {
    const r = verdict('momentum');
    expect(r.verdict, explain(r)).toBe('deviates');
    expect(r.conventions).toEqual(['lr-placement', 'non-finite']);
  });

  it("nesterov deviates by non-finite only: w = rho w + lr gij; p += rho w_old - (1 + rho) w (abstract.js:87-89) is the lecture's x += -rho old_v + (1 + rho) v with w = -v, the learning rate inside the velocity as in the spec", () => {
    const r = verdict('nesterov');
    expect(r.verdict, explain(r)).toBe('deviates');
    expect(r.conventions).toEqual(['non-finite']);
  });

  it('adagrad deviates by epsilon-inside-sqrt and non-finite: dx = -learningRate / Math.sqrt(gsum + eps) * gij (abstract.js:77), and 0 * p makes an infinite parameter NaN', () => {
    const r = verdict('adagrad');
    expect(r.verdict, explain(r)).toBe('deviates');
    expect(r.conventions).toEqual(['epsilon-inside-sqrt', 'non-finite']);
  });

  it('adam fails with the known bug bias-correction-multiplied, otherwise following non-finite: biasCorr1 = gsum * (1 - beta1**k), biasCorr2 = xsum * (1 - beta2**k) (abstract.js:70-71)', () => {
    const r = verdict('adam');
    expect(r.verdict, explain(r)).toBe('fails');
    expect(r.bug).toBe('bias-correction-multiplied');
    expect(r.conventions).toEqual(['non-finite']);
  });

  it('rmsprop and the schedules are unsupported: the trainers are Adadelta, Adagrad, Adam, Nesterov and SGD (trainers/index.js), each with one learningRate', () => {
    for (const s of ['rmsprop', 'schedule:step', 'schedule:exponential', 'schedule:inverse-time'])
      expect(verdict(s).verdict).toBe('unsupported');
  });
});
