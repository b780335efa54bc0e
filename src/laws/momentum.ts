import fc from 'fast-check';
import type { Dtype } from '../reference/index.js';
import { decayFactorIn, finiteValue, learningRateIn, normalValue, range, vectors } from './arbitraries.js';
import { trajectory } from '../adapter/index.js';
import type { Law } from './law.js';
import { type Expected, momentumModel, ratesInForce } from './models.js';
import { rhoZeroIsSgd } from './rho-zero.js';
import { requireWithin } from './tolerance.js';

function requireModel(what: string, xs: Float64Array[], model: Expected, dtype: Dtype, from = 0): void {
  for (let t = from; t < xs.length; t++) {
    xs[t]!.forEach((v, i) => {
      requireWithin(what, v, model.x[t]![i]!, model.bound[t]![i]!, model.derivation, dtype, {
        step: t + 1,
        coordinate: i,
      });
    });
  }
}

/** Input of the constant-gradient law. */
export interface ConstantGradientInput {
  rho: number;
  learningRate: number;
  x0: number[];
  g: number[];
  steps: number;
}

/**
 * The longest constant-gradient run in float16: |x_t| <= |x0| + lr |g| t (t + 1) / 2 (the
 * velocity is at most t |g|) stays below 65504 for |x0|, |g| <= 2^5 and lr <= 1 while
 * t (t + 1) < 4092, i.e. t <= 63; beyond, the rule's x overflows float16.
 */
const FLOAT16_CONSTANT_STEPS = 63;

/**
 * With a constant gradient the velocity is `g (1 - rho^t) / (1 - rho)`, tending to the
 * terminal velocity `g / (1 - rho)`; the law compares x after every step with
 * `x0 - lr g sum_s (1 - rho^s) / (1 - rho)`. Within a derived bound (momentumModel):
 * it grows with the step count, as the velocity's relative error does.
 */
const constantGradient: Law<ConstantGradientInput> = {
  id: 'momentum/constant-gradient-velocity',
  subject: 'momentum',
  title:
    'SGD + Momentum: a constant gradient builds velocity g (1 - rho^t) / (1 - rho), terminal velocity g / (1 - rho) (finite input, derived bound)',
  runs: 60,
  arbitrary: (dtype) =>
    fc.integer({ min: 1, max: 4 }).chain((n) =>
      fc.record({
        rho: decayFactorIn(dtype),
        learningRate: learningRateIn(dtype),
        x0: fc.array(finiteValue(dtype, 1e3), { minLength: n, maxLength: n }),
        g: fc.array(normalValue(dtype, 2 ** -20, 2 ** 20), { minLength: n, maxLength: n }),
        steps: fc.integer({ min: 1, max: dtype === 'float16' ? FLOAT16_CONSTANT_STEPS : 100 }),
      }),
    ),
  async check(adapter, { rho, learningRate: lr, x0, g, steps }) {
    const grads = Array.from({ length: steps }, () => g);
    const xs = await trajectory(adapter, { optimizer: 'momentum', learningRate: lr, rho }, x0, grads);
    requireModel(
      'x under a constant gradient is off the closed form of the velocity',
      xs,
      momentumModel(adapter.dtype, adapter.arithmetic, x0, grads, ratesInForce(lr, [], steps), rho, 'spec'),
      adapter.dtype,
    );
  },
};

/** Input of the decay law. */
export interface DecayInput {
  rho: number;
  learningRate: number;
  x0: number[];
  warmUp: number[][];
  idle: number;
}

/**
 * After a warm-up with any finite gradients, zero gradients make the velocity decay
 * by rho per step: `vx_{t+1} = rho vx_t`, so `x` keeps moving by `lr rho^k vx_w`.
 * Compared with the exact trajectory within momentumModel's derived bound.
 */
