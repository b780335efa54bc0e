import fc from 'fast-check';
import { add, dd, div, mul, sqrt, sub, toNumber } from './exact.js';
import {
  decayFactorIn,
  epsilonIn,
  finiteValue,
  learningRateIn,
  normalValue,
  positiveEpsilonIn,
  vectors,
} from './arbitraries.js';
import { trajectories, trajectory } from '../adapter/index.js';
import { type Law, LawViolation } from './law.js';
import { adaptiveStepExact, adaptiveStepSlack, interpolationError, oneMinusPower } from './models.js';
import { rmspropStepError } from './rmsprop.js';
import { nearerPrediction, requireWithin, SLACK, U64, underflow, unitRoundoff } from './tolerance.js';

/**
 * Relative error, in units of u, of a correct implementation's Adam step at step t.
 * Moments as sums of terms: gradient k carries `1 - beta` formed in the dtype
 * (1/(1-beta)), the rounded beta raised to t-k (`raise`: t-1 for any gradients; for a
 * constant gradient the mean over the terms' weights beta^(t-k), below beta/(1-beta)),
 * and its roundings from step k on: first moment g, product, sum, 2 per later step
 * (2t+1); second moment g twice, two products, sum, 2 per later step (2t+3). The bias
 * `1 - beta^t`, at worst from a power by repeated multiplication in the dtype
 * (2t u beta^t/(1-beta^t) <= 2/(1-beta)), and its rounding (1), the division (1): m_hat
 * 3/(1-b1) + raise1 + 2t + 3,
 * v_hat 3/(1-b2) + raise2 + 2t + 5, halved by sqrt (+1). Then eps (2), lr (2), the
 * division (1). Relative to the same sums of |terms| when the gradients' signs differ.
 * For a constant gradient the interpolation form of the moments (interpolationError)
 * adds at most (2k + 1) beta^(t-1) / (1 - beta^t) + 1 <= 3 / (1 - beta) + 1 relative to
 * each moment (|g - m_{t-1}| = |g| beta^(t-1)), the second one's halved by sqrt; laws
 * with other gradients add interpolationError themselves.
 */
export function adamStepError(t: number, beta1: number, beta2: number, gradient: 'any' | 'constant' = 'any'): number {
  const raise = (beta: number) => (gradient === 'constant' ? Math.min(t - 1, beta / (1 - beta)) : t - 1);
  const interpolation = gradient === 'constant' ? 3 / (1 - beta1) + 1 + (3 / (1 - beta2) + 1) / 2 : 0;
  return (
    3 / (1 - beta1) +
    raise(beta1) +
    2 * t +
    3 +
    (3 / (1 - beta2) + raise(beta2) + 2 * t + 5) / 2 +
    1 +
    5 +
    interpolation
  );
}

/** Input of the constant-gradient law. */
export interface ConstantInput {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  g: number[];
  steps: number;
}

/**
 * With a constant gradient the bias-corrected moments are exactly g and g^2, so every
 * step is `lr g / (|g| + eps)`, close to `lr sign(g)` (docs/spec.md section 6). Checked per
 * step from the implementation's own previous x (x0 = 0) with relative error
 * adamStepError(t, 'constant') u: it grows with t and with 1/(1 - beta), as a float32
 * implementation's does. |g| >= 2^-20, lr >= 1e-6 and c1 >= 1 - beta1 >= 1e-3 keep `lr m`
 * (and `lr m_hat`) normal in every evaluation order, so only the last two roundings may
 * underflow: 2 eta. Catches a stale step counter and a missing bias correction. Finite input, |g| in [2^-20, 2^20].
 */
