import { describe, expect, it } from 'vitest';
import { referenceAdapter } from '../src/adapter/contract.js';
import { validateConformanceOptions } from '../src/conformance/validate-options.js';
import { withKernelPolicy } from '../src/kernels/kernel-policy.js';
import { simdSupported } from '../src/kernels/simd-instance.js';
import { usesSimd } from '../src/optimizers/instance.js';
import { createOptimizer } from '../src/registry/create.js';
import type { OptimizerConfig } from '../src/reference/types.js';

// The reference in float16 and bfloat16 beyond the golden fixtures (spec/golden.spec.ts
// replays those bit for bit): the element loop it runs, hyperparameters rounded where they
// meet the array, and the checker's acceptance of both.

const ADAGRAD: OptimizerConfig = { optimizer: 'adagrad', learningRate: 0.01, epsilon: 1e-8 };

describe('the reference in float16 and bfloat16', () => {
  it('runs the TypeScript loop at any size: the SIMD kernels compute in float32 and float64 only', () => {
    for (const dtype of ['float16', 'bfloat16'] as const) {
      expect(usesSimd(createOptimizer(ADAGRAD, { size: 4096, dtype }))).toBe(false);
      if (simdSupported()) expect(usesSimd(createOptimizer(ADAGRAD, { size: 4096, dtype: 'float32' }))).toBe(true);
      expect(() => withKernelPolicy('simd', () => createOptimizer(ADAGRAD, { size: 8, dtype }))).toThrow(
        new RegExp(`SIMD kernel .*: the SIMD kernels compute in float32 and float64, not ${dtype}`),
      );
    }
  });

  it('rounds epsilon where it meets the array: 1e-8 is 0 in float16 (below 2^-25), so a zero gradient gives 0 / 0', () => {
    // TensorFlow.js issue 425: epsilon 1e-8 became 0 in float16 textures, giving NaN.
    const x16 = new Float64Array([0.5]);
    createOptimizer(ADAGRAD, { size: 1, dtype: 'float16' }).step(x16, [0]);
    expect(x16[0]).toBeNaN();
    // bfloat16 has float32's exponents: 1e-8 survives (about 9.98e-9), and the step is 0.
    const xb = new Float64Array([0.5]);
    createOptimizer(ADAGRAD, { size: 1, dtype: 'bfloat16' }).step(xb, [0]);
    expect(xb[0]).toBe(0.5);
  });

  it('reads the gradient as the dtype: 65520 is an infinity in float16, 65519 is 65504', () => {
    const x = new Float64Array([0, 0]);
    createOptimizer({ optimizer: 'sgd', learningRate: 1 }, { size: 2, dtype: 'float16' }).step(x, [65520, 65519]);
    expect(Array.from(x)).toEqual([Number.NEGATIVE_INFINITY, -65504]);
  });

  it('the reference adapter rounds x0 to the dtype', async () => {
    const stepper = referenceAdapter({ dtype: 'float16' }).create(
      { optimizer: 'sgd', learningRate: 0 },
      new Float64Array([0.1]),
    );
    expect(Array.from(await stepper.step(new Float64Array([0])))).toEqual([0.0999755859375]);
  });

  it('the conformance checker accepts both (float16 laws draw what float16 holds: spec/float16-checker.spec.ts)', () => {
    for (const dtype of ['float16', 'bfloat16'] as const)
      expect(() => validateConformanceOptions(referenceAdapter({ dtype }), {})).not.toThrow();
  });
});
