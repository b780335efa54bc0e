import fc from 'fast-check';
import { add, dd, div, mul, sqrt, sub, toNumber } from './exact.js';
import { decayFactorIn, epsilonIn, finiteValue, learningRateIn, normalValue, range, vectors } from './arbitraries.js';
import { trajectories, trajectory } from '../adapter/index.js';
import type { Law } from './law.js';
import { adagradStepError } from './adagrad.js';
import { adaptiveStepExact, adaptiveStepSlack, interpolationError, oneMinusPower } from './models.js';
import { requireWithin, SLACK, U64, underflow, unitRoundoff } from './tolerance.js';

/**
 * Relative error, in units of u, of a correct implementation's RMSProp step at step t
 * with `delta = 1 - decay_rate`: `1 - decay_rate` formed in the dtype from a rounded
 * decay_rate is off by up to u / delta (TF.js does this); the accumulator sums t
 * positive terms with decay_rate^k (k u) and two roundings per step (2t u), each term
 * three roundings; sqrt halves all that and adds u; then eps (2u), lr and g (3u), the
 * division (u) and one more for the conversion of the accumulator's start. The
 * interpolation form `s + delta (g^2 - s)` adds interpolationError, relative to s_t at
 * most (2 delta + 1) |g^2 - s_{t-1}| / s_t + 1 <= 3 / delta + 1 (halved by sqrt) when
 * s_{t-1} <= s_t (a constant gradient) or decay_rate >= 0.99 (|g^2 - s_{t-1}| <= g^2 +
 * s_{t-1} <= s_t (1 / delta + 1 / decay_rate)); laws with other gradients add it themselves.
 */
export function rmspropStepError(t: number, delta: number): number {
  return (1 / delta + 3 * t + 3) / 2 + 8 + (3 / delta + 1) / 2;
}

/** AdaGrad in double-double, for adapters without their own AdaGrad. */
function exactAdagrad(x0: readonly number[], grads: readonly number[][], lr: number, eps: number): Float64Array[] {
  const G = x0.map(() => dd(0));
  const X = x0.map((v) => dd(v));
  return grads.map((g) =>
    Float64Array.from(x0, (_, i) => {
      G[i] = add(G[i]!, mul(dd(g[i]!), dd(g[i]!)));
      X[i] = sub(X[i]!, div(mul(dd(lr), dd(g[i]!)), add(sqrt(G[i]!), dd(eps))));
      return toNumber(X[i]!);
    }),
  );
}

/** Input of the AdaGrad-limit law. */
export interface LimitInput {
  learningRate: number;
  epsilon: number;
  delta: number;
  x0: number[];
  grads: number[][];
}

/**
 * RMSProp tends to AdaGrad (the design's third named law), made precise: with
 * `delta = 1 - decay_rate`, RMSProp run with `lr sqrt(delta)` and `eps sqrt(delta)` takes
 * the step `lr g / (sqrt(H_t) + eps)` with `H_t = sum (1 - delta)^(t-k) g_k^2`, while
 * AdaGrad's is `lr g / (sqrt(G_t) + eps)`, `G_t = sum g_k^2`. Since
 * `1 - (1 - delta)^j <= j delta`, `G_t (1 - (t-1) delta) <= H_t <= G_t`; with
 * `|g_t| <= sqrt(H_t)` the step difference is at most
 * `lr (1 - sqrt(H/G)) <= lr (t - 1) delta`, so over T steps the trajectories part by at
 * most `lr delta T (T - 1) / 2`: linear in 1 - decay_rate, quadratic in the horizon.
 * Checked at delta and delta / 4 against the adapter's AdaGrad (or the law's own when it
 * has none), plus both runs' rounding (adagradStepError,
 * rmspropStepError: steps are at most lr). Finite, normal-range input.
 */
