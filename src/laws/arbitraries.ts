import { dtypeLimits, f16round, rounderFor } from '../numerics/index.js';
import fc from 'fast-check';
import type { Dtype, OptimizerConfig, OptimizerRule } from '../reference/index.js';
import { ReadableDouble } from './readable.js';

/**
 * Values that break naive code, drawn on purpose: NaN, both infinities, both zeros,
 * the smallest subnormals of both dtypes, the largest float32 and a value that
 * overflows float32, the double extremes.
 */
const SPECIAL_VALUES: readonly number[] = [
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  0,
  -0,
  5e-324,
  -5e-324,
  2 ** -149,
  -(2 ** -149),
  2 ** -130,
  2.2250738585072014e-308,
  1.1754943508222875e-38,
  3.4028234663852886e38,
  1e39,
  -1e39,
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
];

/**
 * A double in [min, max], for hyperparameters and bounded values. The choices are made
 * here on purpose: the bounds are finite and NaN is off, so neither NaN nor an infinity
 * is drawn; -0 only when min < 0 (fast-check orders -0 below +0); subnormals only where
 * the range reaches them. Laws that need the special values draw them from
 * anyValue, finiteValue or SPECIAL_VALUES. A failure shrinks to readable numbers in the
 * range first (ReadableDouble).
 */
export function range(min: number, max: number): fc.Arbitrary<number> {
  return new ReadableDouble(fc.double({ min, max, noNaN: true, noDefaultInfinity: true }), min, max);
}

/**
 * Where the laws' finite float16 input lives (docs/spec.md, "float16 in the checker"): the
 * laws' magnitudes are chosen for float32's range (2^-126 to 2^128), in which a square, a sum
 * of 30 squares and `(1 - beta2) g^2` of any drawn gradient stay normal. float16's normal range
 * is 2^-14 to 65504, so the same intermediates stay finite and normal only for
 * |g| in [2^-2, 2^5]: (1 - beta2) g^2 >= 2^-10 * 2^-4 = 2^-14 at beta2 <= 1 - 2^-10 (0.999 in
 * float16), and 30 g^2 <= 30 * 2^10 < 65504 (AdaGrad's sum), a velocity g / (1 - rho) <= 2^15.
 */
export const FLOAT16_WINDOW = { lo: 2 ** -2, hi: 2 ** 5 } as const;

/**
 * A law's magnitude range [lo, hi] as float16 holds it: intersected with {@link FLOAT16_WINDOW};
 * a range wholly below the window (a law about tiny gradients, whose bound counts underflow)
 * keeps its own lower end, from float16's smallest subnormal up.
 */
function float16Window(lo: number, hi: number): [number, number] {
  const top = Math.min(hi, FLOAT16_WINDOW.hi);
  const bottom = Math.max(lo, FLOAT16_WINDOW.lo);
  return bottom <= top ? [bottom, top] : [Math.max(lo, 2 ** -24), top];
}

/** Maps a double to a value the dtype holds exactly (float32 inputs are float32 values). */
function toDtype(dtype: Dtype): (v: number) => number {
  return rounderFor(dtype);
}

/**
 * Any value at all: NaN, infinities, -0 and subnormals chosen on purpose, plus
 * moderate and full-range doubles. For laws that hold for every input.
 */
export function anyValue(dtype: Dtype): fc.Arbitrary<number> {
  return fc
    .oneof(
      { weight: 3, arbitrary: range(-10, 10) },
      // every double, NaN and the infinities included; shrinking tries readable finite numbers first
      {
        weight: 2,
        arbitrary: new ReadableDouble(
          fc.double({ noNaN: false, noDefaultInfinity: false }),
          Number.NEGATIVE_INFINITY,
          Number.POSITIVE_INFINITY,
        ),
      },
      { weight: 2, arbitrary: fc.constantFrom(...SPECIAL_VALUES) },
    )
    .map(toDtype(dtype));
}