const constantGradient: Law<ConstantInput> = {
  id: 'adam/constant-gradient-step',
  subject: 'adam',
  title: 'Adam: with a constant gradient every step is lr g / (|g| + eps) (finite input, derived bound)',
  runs: 60,
  arbitrary: (dtype) =>
    fc.integer({ min: 1, max: 4 }).chain((n) =>
      fc.record({
        learningRate: learningRateIn(dtype),
        beta1: decayFactorIn(dtype),
        beta2: decayFactorIn(dtype),
        epsilon: epsilonIn(dtype),
        g: fc.array(normalValue(dtype, 2 ** -20, 2 ** 20), { minLength: n, maxLength: n }),
        steps: fc.integer({ min: 1, max: 60 }),
      }),
    ),
  async check(adapter, { learningRate: lr, beta1, beta2, epsilon: eps, g, steps }) {
    const u = unitRoundoff(adapter.dtype, adapter.arithmetic);
    const xs = await trajectory(
      adapter,
      { optimizer: 'adam', learningRate: lr, beta1, beta2, epsilon: eps },
      g.map(() => 0),
      Array.from({ length: steps }, () => g),
    );
    for (let t = 0; t < steps; t++) {
      for (let i = 0; i < g.length; i++) {
        const previous = t === 0 ? 0 : xs[t - 1]![i]!;
        const step = toNumber(adaptiveStepExact(lr, g[i]!, dd(1), eps));
        const expected = toNumber(sub(dd(previous), dd(step)));
        const bound =
          SLACK * (adamStepError(t + 1, beta1, beta2, 'constant') * u * Math.abs(step) + u * Math.abs(expected)) +
          2 * underflow(adapter.dtype, adapter.arithmetic) +
          U64 * (Math.abs(expected) + Math.abs(step));
        requireWithin(
          'the step under a constant gradient is not lr g / (|g| + eps)',
          xs[t]![i]!,
          expected,
          bound,
          'adamStepError(t, constant) u |step| * 1.01 + 1.01 u |x_t| + 2 eta + 2^-53 (|x_t| + |step|)',
          adapter.dtype,
          { step: t + 1, coordinate: i },
        );
      }
    }
  },
};

/** Input of the first-step law. */
export interface FirstStepInput {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  g: number[];
}

/**
 * The first step is `lr g / (|g| + eps)` for any finite g (m_hat = g, v_hat = g^2 at
 * t = 1): close to `lr sign(g)` when |g| >> eps, about `lr g / eps` when |g| << eps.
 * "Adam (almost)" instead takes `lr (1 - beta1) / sqrt(1 - beta2)` times the sign, the
 * large first step the lecture asks about, and `epsilon-hat` effectively divides eps by
 * sqrt(1 - beta2): tiny and subnormal gradients are drawn on purpose to show both.
 * Within adamStepError(1) u relative, plus underflow, for every evaluation order
 * docs/conventions.md lists: the moments' products may underflow (2 eta each), which
 * costs `sqrt(2 eta / (1 - beta2)) / eps` relative in the denominator; the numerator's
 * underflowing roundings (m's product scaled by lr, then lr's own product: lr eta + eta,
 * plus m_hat's division in NumPy's order), 2 eta (lr + 1) at most, are divided by the
 * smallest denominator an order uses: `eps` in NumPy's, TF.js's and PyTorch's split
 * order (`(lr m / c1) / (sqrt(v_hat) + eps)`, `lr * (m_hat / den)`, `(lr / c1) m / den`,
 * where c1 only ever divides m's eta), `c1 eps` in one denominator (`lr m / (c1
 * (sqrt(v_hat) + eps))`), c1 = 1 - beta1 at t = 1 (its rounding in the dtype, a factor
 * 1 + u, is inside the doubled eta): `2 eta (lr + 1) / ((1 - beta1) eps)`. Finite input,
 * |g| <= 2^60, eps > 0.
 * The message names "Adam (almost)" only for a first step nearer its value than the
 * spec's by more than that bound (nearerPrediction): with both betas near 0 they coincide.
 */