const adagradLimit: Law<LimitInput> = {
  id: 'rmsprop/adagrad-limit',
  subject: 'rmsprop',
  title:
    'RMSProp with lr sqrt(1-d) and eps sqrt(1-d) tracks AdaGrad within lr (1-d) T(T-1)/2 over T steps as d -> 1 (finite input, derived bound)',
  runs: 40,
  arbitrary: (dtype) =>
    fc.integer({ min: 1, max: 3 }).chain((n) =>
      fc.record({
        learningRate: learningRateIn(dtype),
        epsilon: epsilonIn(dtype),
        delta: range(1e-3, 1e-2),
        x0: fc.array(finiteValue(dtype, 1), { minLength: n, maxLength: n }),
        grads: vectors(normalValue(dtype, 2 ** -10, 2 ** 10), n, 2, 20),
      }),
    ),
  async check(adapter, { learningRate: lr, epsilon: eps, delta, x0, grads }) {
    const u = unitRoundoff(adapter.dtype, adapter.arithmetic);
    const eta = underflow(adapter.dtype, adapter.arithmetic);
    const deltas = [delta, delta / 4].map((d) => {
      const decayRate = 1 - d;
      const exactDelta = 1 - decayRate; // exact (Sterbenz), the delta the implementation is given
      return { decayRate, exactDelta, root: Math.sqrt(exactDelta) };
    });
    // One script: the implementation's own AdaGrad when it conforms (a companion), then both RMSProp runs.
    const hasAdagrad = adapter.optimizers.includes('adagrad');
    const runs = await trajectories(adapter, [
      ...(hasAdagrad ? [{ config: { optimizer: 'adagrad' as const, learningRate: lr, epsilon: eps }, x0, grads }] : []),
      ...deltas.map(({ decayRate, root }) => ({
        config: { optimizer: 'rmsprop' as const, learningRate: lr * root, decayRate, epsilon: eps * root },
        x0,
        grads,
      })),
    ]);
    const ada = hasAdagrad ? runs.shift()! : exactAdagrad(x0, grads, lr, eps);
    for (const [k, { exactDelta }] of deltas.entries()) {
      const rms = runs[k]!;
      for (let i = 0; i < x0.length; i++) {
        let rounding = 0;
        for (let t = 1; t <= grads.length; t++) {
          const a = ada[t - 1]![i]!;
          const b = rms[t - 1]![i]!;
          // + 4 * U64: lr sqrt(delta) and eps sqrt(delta) are rounded to double by the law.
          rounding +=
            SLACK *
              ((adagradStepError(t) + rmspropStepError(t, exactDelta)) * u * lr +
                4 * U64 * lr +
                u * (Math.abs(a) + Math.abs(b))) +
            4 * eta;
          const gap = (lr * exactDelta * t * (t - 1)) / 2;
          requireWithin(
            `RMSProp with 1 - decay_rate = ${exactDelta} parted from AdaGrad`,
            b,
            a,
            gap + rounding,
            'lr (1-d) t(t-1)/2 + sum_s [(adagradStepError + rmspropStepError) u lr + 4 2^-53 lr + u(|x|+|x~|)] * 1.01 + 4 eta t',
            adapter.dtype,
            { step: t, coordinate: i },
          );
        }
      }
    }
  },
};

/** Input of the decay-zero law. */
export interface DecayZeroInput {
  learningRate: number;
  epsilon: number;
  grads: number[][];
}

/**
 * With decay_rate = 0 every step is `lr dx / (|dx| + eps)`: the accumulator is just
 * dx^2 and sqrt(fl(dx^2)) = |dx| in the normal range. Checked per step from the
 * implementation's own previous x (from x0 = 0, so tiny steps stay visible): the step's
 * relative error is at most 8u (rmspropStepError's terms at t = 1, delta = 1, without
 * the accumulation), plus u |x_t|. The interpolation form `s + (dx^2 - s)` keeps the
 * previous dx^2 in its roundings (interpolationError, up to 1.01 max earlier dx^2 for
 * the implementation's own s), which may swamp a much smaller dx^2: adaptiveStepSlack
 * adds that, and where it is infinite (the accumulator may cancel to 0) the step is not
 * checked. Finite input: |dx| in [2^-60, 2^60] or zero (with eps = 0 a zero gradient
 * gives 0 / 0 = NaN, which the law expects too).
 */