const decayAfterWarmUp: Law<DecayInput> = {
  id: 'momentum/decay-after-warm-up',
  subject: 'momentum',
  title:
    'SGD + Momentum: with zero gradients after a warm-up the velocity decays by rho per step (finite input, derived bound)',
  runs: 60,
  arbitrary: (dtype) =>
    fc.integer({ min: 1, max: 4 }).chain((n) =>
      fc.record({
        rho: decayFactorIn(dtype),
        learningRate: learningRateIn(dtype),
        x0: fc.array(finiteValue(dtype, 1e3), { minLength: n, maxLength: n }),
        warmUp: vectors(finiteValue(dtype, 1e6), n, 1, 8),
        idle: fc.integer({ min: 1, max: 30 }),
      }),
    ),
  async check(adapter, { rho, learningRate: lr, x0, warmUp, idle }) {
    const grads = [...warmUp, ...Array.from({ length: idle }, () => x0.map(() => 0))];
    const xs = await trajectory(adapter, { optimizer: 'momentum', learningRate: lr, rho }, x0, grads);
    requireModel(
      'x after the gradients stop is off rho-per-step decay of the velocity',
      xs,
      momentumModel(adapter.dtype, adapter.arithmetic, x0, grads, ratesInForce(lr, [], grads.length), rho, 'spec'),
      adapter.dtype,
    );
  },
};

/** Input of the learning-rate placement laws (Momentum's here, Nesterov's in nesterov.ts). */
export interface PlacementInput {
  rho: number;
  learningRate: number;
  factor: number;
  change: number;
  x0: number[];
  grads: number[][];
}

/**
 * Inputs of the placement laws: 2 to 12 steps with the learning rate multiplied by
 * `factor` at step `change + 1`. Finite input (both laws compare with exact
 * trajectories within running bounds): gradients in the normal range, x0 up to 1e3.
 */
export function placementArbitrary(dtype: Dtype): fc.Arbitrary<PlacementInput> {
  return fc.integer({ min: 1, max: 4 }).chain((n) =>
    fc.integer({ min: 2, max: 12 }).chain((steps) =>
      fc.record({
        rho: range(0.1, 0.99),
        learningRate: learningRateIn(dtype),
        factor: fc.constantFrom(0.1, 0.5, 2, 10),
        change: fc.integer({ min: 1, max: steps - 1 }),
        x0: fc.array(finiteValue(dtype, 1e3), { minLength: n, maxLength: n }),
        grads: vectors(normalValue(dtype, 2 ** -10, 2 ** 10), n, steps, steps),
      }),
    ),
  );
}

/**
 * The spec keeps the learning rate outside the velocity (docs/spec.md section 2): at a
 * constant learning rate the trajectory equals the lecture's alternative form
 * `v = rho v - lr dx; x += v` (checked before the change), and once the learning rate
 * changes the whole velocity is rescaled at once, unlike the alternative (checked after
 * the change, against the spec's form). Within momentumModel's derived bound; an
 * implementation of the alternative form (convention `lr-placement`) fails it.
 */
const learningRateOutside: Law<PlacementInput> = {
  id: 'momentum/learning-rate-outside-velocity',
  subject: 'momentum',
  title:
    'SGD + Momentum: equals the alternative form v = rho v - lr dx at a constant learning rate, and rescales the whole velocity when it changes (finite input, derived bound)',
  runs: 60,
  arbitrary: placementArbitrary,
  async check(adapter, { rho, learningRate: lr, factor, change, x0, grads }) {
    const changes: (number | undefined)[] = grads.map((_, t) => (t === change ? lr * factor : undefined));
    const rates = ratesInForce(lr, changes, grads.length);
    const xs = await trajectory(adapter, { optimizer: 'momentum', learningRate: lr, rho }, x0, grads, changes);
    const before = momentumModel(
      adapter.dtype,
      adapter.arithmetic,
      x0,
      grads.slice(0, change),
      rates,
      rho,
      'alternative',
    );
    requireModel(
      'at a constant learning rate x differs from the alternative form v = rho v - lr dx; x += v',
      xs.slice(0, change),
      before,
      adapter.dtype,
    );
    requireModel(
      `after the learning rate changes to ${lr * factor} at step ${change + 1}, x differs from the spec's form (learning rate outside the velocity)`,
      xs,
      momentumModel(adapter.dtype, adapter.arithmetic, x0, grads, rates, rho, 'spec'),
      adapter.dtype,
      change,
    );
  },
};

/** The laws of SGD + Momentum (docs/spec.md section 2), besides those every optimizer obeys. */
export const momentumLaws: readonly Law[] = [
  rhoZeroIsSgd('momentum') as Law,
  constantGradient as Law,
  decayAfterWarmUp as Law,
  learningRateOutside as Law,
];
