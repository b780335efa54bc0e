import fc from 'fast-check';
import { f16round } from '../numerics/index.js';
import type { Dtype } from '../reference/index.js';
import { dd } from './exact.js';
import {
  epsilonIn,
  finiteValue,
  learningRateIn,
  normalValue,
  positiveEpsilonIn,
  range,
  vectors,
} from './arbitraries.js';
import { trajectories, trajectory } from '../adapter/index.js';
import { type Law, LawViolation } from './law.js';
import { adaptiveStepExact, constantStepModel } from './models.js';
import { requireSameBits, requireWithin, SLACK, U64, underflow, unitRoundoff } from './tolerance.js';

/**
 * Relative error, in units of u, of a correct implementation's AdaGrad step at step t:
 * `G_t` sums t positive squares (each square one rounding, t sums: (t + 2) u), sqrt
 * halves that and adds u, eps converted and added (2u), lr converted, g converted and
 * the product (3u), the division (u).
 */
export function adagradStepError(t: number): number {
  return (t + 2) / 2 + 7;
}

/** Input of the monotone-step law. */
export interface MonotoneInput {
  learningRate: number;
  epsilon: number;
  grads: number[][];
}

/**
 * The per-coordinate effective step size `lr / (sqrt(grad_squared) + eps)` never
 * increases, for any gradient sequence (the design's second named law; docs/spec.md
 * section 4). Observed as `(x_{t-1} - x_t) / g_t` from x0 = 0. Within a derived bound:
 * the computed step is the exact one times (1 +- rho_t) (adagradStepError(t) u), and
 * the observed quotient is off by e: u |x_t| (the update's rounding), 2^-53 |d| (the
 * law's subtraction) and 2 eta, over |g|, plus 2^-53 |observed| (the law's division),
 * all * 1.01 (which also holds e's own roundings). A violation needs the lower end of
 * one step's interval above the upper end of an earlier one's; rho_t's extra
 * 4 2^-53 covers the law's three roundings in forming each end. Finite input, normal range (|g| in [2^-40, 2^40] or 0,
 * the first gradient nonzero so that 0 / 0 never arises).
 */
const monotone: Law<MonotoneInput> = {
  id: 'adagrad/step-size-never-increases',
  subject: 'adagrad',
  title:
    'AdaGrad: the effective step size lr / (sqrt(grad_squared) + eps) never increases, for any gradient sequence (finite input, derived bound)',
  runs: 80,
  arbitrary: (dtype) =>
    fc.integer({ min: 1, max: 4 }).chain((n) =>
      fc.record({
        learningRate: learningRateIn(dtype),
        epsilon: epsilonIn(dtype),
        grads: fc
          .tuple(
            vectors(normalValue(dtype, 2 ** -40, 2 ** 40), n, 1, 1),
            vectors(fc.oneof(normalValue(dtype, 2 ** -40, 2 ** 40), fc.constantFrom(0, -0)), n, 1, 30),
          )
          .map(([first, rest]) => [...first, ...rest]),
      }),
    ),
  async check(adapter, { learningRate: lr, epsilon: eps, grads }) {
    const u = unitRoundoff(adapter.dtype, adapter.arithmetic);
    const n = grads[0]!.length;
    const xs = await trajectory(
      adapter,
      { optimizer: 'adagrad', learningRate: lr, epsilon: eps },
      new Array<number>(n).fill(0),
      grads,
    );
    for (let i = 0; i < n; i++) {
      let upperBefore = Number.POSITIVE_INFINITY;
      let stepBefore = 0;
      for (let t = 0; t < grads.length; t++) {
        const g = grads[t]![i]!;
        if (g === 0) continue;
        const previous = t === 0 ? 0 : xs[t - 1]![i]!;
        const d = previous - xs[t]![i]!;
        const observed = d / g;
        const rho = SLACK * adagradStepError(t + 1) * u + 4 * U64;
        const e =
          SLACK *
          ((u * Math.abs(xs[t]![i]!) + U64 * Math.abs(d) + 2 * underflow(adapter.dtype, adapter.arithmetic)) /
            Math.abs(g) +
            U64 * Math.abs(observed));
        const lower = (observed - e) / (1 + rho);
        if (lower > upperBefore) {
          throw new LawViolation(`the effective step size grew from about ${stepBefore} to ${observed}`, {
            step: t + 1,
            coordinate: i,
            expected: stepBefore,
            actual: observed,
            relativeError: (observed - stepBefore) / stepBefore,
            tolerance: `lower end (observed - e)/(1 + rho_t) = ${lower} exceeds an earlier upper end ${upperBefore}; rho_t = ((t+2)/2 + 7) u * 1.01 + 4 2^-53, e = ((u|x_t| + 2^-53|d| + 2 eta)/|g| + 2^-53|observed|) * 1.01`,
          });
        }
        upperBefore = Math.min(upperBefore, (observed + e) / (1 - rho));
        stepBefore = observed;
      }
    }
  },
};

