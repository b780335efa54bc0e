import fc from 'fast-check';
import { belowOne, epsilonIn, learningRateIn, normalValue, range, vectors } from './arbitraries.js';
import { trajectory } from '../adapter/index.js';
import { type Law, LawViolation } from './law.js';
import { adaptiveStepSlack, interpolationError } from './models.js';
import { SLACK, U64, underflow, unitRoundoff } from './tolerance.js';
import { adamStepError } from './adam.js';

/**
 * The bound on Adam's step this law asserts, for bias-corrected Adam and any eps >= 0:
 *
 *   |step_t| <= lr * B_t,  B_t = (1 - beta1) / (1 - beta1^t) * sqrt((1 - beta2^t) / (1 - beta2)) * sqrt(S_t),
 *   S_t = sum_{j<t} (beta1^2 / beta2)^j.
 *
 * Proof sketch: `m_t = (1 - beta1) sum_k beta1^(t-k) g_k` and `v_t = (1 - beta2) sum_k
 * beta2^(t-k) g_k^2`. Writing `beta1^j g = (beta1^j / beta2^(j/2)) (beta2^(j/2) g)`,
 * Cauchy-Schwarz gives `|sum_k beta1^(t-k) g_k| <= sqrt(S_t) sqrt(sum_k beta2^(t-k) g_k^2)`,
 * so `|m_t| / sqrt(v_t) <= (1 - beta1) sqrt(S_t) / sqrt(1 - beta2)`. The bias corrections
 * multiply this by `sqrt(1 - beta2^t) / (1 - beta1^t)`, and eps >= 0 only shrinks the
 * step. B_1 = 1; B_t is attained (eps -> 0) by g_k proportional to (beta1/beta2)^(t-k),
 * so it is tight. Kingma and Ba's |step| <= lr max(1, (1 - beta1) / sqrt(1 - beta2)) is
 * a heuristic: with beta1 = 0.9, beta2 = 0.99, B_t tends to 2.35 > 1 and such gradients
 * reach it (spec/oracle-closed-forms.spec.ts).
 */
export function adamStepBound(beta1: number, beta2: number, t: number): number {
  const gamma = (beta1 * beta1) / beta2;
  let S = 0;
  for (let j = 0; j < t; j++) S += gamma ** j;
  return ((1 - beta1) / (1 - beta1 ** t)) * Math.sqrt((1 - beta2 ** t) / (1 - beta2)) * Math.sqrt(S);
}

/** Input of the step-bound law. */
export interface StepBoundInput {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  grads: number[][];
}

/**
 * Every step obeys `|step_t| <= lr B_t` ({@link adamStepBound}), for any gradients. The
 * computed ratio |m_hat| / sqrt(v_hat) is within adamStepError(t) u of the bound on the
 * same sums of |terms|; the observed difference adds u |x_t| and 2^-53 |d|; the
 * interpolation form of the moments adds interpolationError (the implementation's
 * previous moments at most 1.01 the largest earlier |g| and g^2), through
 * adaptiveStepSlack at the exact moments. Finite input:
 * |g| in [2^-30, 2^30] or zero, the first gradient nonzero, beta2 in [0.9, 0.9999] and at
 * most 30 steps, so that v stays normal in float32.
 */
export const adamStepBoundLaw: Law<StepBoundInput> = {
  id: 'adam/step-bound',
  subject: 'adam',
  title:
    'Adam: every step obeys |step_t| <= lr (1-b1)/(1-b1^t) sqrt((1-b2^t)/(1-b2)) sqrt(sum_j (b1^2/b2)^j) (Cauchy-Schwarz; finite input)',
  runs: 80,
  arbitrary: (dtype) =>
    fc.integer({ min: 1, max: 4 }).chain((n) =>
      fc.record({
        learningRate: learningRateIn(dtype),
        beta1: fc.oneof(fc.constantFrom(0, 0.9, 0.99), range(0, 0.99)),
        beta2: fc.oneof(fc.constantFrom(0.9, 0.99, 0.999), range(0.9, belowOne(dtype))),
        epsilon: epsilonIn(dtype),
        grads: fc
          .tuple(
            vectors(normalValue(dtype, 2 ** -30, 2 ** 30), n, 1, 1),
            vectors(fc.oneof(normalValue(dtype, 2 ** -30, 2 ** 30), fc.constantFrom(0, -0)), n, 0, 29),
          )
          .map(([first, rest]) => [...first, ...rest]),
      }),
    ),
  async check(adapter, { learningRate: lr, beta1, beta2, epsilon: eps, grads }) {
    const u = unitRoundoff(adapter.dtype, adapter.arithmetic);
    const n = grads[0]!.length;
    const xs = await trajectory(
      adapter,
      { optimizer: 'adam', learningRate: lr, beta1, beta2, epsilon: eps },
      new Array<number>(n).fill(0),
      grads,
    );
    const m = new Array<number>(n).fill(0);
    const v = new Array<number>(n).fill(0);
    const largest = new Array<number>(n).fill(0);
    for (let t = 1; t <= grads.length; t++) {
      const limit = lr * adamStepBound(beta1, beta2, t);
      const c1 = 1 - beta1 ** t;
      const c2 = 1 - beta2 ** t;
      for (let i = 0; i < n; i++) {
        const g = grads[t - 1]![i]!;
        m[i] = beta1 * m[i]! + (1 - beta1) * g;
        v[i] = beta2 * v[i]! + (1 - beta2) * g * g;
        const dm = interpolationError(u, 1 - beta1, Math.abs(g) + SLACK * Math.sqrt(largest[i]!), m[i]!);
        const dv = interpolationError(u, 1 - beta2, g * g + SLACK * largest[i]!, v[i]!);
        largest[i] = Math.max(largest[i]!, g * g);
        const interpolation = adaptiveStepSlack(lr, m[i]! / c1, dm / c1, v[i]! / c2, dv / c2, eps);
        const previous = t === 1 ? 0 : xs[t - 2]![i]!;
        const d = Math.abs(previous - xs[t - 1]![i]!);
        const bound =
          limit * (1 + SLACK * adamStepError(t, beta1, beta2) * u) +
          SLACK * (u * Math.abs(xs[t - 1]![i]!) + U64 * d + interpolation) +
          2 * underflow(adapter.dtype, adapter.arithmetic);
        if (!(d <= bound)) {
          throw new LawViolation(`|step| = ${d} exceeds the Cauchy-Schwarz bound lr B_t = ${limit}`, {
            step: t,
            coordinate: i,
            expected: limit,
            actual: d,
            relativeError: (d - limit) / limit,
            tolerance: `${bound.toExponential(3)} = lr B_t (1 + adamStepError(t) u * 1.01) + 1.01 (u |x_t| + 2^-53 |d| + interpolation slack) + 2 eta`,
          });
        }
      }
    }
  },
};

/** The laws of Adam (docs/spec.md section 6), besides those every optimizer obeys. */
