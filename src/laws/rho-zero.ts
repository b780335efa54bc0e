import fc from 'fast-check';
import type { Adapter } from '../adapter.js';
import type { OptimizerConfig, OptimizerRule } from '../types.js';
import { anyValue, learningRate, vectors } from './arbitraries.js';
import { trajectory } from './drive.js';
import type { Law } from './law.js';
import { requireSameValue } from './tolerance.js';

/** Input of the rho = 0 law. */
export interface RhoZeroInput {
  learningRate: number;
  x0: number[];
  grads: number[][];
  learningRates: (number | undefined)[];
}

/** SGD computed by the law, for adapters without their own SGD: `x = r(x - r(r(lr) * g))`. */
function lawSgd(adapter: Adapter, input: RhoZeroInput): Float64Array[] {
  const r = adapter.dtype === 'float32' ? Math.fround : (v: number) => v;
  const x = Float64Array.from(input.x0, r);
  let lr = input.learningRate;
  return input.grads.map((g, t) => {
    lr = input.learningRates[t] ?? lr;
    for (let i = 0; i < x.length; i++) x[i] = r(x[i]! - r(r(lr) * r(g[i]!)));
    return x.slice();
  });
}

/**
 * With rho = 0, Momentum (lecture.md section 2) and Nesterov (section 3) are SGD:
 * `vx = 0 * vx + dx = dx` and `x += -0 * old_v + 1 * v = x - lr dx`. Exact for any
 * correct implementation (the design's first named law), compared with the adapter's
 * own SGD when it has one, else with the law's own dtype arithmetic. +0 and -0 are
 * identified (0 * vx + (-0) is +0), and any input is drawn (NaN and infinite x0,
 * subnormals, non-finite gradients). A coordinate is compared only before its first
 * gradient that is non-finite or within a factor 4 of the dtype's overflow: from then on
 * its velocity is, or an intermediate like `v' - v` may be, non-finite, `0 * Inf` is NaN,
 * and correct forms differ already at that step (Nesterov's `x~ + v' + rho (v' - v)`
 * gives NaN where `-rho old_v + (1 + rho) v'` gives an infinity).
 */
export function rhoZeroIsSgd(rule: OptimizerRule): Law<RhoZeroInput> {
  return {
    id: `${rule.name}/rho-zero-is-sgd`,
    subject: rule.name,
    title: `${rule.title} with rho = 0 is SGD, bit for bit (+0/-0 identified; any input up to a non-finite gradient, with learning-rate changes)`,
    runs: 80,
    arbitrary: (dtype) =>
      fc.integer({ min: 1, max: 5 }).chain((n) =>
        fc.record({
          learningRate,
          x0: fc.array(anyValue(dtype), { minLength: n, maxLength: n }),
          grads: vectors(anyValue(dtype), n, 1, 8),
          learningRates: fc.array(fc.option(learningRate, { nil: undefined }), { maxLength: 8 }),
        }),
      ),
    async check(adapter, input) {
      const config = { optimizer: rule.name, learningRate: input.learningRate, rho: 0 } as OptimizerConfig;
      const actual = await trajectory(adapter, config, input.x0, input.grads, input.learningRates);
      const sgd = adapter.optimizers.includes('sgd')
        ? await trajectory(adapter, { optimizer: 'sgd', learningRate: input.learningRate }, input.x0, input.grads, input.learningRates)
        : lawSgd(adapter, input);
      const nearOverflow = (adapter.dtype === 'float32' ? 3.4028234663852886e38 : Number.MAX_VALUE) / 4;
      for (let i = 0; i < input.x0.length; i++) {
        for (let t = 0; t < input.grads.length; t++) {
          if (!(Math.abs(input.grads[t]![i]!) <= nearOverflow)) break;
          requireSameValue(`${rule.name} with rho = 0 differs from SGD`, actual[t]![i]!, sgd[t]![i]!, adapter.dtype, { step: t + 1, coordinate: i });
        }
      }
    },
  };
}