/** Input of the constant-gradient law. */
export interface InverseSqrtInput {
  learningRate: number;
  epsilon: number;
  x0: number[];
  g: number[];
  steps: number;
}

/**
 * With a constant gradient g the step shrinks as 1/sqrt(t): `grad_squared = t g^2`, so
 * the step is `lr g / (sqrt(t) |g| + eps)`. Compared with the closed form of x (the
 * law's double-double sum) within constantStepModel's bound, the step's relative error
 * being adagradStepError(t) u. Finite input, |g| in [2^-20, 2^20].
 */
const inverseSqrt: Law<InverseSqrtInput> = {
  id: 'adagrad/constant-gradient-inverse-sqrt',
  subject: 'adagrad',
  title:
    'AdaGrad: with a constant gradient the step shrinks as lr g / (sqrt(t) |g| + eps) (finite input, derived bound)',
  runs: 60,
  arbitrary: (dtype) =>
    fc.integer({ min: 1, max: 4 }).chain((n) =>
      fc.record({
        learningRate: learningRateIn(dtype),
        epsilon: epsilonIn(dtype),
        x0: fc.array(finiteValue(dtype, 1e3), { minLength: n, maxLength: n }),
        g: fc.array(normalValue(dtype, 2 ** -20, 2 ** 20), { minLength: n, maxLength: n }),
        steps: fc.integer({ min: 1, max: 60 }),
      }),
    ),
  async check(adapter, { learningRate: lr, epsilon: eps, x0, g, steps }) {
    const xs = await trajectory(
      adapter,
      { optimizer: 'adagrad', learningRate: lr, epsilon: eps },
      x0,
      Array.from({ length: steps }, () => g),
    );
    const model = constantStepModel(
      adapter.dtype,
      adapter.arithmetic,
      x0,
      g,
      steps,
      (s, gi) => adaptiveStepExact(lr, gi, dd(s), eps),
      adagradStepError,
      '((s+2)/2 + 7) u',
    );
    xs.forEach((x, t) => {
      x.forEach((v, i) => {
        requireWithin(
          'x is off the 1/sqrt(t) closed form',
          v,
          model.x[t]![i]!,
          model.bound[t]![i]!,
          model.derivation,
          adapter.dtype,
          { step: t + 1, coordinate: i },
        );
      });
    });
  },
};

/** Input of the scaling laws. */
export interface ScalingInput {
  learningRate: number;
  epsilon: number;
  x0: number[];
  grads: number[][];
  power: number;
}

const scalingArbitrary = (eps: (dtype: Dtype) => fc.Arbitrary<number>) => (dtype: Dtype) =>
  fc.integer({ min: 1, max: 4 }).chain((n) =>
    fc.record({
      learningRate: dtype === 'float16' ? range(2 ** -9, 1).map(f16round) : learningRateIn(dtype),
      epsilon: eps(dtype),
      x0: fc.array(finiteValue(dtype, 1e3), { minLength: n, maxLength: n }),
      grads: vectors(normalValue(dtype, 2 ** -20, 2 ** 20), n, 1, 20),
      power: dtype === 'float16' ? fc.integer({ min: -3, max: 0 }) : fc.integer({ min: -20, max: 20 }),
    }),
  );

/**
 * With eps = 0, scaling every gradient by 2^k leaves the trajectory bit-identical:
 * every intermediate of `lr g / sqrt(sum g^2)` scales by an exact power of two (g by
 * 2^k, the sum by 4^k, its root by 2^k) and rounding commutes with that in the normal
 * range, which |g| in [2^-20, 2^20], |k| <= 20 keeps. Exact for any correct implementation. In
 * float16 (|g| in [2^-2, 2^5], docs/spec.md "float16 in the checker") k is in [-3, 0] and lr
 * at least 2^-9: the scaled g stays in [2^-5, 2^5], 20 of its squares below 65504, and
 * `lr g` at least 2^-14, normal.
 */