const firstStep: Law<FirstStepInput> = {
  id: 'adam/first-step',
  subject: 'adam',
  title:
    'Adam: the first step is lr g / (|g| + eps), close to lr sign(g) for |g| >> eps (finite input incl. subnormals, derived bound)',
  runs: 100,
  arbitrary: (dtype) =>
    fc.integer({ min: 1, max: 6 }).chain((n) =>
      fc.record({
        learningRate: learningRateIn(dtype),
        beta1: decayFactorIn(dtype),
        beta2: decayFactorIn(dtype),
        epsilon: positiveEpsilonIn(dtype),
        g: fc.array(fc.oneof(finiteValue(dtype, 2 ** 60), normalValue(dtype, 1e-12, 1e-3)), {
          minLength: n,
          maxLength: n,
        }),
      }),
    ),
  async check(adapter, { learningRate: lr, beta1, beta2, epsilon: eps, g }) {
    const u = unitRoundoff(adapter.dtype, adapter.arithmetic);
    const eta = underflow(adapter.dtype, adapter.arithmetic);
    const [x1] = await trajectory(
      adapter,
      { optimizer: 'adam', learningRate: lr, beta1, beta2, epsilon: eps },
      g.map(() => 0),
      [g],
    );
    for (let i = 0; i < g.length; i++) {
      const step = toNumber(adaptiveStepExact(lr, g[i]!, dd(1), eps));
      const rel = SLACK * adamStepError(1, beta1, beta2) * u + Math.sqrt((2 * eta) / (1 - beta2)) / eps;
      // 2 eta / eps first: lr * 2 eta alone would underflow to 0 in the law's own arithmetic.
      const bound =
        rel * Math.abs(step) + ((2 * eta) / eps) * ((lr + 1) / (1 - beta1)) + 2 * eta + U64 * Math.abs(step);
      const actual = x1![i]!;
      if (!(Math.abs(actual + step) <= bound)) {
        // Adam (almost)'s first step; 6 roundings of its own in float64 widen the margin by 6 U64 |almost|.
        const almost = (lr * (1 - beta1) * g[i]!) / (Math.sqrt(1 - beta2) * Math.abs(g[i]!) + eps);
        const hint = nearerPrediction(actual, -almost, -step, bound + 6 * U64 * Math.abs(almost))
          ? ` (nearer lr (1 - beta1) g / (sqrt(1 - beta2) |g| + eps) = ${almost}: no bias correction, "Adam (almost)")`
          : '';
        throw new LawViolation(`the first step is ${-actual}, expected lr g / (|g| + eps) = ${step}${hint}`, {
          step: 1,
          coordinate: i,
          expected: -step,
          actual,
          relativeError: Math.abs(actual + step) / Math.abs(step),
          tolerance: `${bound.toExponential(3)} = adamStepError(1) u |step| * 1.01 + underflow terms + 2^-53 |step|`,
        });
      }
    }
  },
};

/** Input of the beta1 = 0 law. */
export interface BetaZeroInput {
  learningRate: number;
  beta2: number;
  x0: number[];
  grads: number[][];
}

/**
 * beta1 = 0 turns Adam's first moment into the gradient, so Adam is RMSProp with
 * decay_rate = beta2 up to the bias correction of the second moment. With eps = 0 that
 * correction is a learning-rate factor: `lr g / sqrt(v / (1 - beta2^t)) =
 * (lr sqrt(1 - beta2^t)) g / sqrt(v)`, so Adam(beta1 = 0, eps = 0) equals RMSProp(beta2,
 * eps = 0) run with learning rate `lr sqrt(1 - beta2^t)` at step t. (Without bias
 * correction, "Adam (almost)", it is RMSProp bit for bit: spec/laws.spec.ts checks that
 * on the reference.) Compared with the adapter's RMSProp when it has one, else with
 * the law's double-double Adam. Within both runs' rounding (adamStepError,
 * rmspropStepError) on the exact steps, plus, per run, what the interpolation form of
 * the moments may add (interpolationError with the largest earlier |g| and g^2 for the
 * implementation's own previous moments, through adaptiveStepSlack); once that slack
 * is infinite (a moment may cancel to 0) the coordinate is not checked further.
 * Finite, normal-range input.
 */