const decayZero: Law<DecayZeroInput> = {
  id: 'rmsprop/decay-zero',
  subject: 'rmsprop',
  title: 'RMSProp with decay_rate = 0 steps by lr dx / (|dx| + eps) (finite input, derived bound)',
  runs: 80,
  arbitrary: (dtype) =>
    fc.integer({ min: 1, max: 4 }).chain((n) =>
      fc.record({
        learningRate: learningRateIn(dtype),
        epsilon: epsilonIn(dtype),
        grads: vectors(fc.oneof(normalValue(dtype, 2 ** -60, 2 ** 60), fc.constantFrom(0, -0)), n, 1, 10),
      }),
    ),
  async check(adapter, { learningRate: lr, epsilon: eps, grads }) {
    const u = unitRoundoff(adapter.dtype, adapter.arithmetic);
    const n = grads[0]!.length;
    const xs = await trajectory(
      adapter,
      { optimizer: 'rmsprop', learningRate: lr, decayRate: 0, epsilon: eps },
      new Array<number>(n).fill(0),
      grads,
    );
    for (let i = 0; i < n; i++) {
      let largest = 0;
      for (let t = 0; t < grads.length; t++) {
        const g = grads[t]![i]!;
        const previous = t === 0 ? 0 : xs[t - 1]![i]!;
        const step = adaptiveStepExact(lr, g, dd(1), eps);
        const expected = toNumber(sub(dd(previous), step));
        const interpolation = adaptiveStepSlack(
          lr,
          g,
          0,
          g * g,
          interpolationError(u, 1, g * g + SLACK * largest, g * g),
          eps,
        );
        largest = Math.max(largest, g * g);
        const bound =
          SLACK * (8 * u * Math.abs(toNumber(step)) + u * Math.abs(expected) + interpolation) +
          2 * underflow(adapter.dtype, adapter.arithmetic) +
          U64 * Math.abs(expected);
        // An unchecked step may have left x infinite or NaN: the next step has no finite x to start from.
        if (bound === Number.POSITIVE_INFINITY || !Number.isFinite(previous)) continue;
        requireWithin(
          'the step is not lr dx / (|dx| + eps)',
          xs[t]![i]!,
          expected,
          bound,
          '(8u |step| + u |x_t| + interpolation slack) * 1.01 + 2 eta + 2^-53 |x_t|',
          adapter.dtype,
          { step: t + 1, coordinate: i },
        );
      }
    }
  },
};

/** Input of the no-decay law. */
export interface NoDecayInput {
  learningRate: number;
  epsilon: number;
  decayRate: number;
  g: number[];
  steps: number;
}

/**
 * With a constant gradient the accumulator is `g^2 (1 - d^t)`, so the step is
 * `lr g / (|g| sqrt(1 - d^t) + eps)`, which never falls below `lr |g| / (|g| + eps)`:
 * unlike AdaGrad's it does not decay to zero (docs/spec.md section 5, "leaky AdaGrad").
 * Checked per step from the implementation's own previous x (x0 = 0), with relative
 * error rmspropStepError(t, 1 - d) u; the floor follows from the closed form, since
 * sqrt(1 - d^t) <= 1, so it needs no check of its own.
 * Finite input, |g| in [2^-20, 2^20].
 */
const noDecay: Law<NoDecayInput> = {
  id: 'rmsprop/constant-gradient-no-decay',
  subject: 'rmsprop',
  title:
    'RMSProp: with a constant gradient the step is lr g / (|g| sqrt(1 - d^t) + eps) and does not decay to zero (finite input, derived bound)',
  runs: 60,
  arbitrary: (dtype) =>
    fc.integer({ min: 1, max: 4 }).chain((n) =>
      fc.record({
        learningRate: learningRateIn(dtype),
        epsilon: epsilonIn(dtype),
        decayRate: decayFactorIn(dtype),
        g: fc.array(normalValue(dtype, 2 ** -20, 2 ** 20), { minLength: n, maxLength: n }),
        steps: fc.integer({ min: 1, max: 100 }),
      }),
    ),
  async check(adapter, { learningRate: lr, epsilon: eps, decayRate, g, steps }) {
    const u = unitRoundoff(adapter.dtype, adapter.arithmetic);
    const delta = 1 - decayRate;
    const xs = await trajectory(
      adapter,
      { optimizer: 'rmsprop', learningRate: lr, decayRate, epsilon: eps },
      g.map(() => 0),
      Array.from({ length: steps }, () => g),
    );
    for (let t = 0; t < steps; t++) {
      for (let i = 0; i < g.length; i++) {
        const previous = t === 0 ? 0 : xs[t - 1]![i]!;
        const step = toNumber(adaptiveStepExact(lr, g[i]!, oneMinusPower(decayRate, t + 1), eps));
        const expected = toNumber(sub(dd(previous), dd(step)));
        const rel = SLACK * rmspropStepError(t + 1, delta) * u;
        const bound =
          rel * Math.abs(step) +
          SLACK * u * Math.abs(expected) +
          2 * underflow(adapter.dtype, adapter.arithmetic) +
          U64 * (Math.abs(expected) + Math.abs(step));
        requireWithin(
          'the step is not lr g / (|g| sqrt(1 - d^t) + eps)',
          xs[t]![i]!,
          expected,
          bound,
          'rmspropStepError(t, 1-d) u |step| * 1.01 + 1.01 u |x_t| + 2 eta + 2^-53 (|x_t| + |step|)',
          adapter.dtype,
          { step: t + 1, coordinate: i },
        );
      }
    }
  },
};

/** The laws of RMSProp (docs/spec.md section 5), besides those every optimizer obeys. */
export const rmspropLaws: readonly Law[] = [adagradLimit as Law, decayZero as Law, noDecay as Law];