/** The smallest subnormals of the dtype, and both zeros: the finite values that break relative bounds. */
function tinyFinite(dtype: Dtype): fc.Arbitrary<number> {
  const { tiny, normal } = dtypeLimits(dtype);
  return fc.constantFrom(0, -0, tiny, -tiny, tiny * 2 ** 9, -normal / 2);
}

/**
 * A finite value with `|v| <= maxAbs`: zeros and subnormals chosen on purpose,
 * NaN and infinities excluded (for laws that hold only for finite input).
 */
export function finiteValue(dtype: Dtype, maxAbs: number): fc.Arbitrary<number> {
  const cap = dtype === 'float16' ? Math.min(maxAbs, FLOAT16_WINDOW.hi) : maxAbs;
  return fc
    .oneof({ weight: 4, arbitrary: range(-cap, cap) }, { weight: 1, arbitrary: tinyFinite(dtype) })
    .map(toDtype(dtype));
}

/**
 * A value with `lo <= |v| <= hi` and a random sign: for laws that need every square
 * and product to stay in the normal range of the dtype (no zeros, no subnormals).
 */
export function normalValue(dtype: Dtype, lo: number, hi: number): fc.Arbitrary<number> {
  const [a, b] = dtype === 'float16' ? float16Window(lo, hi) : [lo, hi];
  return fc
    .tuple(fc.boolean(), range(a, b))
    .map(([negative, m]) => (negative ? -m : m))
    .map(toDtype(dtype));
}

/** `rows` vectors of length `n`. */
export function vectors(
  value: fc.Arbitrary<number>,
  n: number,
  minRows: number,
  maxRows: number,
): fc.Arbitrary<number[][]> {
  return fc.array(fc.array(value, { minLength: n, maxLength: n }), { minLength: minRows, maxLength: maxRows });
}

/** Ranges a law may narrow for the hyperparameters it draws. */
export interface HyperparameterRanges {
  learningRate?: fc.Arbitrary<number>;
  rho?: fc.Arbitrary<number>;
  decayRate?: fc.Arbitrary<number>;
  beta1?: fc.Arbitrary<number>;
  beta2?: fc.Arbitrary<number>;
  epsilon?: fc.Arbitrary<number>;
}

/** The lecture's typical learning rates plus any in [1e-6, 1]. */
export const learningRate = fc.oneof(fc.constantFrom(1e-3, 5e-4, 0.01, 0.1, 1), range(1e-6, 1));

/** A learning rate per step, or none (the configured one): what a law's run may change, up to `maxLength` steps. */
export type Rates = (number | undefined)[];

/** Learning-rate changes for up to `maxLength` steps, `undefined` where a step keeps the configured rate. */
export const learningRateChanges = (maxLength: number): fc.Arbitrary<Rates> =>
  fc.array(fc.option(learningRate, { nil: undefined }), { maxLength });

/** A friction or decay factor in [0, 0.999]: the lecture's 0.9 and 0.99, zero, and any other. */
export const decayFactor = fc.oneof(fc.constantFrom(0, 0.5, 0.9, 0.99, 0.999), range(0, 0.999));

/**
 * An epsilon: the lecture's 1e-7, PyTorch's 1e-8, zero, or any in [1e-12, 1e-3]. Not a
 * subnormal: float32 would hold it as 0 and turn the rule's x / eps into 0 / 0.
 */
export const epsilon = fc.oneof(fc.constantFrom(1e-7, 1e-8, 0), range(1e-12, 1e-3));

/** A positive epsilon, for laws where eps = 0 would make the lecture's rule divide 0 by 0. */
export const positiveEpsilon = fc.oneof(fc.constantFrom(1e-7, 1e-8), range(1e-12, 1e-3));

/**
 * float16's hyperparameters, drawn as the float16 values D10 rounds them to where they meet
 * the array (a law's closed form then uses the value the implementation computes with): the
 * same choices as float32's, except where float16 cannot hold them. A positive epsilon is at
 * least 2^-24, float16's smallest subnormal (1e-8 and 1e-12 are 0 in float16, where the rule
 * divides 0 by 0, as in TensorFlow.js's float16 textures), the lecture's 1e-7 kept (2^-23 in
 * float16); a learning rate at least 2^-11, so that `lr g` of a gradient in {@link FLOAT16_WINDOW} is
 * normal (below 2^-14 float16 holds it to less than u relative).
 */