const betaZero: Law<BetaZeroInput> = {
  id: 'adam/beta1-zero-is-rmsprop',
  subject: 'adam',
  title:
    'Adam with beta1 = 0, eps = 0 is RMSProp with decay_rate = beta2 and learning rate lr sqrt(1 - beta2^t) (finite input, derived bound)',
  runs: 60,
  arbitrary: (dtype) =>
    fc.integer({ min: 1, max: 4 }).chain((n) =>
      fc.record({
        learningRate: learningRateIn(dtype),
        beta2: decayFactorIn(dtype),
        x0: fc.array(finiteValue(dtype, 1e3), { minLength: n, maxLength: n }),
        grads: vectors(normalValue(dtype, 2 ** -20, 2 ** 20), n, 1, 20),
      }),
    ),
  async check(adapter, { learningRate: lr, beta2, x0, grads }) {
    const u = unitRoundoff(adapter.dtype, adapter.arithmetic);
    const eta = underflow(adapter.dtype, adapter.arithmetic);
    const steps = grads.length;
    const rates = Array.from({ length: steps }, (_, t) => toNumber(mul(dd(lr), sqrt(oneMinusPower(beta2, t + 1)))));
    const hasRmsprop = adapter.optimizers.includes('rmsprop');
    // One script: Adam, then the implementation's own RMSProp when it conforms (a companion).
    const [adam, rms] = (await trajectories(adapter, [
      { config: { optimizer: 'adam', learningRate: lr, beta1: 0, beta2, epsilon: 0 }, x0, grads },
      ...(hasRmsprop
        ? [
            {
              config: { optimizer: 'rmsprop' as const, learningRate: rates[0]!, decayRate: beta2, epsilon: 0 },
              x0,
              grads,
              learningRates: rates,
            },
          ]
        : []),
    ])) as [Float64Array[], Float64Array[] | undefined];
    for (let i = 0; i < x0.length; i++) {
      let v = dd(0);
      let X = dd(x0[i]!);
      let bound = 0;
      let largest = 0;
      for (let t = 1; t <= steps; t++) {
        const g = grads[t - 1]![i]!;
        v = add(mul(dd(beta2), v), mul(sub(dd(1), dd(beta2)), mul(dd(g), dd(g))));
        const bias = toNumber(oneMinusPower(beta2, t));
        const step = div(mul(dd(lr), dd(g)), sqrt(div(v, oneMinusPower(beta2, t))));
        X = sub(X, step);
        const s = Math.abs(toNumber(step));
        const Xt = toNumber(X);
        const vt = toNumber(v);
        const dm = interpolationError(u, 1, Math.abs(g) + SLACK * Math.sqrt(largest), g);
        const dv = interpolationError(u, 1 - beta2, g * g + SLACK * largest, vt);
        const interpolation =
          adaptiveStepSlack(lr, g, dm, vt / bias, dv / bias, 0) +
          (rms === undefined ? 0 : adaptiveStepSlack(lr * Math.sqrt(bias), g, 0, vt, dv, 0));
        largest = Math.max(largest, g * g);
        const other = rms === undefined ? 0 : rmspropStepError(t, 1 - beta2) * u + 4 * U64;
        bound +=
          SLACK * ((adamStepError(t, 0, beta2) * u + other) * s + u * 2 * Math.abs(Xt) + interpolation) + 4 * eta;
        if (bound === Number.POSITIVE_INFINITY) break;
        const at = { step: t, coordinate: i };
        if (rms === undefined)
          requireWithin(
            'Adam with beta1 = 0, eps = 0 is off the exact rule',
            adam[t - 1]![i]!,
            Xt,
            bound + U64 * Math.abs(Xt),
            'sum_t [adamStepError(t) u |step_t| + 2u |x_t| + interpolation slack] * 1.01 + 4 eta t + 2^-53 |x_t|',
            adapter.dtype,
            at,
          );
        else
          requireWithin(
            'Adam with beta1 = 0, eps = 0 differs from RMSProp(beta2) at learning rate lr sqrt(1 - beta2^t)',
            adam[t - 1]![i]!,
            rms[t - 1]![i]!,
            bound,
            'sum_t [(adamStepError(t) + rmspropStepError(t)) u |step_t| + 4 2^-53 |step_t| + 2u |x_t| + interpolation slack] * 1.01 + 4 eta t',
            adapter.dtype,
            at,
          );
      }
    }
  },
};

/** The laws of Adam (docs/spec.md section 6), besides those every optimizer obeys and its step bound (adam-step-bound.ts). */
export const adamLaws: readonly Law[] = [constantGradient as Law, firstStep as Law, betaZero as Law];
