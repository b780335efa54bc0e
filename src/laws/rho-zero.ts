import { dtypeLimits } from '../numerics/index.js';
import fc from 'fast-check';
import { type Adapter, trajectories } from '../adapter/index.js';
import { optimizerRule } from '../registry/index.js';
import type { OptimizerConfig } from '../reference/index.js';
import { anyValue, learningRateChangesIn, learningRateIn, vectors } from './arbitraries.js';
import type { Law } from './law.js';
import { requireSameValue, requireWithin, SLACK, U64, underflow, unitRoundoff } from './tolerance.js';

/** Input of the rho = 0 law. */
export interface RhoZeroInput {
  learningRate: number;
  x0: number[];
  grads: number[][];
  learningRates: (number | undefined)[];
}

/** The largest finite value of the dtype. */
function largest(adapter: Adapter): number {
  return dtypeLimits(adapter.dtype).max;
}

/**
 * One SGD step from the adapter's own previous `x`, for adapters without their own SGD:
 * `x' = x - lr g` within a bound that covers every legitimate rounding order. Any
 * correct form computes `x - lr g (1 + a)` and rounds it once to the dtype, perhaps via
 * double (`x[i] -= lr * v[i]` on a Float32Array): |a| <= 2u + U64 (lr held in the dtype
 * or in double, the product rounded to the dtype, perhaps via double, or fused away by an
 * FMA), the final rounding u + U64. The law's own `e = x - p`, `p = lr g` in double adds
 * U64 |p| + U64 |e|. So `|x' - e| <= 1.01 ((u + 2 U64) |e| + (2u + 2 U64) |p|)` plus
 * eta for each of the two roundings to the dtype that may underflow and 2^-1074 for each of
 * the four double roundings. Where `x` is finite and `|e| >= (1 - 4u) max` the rounding
 * may overflow, so an infinity (or a value that large) of e's sign is accepted too;
 * non-finite `x` gives `e` = the infinity or NaN every correct form gives.
 */
function requireSgdStep(
  adapter: Adapter,
  actual: number,
  x: number,
  lr: number,
  g: number,
  at: { step: number; coordinate: number },
): void {
  const u = unitRoundoff(adapter.dtype, adapter.arithmetic);
  const p = lr * g;
  const e = x - p;
  const max = largest(adapter);
  if (
    Number.isFinite(x) &&
    Math.abs(e) >= (1 - 4 * u) * max &&
    Math.sign(actual) === Math.sign(e) &&
    Math.abs(actual) >= (1 - 4 * u) * max
  )
    return;
  const bound =
    SLACK * ((u + 2 * U64) * Math.abs(e) + (2 * u + 2 * U64) * Math.abs(p)) +
    2 * underflow(adapter.dtype, adapter.arithmetic) +
    4 * 2 ** -1074;
  requireWithin(
    "with no SGD of its own to compare with, x differs from SGD's x - lr g taken from the implementation's own previous x",
    actual,
    e,
    bound,
    '1.01 ((u + 2^-52)|x - lr g| + (2u + 2^-52)|lr g|) + 2 eta + 2^-1072 (any rounding order of x - lr g; see rhoZeroIsSgd)',
    adapter.dtype,
    at,
  );
}

/**
 * With rho = 0, Momentum (docs/spec.md section 2) and Nesterov (section 3) are SGD:
 * `vx = 0 * vx + dx = dx` and `x += -0 * old_v + 1 * v = x - lr dx`. When the adapter
 * has an SGD of its own, its rho = 0 trajectory must equal that SGD's bit for bit
 * (the design's first named law: the same implementation rounds `x - lr dx` the same
 * way). Without one there is no rounding order to demand, so each step, taken from the
 * adapter's own previous x, is compared with `x - lr dx` within the one-step bound of
 * requireSgdStep (a few ulps; a real bug such as rho not honoured moves x by a whole
 * `lr * old velocity`). +0 and -0 are identified (0 * vx + (-0) is +0), and any input is
 * drawn (NaN and infinite x0, subnormals, non-finite gradients). A coordinate is compared
 * only before its first gradient that is non-finite or within a factor 4 of the dtype's
 * overflow: from then on its velocity is, or an intermediate like `v' - v` may be,
 * non-finite, `0 * Inf` is NaN, and correct forms differ already at that step
 * (Nesterov's `x~ + v' + rho (v' - v)` gives NaN where `-rho old_v + (1 + rho) v'` gives
 * an infinity). Up to that gradient a NaN or infinite x must stay what `x - lr dx` makes it.
 */
export function rhoZeroIsSgd(name: 'momentum' | 'nesterov'): Law<RhoZeroInput> {
  const rule = optimizerRule(name);
  return {
    id: `${rule.name}/rho-zero-is-sgd`,
    subject: rule.name,
    title: `${rule.title} with rho = 0 is SGD: bit for bit against the implementation's own SGD (+0/-0 identified), else each step within a derived bound of x - lr g (any input up to a non-finite gradient, with learning-rate changes)`,
    runs: 80,
    arbitrary: (dtype) =>
      fc.integer({ min: 1, max: 5 }).chain((n) =>
        fc.record({
          learningRate: learningRateIn(dtype),
          x0: fc.array(anyValue(dtype), { minLength: n, maxLength: n }),
          grads: vectors(anyValue(dtype), n, 1, 8),
          learningRates: learningRateChangesIn(dtype, 8),
        }),
      ),
    async check(adapter, input) {
      const config = { optimizer: rule.name, learningRate: input.learningRate, rho: 0 } as OptimizerConfig;
      // One script: the rule with rho = 0, then the implementation's own SGD when it conforms (a companion).
      const [actual, sgd] = (await trajectories(adapter, [
        { config, x0: input.x0, grads: input.grads, learningRates: input.learningRates },
        ...(adapter.optimizers.includes('sgd')
          ? [
              {
                config: { optimizer: 'sgd' as const, learningRate: input.learningRate },
                x0: input.x0,
                grads: input.grads,
                learningRates: input.learningRates,
              },
            ]
          : []),
      ])) as [Float64Array[], Float64Array[] | undefined];
      const nearOverflow = largest(adapter) / 4;
      for (let i = 0; i < input.x0.length; i++) {
        let lr = input.learningRate;
        for (let t = 0; t < input.grads.length; t++) {
          lr = input.learningRates[t] ?? lr;
          const g = input.grads[t]![i]!;
          if (!(Math.abs(g) <= nearOverflow)) break;
          const at = { step: t + 1, coordinate: i };
          if (sgd !== undefined)
            requireSameValue(
              `${rule.name} with rho = 0 differs from the implementation's own SGD`,
              actual[t]![i]!,
              sgd[t]![i]!,
              adapter.dtype,
              at,
            );
          else requireSgdStep(adapter, actual[t]![i]!, t === 0 ? input.x0[i]! : actual[t - 1]![i]!, lr, g, at);
        }
      }
    },
  };
}
