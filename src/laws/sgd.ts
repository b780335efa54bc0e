import fc from 'fast-check';
import { add, dd, mul, sub, toNumber } from './exact.js';
import { finiteValue, learningRateIn, vectors } from './arbitraries.js';
import { trajectory } from '../adapter/index.js';
import type { Law } from './law.js';
import { requireWithin, SLACK, U64, underflow, unitRoundoff } from './tolerance.js';

/** Input of the SGD closed-form law. */
export interface SgdClosedFormInput {
  learningRate: number;
  x0: number[];
  grads: number[][];
}

/**
 * SGD (docs/spec.md section 1): after t steps `x_t = x0 - lr * (g_1 + ... + g_t)`,
 * evaluated by the law in double-double. Within a derived bound: each step's
 * `lr * g` carries three roundings (lr and g to the dtype, the product), 3u lr |g_s|,
 * and `x -= ...` one, u |x_s|; underflow adds 2 eta per step; the expectation is
 * rounded once to double. Finite input only (|v| <= 1e6, subnormals included).
 */
const closedForm: Law<SgdClosedFormInput> = {
  id: 'sgd/closed-form',
  subject: 'sgd',
  title: 'SGD: x_t = x0 - lr * (sum of the gradients so far) (finite input, derived bound)',
  runs: 80,
  arbitrary: (dtype) =>
    fc.integer({ min: 1, max: 5 }).chain((n) =>
      fc.record({
        learningRate: learningRateIn(dtype),
        x0: fc.array(finiteValue(dtype, 1e6), { minLength: n, maxLength: n }),
        grads: vectors(finiteValue(dtype, 1e6), n, 1, 30),
      }),
    ),
  async check(adapter, { learningRate: lr, x0, grads }) {
    const u = unitRoundoff(adapter.dtype, adapter.arithmetic);
    const eta = underflow(adapter.dtype, adapter.arithmetic);
    const xs = await trajectory(adapter, { optimizer: 'sgd', learningRate: lr }, x0, grads);
    for (let i = 0; i < x0.length; i++) {
      let sum = dd(0);
      let err = 0;
      for (let t = 0; t < grads.length; t++) {
        const g = grads[t]![i]!;
        sum = add(sum, dd(g));
        const X = toNumber(sub(dd(x0[i]!), mul(dd(lr), sum)));
        err += SLACK * (3 * u * lr * Math.abs(g) + u * Math.abs(X)) + 2 * eta;
        const bound = err + U64 * Math.abs(X);
        requireWithin(
          'x differs from x0 - lr * (sum of gradients)',
          xs[t]![i]!,
          X,
          bound,
          'sum_s (3u lr|g_s| + u|x_s|) * 1.01 + 2 eta s + 2^-53 |X_t|',
          adapter.dtype,
          { step: t + 1, coordinate: i },
        );
      }
    }
  },
};

/** The laws of SGD (docs/spec.md section 1), besides those every optimizer obeys. */
export const sgdLaws: readonly Law[] = [closedForm as Law];