const scalingExact: Law<ScalingInput> = {
  id: 'adagrad/power-of-two-scaling-exact',
  subject: 'adagrad',
  title:
    'AdaGrad with eps = 0: scaling every gradient by a power of two leaves the trajectory bit-identical (normal-range input)',
  runs: 60,
  arbitrary: scalingArbitrary(() => fc.constant(0)),
  async check(adapter, { learningRate: lr, x0, grads, power }) {
    const config = { optimizer: 'adagrad' as const, learningRate: lr, epsilon: 0 };
    const [plain, scaled] = (await trajectories(adapter, [
      { config, x0, grads },
      { config, x0, grads: grads.map((g) => g.map((v) => v * 2 ** power)) },
    ])) as [Float64Array[], Float64Array[]];
    scaled.forEach((x, t) => {
      x.forEach((v, i) => {
        requireSameBits(`scaling the gradients by 2^${power} changed x`, v, plain[t]![i]!, adapter.dtype, {
          step: t + 1,
          coordinate: i,
        });
      });
    });
  },
};

/**
 * With eps > 0, scaling every gradient by s = 2^k moves each step by at most
 * `lr eps |1 - 1/s| / sqrt(G_t)`: the scaled step is `lr g / (sqrt(G) + eps / s)`, and
 * `|a/(R + e) - a/(R + e/s)| <= |a| e |1 - 1/s| / R^2 <= lr e |1 - 1/s| / R` as
 * `|g| <= R = sqrt(G)`. Plus both runs' rounding: `2 adagradStepError(t) u lr |g| / R`
 * and u |x| each. Finite, normal-range input.
 */
const scalingBound: Law<ScalingInput> = {
  id: 'adagrad/power-of-two-scaling-bound',
  subject: 'adagrad',
  title:
    'AdaGrad with eps > 0: scaling every gradient by 2^k moves x by at most sum_t lr eps |1 - 2^-k| / sqrt(G_t) (finite input, derived bound)',
  runs: 60,
  arbitrary: scalingArbitrary(positiveEpsilonIn),
  async check(adapter, { learningRate: lr, epsilon: eps, x0, grads, power }) {
    const u = unitRoundoff(adapter.dtype, adapter.arithmetic);
    const eta = underflow(adapter.dtype, adapter.arithmetic);
    const config = { optimizer: 'adagrad' as const, learningRate: lr, epsilon: eps };
    const [plain, scaled] = (await trajectories(adapter, [
      { config, x0, grads },
      { config, x0, grads: grads.map((g) => g.map((v) => v * 2 ** power)) },
    ])) as [Float64Array[], Float64Array[]];
    const shift = Math.abs(1 - 2 ** -power);
    for (let i = 0; i < x0.length; i++) {
      let G = 0;
      let bound = 0;
      for (let t = 0; t < grads.length; t++) {
        const g = grads[t]![i]!;
        G += g * g;
        const R = Math.sqrt(G);
        bound +=
          SLACK *
            ((lr * eps * shift) / R +
              2 * adagradStepError(t + 1) * u * lr * (Math.abs(g) / R) +
              u * (Math.abs(plain[t]![i]!) + Math.abs(scaled[t]![i]!))) +
          4 * eta;
        requireWithin(
          `scaling the gradients by 2^${power} moved x too far`,
          scaled[t]![i]!,
          plain[t]![i]!,
          bound,
          'sum_t [lr eps |1 - 2^-k| / sqrt(G_t) + 2 ((t+2)/2 + 7) u lr |g_t| / sqrt(G_t) + u (|x_t| + |x~_t|)] * 1.01 + 4 eta t',
          adapter.dtype,
          { step: t + 1, coordinate: i },
        );
      }
    }
  },
};

/** The laws of AdaGrad (docs/spec.md section 4), besides those every optimizer obeys. */
export const adagradLaws: readonly Law[] = [
  monotone as Law,
  inverseSqrt as Law,
  scalingExact as Law,
  scalingBound as Law,
];