const float16Hyperparameters = {
  learningRate: fc.oneof(fc.constantFrom(1e-3, 5e-4, 0.01, 0.1, 1), range(2 ** -11, 1)).map(f16round),
  epsilon: fc.oneof(fc.constantFrom(1e-7, 0), range(2 ** -24, 1e-3)).map(f16round),
  positiveEpsilon: fc.oneof(fc.constantFrom(1e-7, 1e-4), range(2 ** -24, 1e-3)).map(f16round),
  decayFactor: decayFactor.map(f16round),
};

/** The learning rates a law draws for an implementation in `dtype` ({@link learningRate}; float16's own). */
export const learningRateIn = (dtype: Dtype): fc.Arbitrary<number> =>
  dtype === 'float16' ? float16Hyperparameters.learningRate : learningRate;

/** The epsilons, zero included, a law draws for `dtype` ({@link epsilon}; float16's own). */
export const epsilonIn = (dtype: Dtype): fc.Arbitrary<number> =>
  dtype === 'float16' ? float16Hyperparameters.epsilon : epsilon;

/** The positive epsilons a law draws for `dtype` ({@link positiveEpsilon}; float16's own). */
export const positiveEpsilonIn = (dtype: Dtype): fc.Arbitrary<number> =>
  dtype === 'float16' ? float16Hyperparameters.positiveEpsilon : positiveEpsilon;

/** The friction and decay factors a law draws for `dtype` ({@link decayFactor}; float16 values in float16). */
export const decayFactorIn = (dtype: Dtype): fc.Arbitrary<number> =>
  dtype === 'float16' ? float16Hyperparameters.decayFactor : decayFactor;

/** Learning-rate changes as {@link learningRateChanges}, drawn for `dtype`. */
export const learningRateChangesIn = (dtype: Dtype, maxLength: number): fc.Arbitrary<Rates> =>
  fc.array(fc.option(learningRateIn(dtype), { nil: undefined }), { maxLength });

/**
 * The largest decay factor a law draws where it needs one below 1: 0.9999, or in float16
 * 1 - 2^-11, the largest float16 below 1 (0.9999 is 1 there).
 */
export const belowOne = (dtype: Dtype): number => (dtype === 'float16' ? 1 - 2 ** -11 : 0.9999);

/** The default arbitraries of the hyperparameters for `dtype`. */
function defaultsFor(dtype: Dtype | undefined): Required<HyperparameterRanges> {
  const factor = dtype === undefined ? decayFactor : decayFactorIn(dtype);
  return {
    learningRate: dtype === undefined ? learningRate : learningRateIn(dtype),
    rho: factor,
    decayRate: factor,
    beta1: factor,
    beta2: factor,
    epsilon: dtype === undefined ? epsilon : epsilonIn(dtype),
  };
}

/**
 * A config for a rule, drawn from its declared hyperparameters (for `dtype` where given:
 * float16's are its own). Throws at law construction for a hyperparameter no arbitrary is
 * known for, so a new rule cannot silently skip the laws.
 */
export function configArbitrary(
  rule: OptimizerRule,
  ranges: HyperparameterRanges = {},
  dtype?: Dtype,
): fc.Arbitrary<OptimizerConfig> {
  const defaults = defaultsFor(dtype);
  const fields: Record<string, fc.Arbitrary<number>> = {};
  for (const name of rule.hyperparameters) {
    const arbitrary =
      (ranges as Record<string, fc.Arbitrary<number> | undefined>)[name] ??
      (defaults as Record<string, fc.Arbitrary<number> | undefined>)[name];
    if (arbitrary === undefined)
      throw new RangeError(
        `laws: no arbitrary for hyperparameter ${JSON.stringify(name)} of rule ${JSON.stringify(rule.name)}`,
      );
    fields[name] = arbitrary;
  }
  return fc.record(fields).map((values) => ({ optimizer: rule.name, ...values }) as OptimizerConfig);
}
