import { beforeAll, describe, expect, it } from 'vitest';
import type { Adapter } from '../src/adapter/contract.js';
import { checkConformance } from '../src/conformance/check.js';
import type { ConformanceReport } from '../src/conformance/types.js';
import { MATRIX_SEED } from '../scripts/matrix.js';
import { explain, instance, resultOf } from './support/matrix-helpers.js';

/**
 * The verdicts optimspec gives brain.js 1.6.1's NeuralNetwork update
 * (node_modules/brain.js/dist/neural-network.js, adjustWeights and
 * _adjustWeightsAdam) through examples/brainjs.mjs: the matrix rows
 * `brainjs-weights` and `brainjs-biases` of docs/matrix.md. Weights and biases
 * are updated by different lines of code, and get different verdicts.
 */
let weights: ConformanceReport;
let biases: ConformanceReport;
let biasAdapter: Adapter;

beforeAll(async () => {
  const mod = (await import(new URL('../examples/brainjs.mjs', import.meta.url).href)) as {
    default: Adapter;
    biases: Adapter;
  };
  biasAdapter = mod.biases;
  weights = await checkConformance(mod.default, { seed: MATRIX_SEED });
  biases = await checkConformance(mod.biases, { seed: MATRIX_SEED });
});

describe('brain.js 1.6.1 weights through examples/brainjs.mjs', () => {
  it('is checked in float32: zeros() and randos() return new Float32Array(size) (utilities/zeros.js:8)', () => {
    expect(weights.adapter.dtype).toBe('float32');
  });

  it("sgd is unsupported: brain.js's option check accepts momentum only in (0, 1) (neural-network.js:391), so it has no momentum-free training", () => {
    expect(resultOf(weights, 'sgd').verdict).toBe('unsupported');
  });

  it('momentum deviates by lr-placement: change = learningRate * delta * input + momentum * change; weight += change (neural-network.js:764, 767), v = rho v - lr dx; x += v', () => {
    const r = resultOf(weights, 'momentum');
    expect(r.verdict, explain(r)).toBe('deviates');
    expect(r.conventions).toEqual(['lr-placement']);
  });

  it('adam conforms: for weights the moments are updated first, divided by 1 - beta**iterations, and epsilon is added outside the root (neural-network.js:814-822)', () => {
    expect(resultOf(weights, 'adam').verdict, explain(resultOf(weights, 'adam'))).toBe('conforms');
  });

  it('nesterov, adagrad, rmsprop and the schedules are unsupported: brain.js trains with momentum or praxis adam only, at a constant trainOpts.learningRate', () => {
    for (const s of [
      'nesterov',
      'adagrad',
      'rmsprop',
      'schedule:step',
      'schedule:exponential',
      'schedule:inverse-time',
    ])
      expect(resultOf(weights, s).verdict).toBe('unsupported');
  });
});

describe('brain.js 1.6.1 biases through examples/brainjs.mjs (export biases)', () => {
  it('sgd conforms: bias += learningRate * delta with delta the negative gradient (neural-network.js:769)', () => {
    expect(resultOf(biases, 'sgd').verdict, explain(resultOf(biases, 'sgd'))).toBe('conforms');
  });

  it('momentum fails, no known bug, and non-finite: biases get no momentum at all, bias += learningRate * delta whatever trainOpts.momentum is (neural-network.js:769), so no 0 * vx at momentum 0 turns an infinite gradient into NaN', () => {
    const r = resultOf(biases, 'momentum');
    expect(r.verdict, explain(r)).toBe('fails');
    expect(r.bug).toBeUndefined();
    expect(r.conventions).toEqual(['non-finite']);
    expect(r.findings.find((f) => f.check === 'probe:non-finite-rho-zero')?.status).toBe('explained');
  });

  it("the adapter runs brain.js's own Adam: the first bias step does not move, because the step divides the moments of the previous step (biasChangesLow before line 832 updates it, neural-network.js:829)", async () => {
    const stepper = await instance(
      biasAdapter,
      { optimizer: 'adam', learningRate: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 },
      [0.5],
    );
    expect(Array.from(await stepper.step(Float64Array.from([1])))).toEqual([0.5]);
    expect((await stepper.step(Float64Array.from([1])))[0]).toBeLessThan(0.5);
  });

  it('adam fails with the known bug stale-moments: _adjustWeightsAdam divides biasChangesLow and biasChangesHigh of the previous step by 1 - beta**t (neural-network.js:829-834)', () => {
    const r = resultOf(biases, 'adam');
    expect(r.verdict, explain(r)).toBe('fails');
    expect(r.bug).toBe('stale-moments');
  });
});
