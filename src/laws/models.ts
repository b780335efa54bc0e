import type { Arithmetic } from '../numerics/index.js';
import type { Dtype } from '../reference/index.js';
import { add, type DD, dd, div, mul, sqrt, sub, toNumber } from './exact.js';
import { SLACK, U64, underflow, unitRoundoff } from './tolerance.js';

/**
 * The laws' own statement of a rule, evaluated in double-double (src/laws/exact.ts),
 * with a rigorous bound on how far a correct implementation in the dtype may be from it.
 */
export interface Expected {
  /** `x[t][i]`: the exact parameters after step t + 1, rounded once to double. */
  readonly x: number[][];
  /** `bound[t][i]`: how far a correct implementation may be from `x[t][i]`. */
  readonly bound: number[][];
  /** The bound's derivation, reported with a violation. */
  readonly derivation: string;
}

/** The learning rate in force at each step: `changes[t]`, when defined, replaces it from step t on. */
export function ratesInForce(initial: number, changes: readonly (number | undefined)[], steps: number): number[] {
  const out: number[] = [];
  let lr = initial;
  for (let t = 0; t < steps; t++) {
    lr = changes[t] ?? lr;
    out.push(lr);
  }
  return out;
}

function table(steps: number, size: number): number[][] {
  return Array.from({ length: steps }, () => new Array<number>(size).fill(0));
}

/**
 * SGD + Momentum in exact arithmetic: the spec's form `vx = rho vx + dx; x -= lr vx`
 * (docs/spec.md section 2) or the lecture's alternative `v = rho v - lr dx; x += v`.
 *
 * Bound: the computed velocity at step s is a sum of terms, gradient k's carrying at
 * most 3(s-k) + 2 <= 3s - 1 rounding factors (1 + d), |d| <= u: s-k roundings of rho
 * (its power), s-k products, s-k+1 sums, the conversion of g. The spec's form then
 * multiplies by lr_s (its conversion and the product): (3s + 1) u lr_s A_s with
 * `A_s = sum_k rho^(s-k) |g_k|`. The alternative's term k already holds lr_k (its
 * conversion and the product lr_k g_k): (3s + 1) u A_s with `A_s = sum_k rho^(s-k)
 * lr_k |g_k|`, the velocity's own scale when the rate changes. Each `x` update adds
 * u |x_s| and 2 eta; the velocity's products may underflow by 2 eta a step, which
 * reaches x times lr_s in the spec's form, unscaled (x += v) in the alternative: 2 eta
 * (1 + lr_s s) or 2 eta (1 + s) at step s. The exact value is rounded once to double: + 2^-53 |X_t|.
 * On a shader's `arithmetic`, u and eta as src/laws/tolerance.ts scales them (eta 2^-126 where
 * subnormals may be flushed).
 */
export function momentumModel(
  dtype: Dtype,
  arithmetic: Arithmetic | undefined,
  x0: readonly number[],
  grads: readonly (readonly number[])[],
  rates: readonly number[],
  rho: number,
  form: 'spec' | 'alternative',
): Expected {
  const u = unitRoundoff(dtype, arithmetic);
  const eta = underflow(dtype, arithmetic);
  const steps = grads.length;
  const x = table(steps, x0.length);
  const bound = table(steps, x0.length);
  const r = dd(rho);
  for (let i = 0; i < x0.length; i++) {
    let v = dd(0);
    let X = dd(x0[i]!);
    let A = 0;
    let err = 0;
    for (let s = 1; s <= steps; s++) {
      const g = dd(grads[s - 1]![i]!);
      const rate = rates[s - 1]!;
      const lr = dd(rate);
      if (form === 'spec') {
        v = add(mul(r, v), g);
        X = sub(X, mul(lr, v));
        A = rho * A + Math.abs(grads[s - 1]![i]!);
      } else {
        v = sub(mul(r, v), mul(lr, g));
        X = add(X, v);
        A = rho * A + rate * Math.abs(grads[s - 1]![i]!);
      }
      const Xs = toNumber(X);
      const [velocity, carried] = form === 'spec' ? [rate * A, rate * s] : [A, s];
      err += SLACK * ((3 * s + 1) * u * velocity + u * Math.abs(Xs)) + 2 * eta * (1 + carried);
      x[s - 1]![i] = Xs;
      bound[s - 1]![i] = err + U64 * Math.abs(Xs);
    }
  }
  const derivation =
    form === 'spec'
      ? 'sum_s [(3s+1) u lr_s sum_k rho^(s-k)|g_k| * 1.01 + u|x_s| * 1.01 + 2 eta (1 + lr_s s)] + 2^-53 |X_t| (momentumModel)'
      : 'sum_s [(3s+1) u sum_k rho^(s-k) lr_k|g_k| * 1.01 + u|x_s| * 1.01 + 2 eta (1 + s)] + 2^-53 |X_t| (momentumModel, alternative form)';
  return { x, bound, derivation };
}

/**
 * The closed form of a constant gradient, `x_t = x0 - sum_s step_s`, for rules whose
 * step at s is `stepAt(s, g)` in exact arithmetic, and whose computed step has a
 * relative error of at most `relative(s) * u` (derived by the caller, and written out
 * in `derivation`, e.g. `((s+2)/2 + 7) u`). Each `x -= step` adds u |x_s| and 2 eta;
 * the exact value is rounded once to double. On a shader's `arithmetic` u and eta are scaled by
 * its worst operation (src/laws/tolerance.ts unitRoundoff).
 */
export function constantStepModel(
  dtype: Dtype,
  arithmetic: Arithmetic | undefined,
  x0: readonly number[],
  g: readonly number[],
  steps: number,
  stepAt: (s: number, g: number) => DD,
  relative: (s: number) => number,
  derivation: string,
): Expected {
  const u = unitRoundoff(dtype, arithmetic);
  const eta = underflow(dtype, arithmetic);
  const x = table(steps, x0.length);
  const bound = table(steps, x0.length);
  for (let i = 0; i < x0.length; i++) {
    let X = dd(x0[i]!);
    let err = 0;
    for (let s = 1; s <= steps; s++) {
      const step = stepAt(s, g[i]!);
      X = sub(X, step);
      const Xs = toNumber(X);
      err += SLACK * (relative(s) * u * Math.abs(toNumber(step)) + u * Math.abs(Xs)) + 2 * eta;
      x[s - 1]![i] = Xs;
      bound[s - 1]![i] = err + U64 * Math.abs(Xs);
    }
  }
  return { x, bound, derivation: `sum_s [${derivation} |step_s| + u|x_s|] * 1.01 + 2 eta s + 2^-53 |X_t|` };
}

/** `lr * g / (|g| sqrt(scale) + eps)` in double-double: the adaptive rules' step for one gradient. */
export function adaptiveStepExact(lr: number, g: number, scale: DD, eps: number): DD {
  const magnitude = mul(dd(Math.abs(g)), sqrt(scale));
  return div(mul(dd(lr), dd(g)), add(magnitude, dd(eps)));
}

/** `1 - b^t` in double-double. */
export function oneMinusPower(b: number, t: number): DD {
  let p = dd(1);
  for (let k = 0; k < t; k++) p = mul(p, dd(b));
  return sub(dd(1), p);
}

/**
 * The rounding error of one moving-average update in interpolation form,
 * `m + (1 - beta) (x - m)` (docs/conventions.md's evaluation orders: torch.lerp, hand-written
 * JS), as an absolute bound beside the written form's budget, with `distance` a bound on
 * |x - m|: `x - m` rounded (u |x - m|,
 * times k = 1 - beta), `1 - beta` held in the dtype (absolute u, times |x - m|), the
 * product (u k |x - m|) and the sum (u |next|): (2k + 1) u |x - m| + u |next|. It scales
 * with the previous value, not with |x|: where `m` is large and `x` small, the new value
 * can lose all of `x` (first order; the previous value's own error is carried by the
 * caller's budget, multiplied by beta as in the written form).
 */
export function interpolationError(u: number, keep: number, distance: number, next: number): number {
  return (2 * keep + 1) * u * distance + u * Math.abs(next);
}

/**
 * How far `lr * m / (sqrt(v) + eps)` can move when m is off by `dm` and v (>= 0) by `dv`:
 * sqrt(v) moves by at most min(dv / sqrt(v), sqrt(dv)) (as in src/conformance/tolerance.ts),
 * so the step is at most `lr (|m| + dm) / (D - dD)` against `lr |m| / D`, D = sqrt(v) + eps.
 * Infinite once dD reaches D: the denominator may then be 0 (an infinite or NaN step is legitimate).
 */
export function adaptiveStepSlack(lr: number, m: number, dm: number, v: number, dv: number, eps: number): number {
  const root = Math.sqrt(v);
  const dRoot = root > 0 ? Math.min(dv / root, Math.sqrt(dv)) : Math.sqrt(dv);
  const D = root + eps;
  if (!(dRoot < D)) return Number.POSITIVE_INFINITY;
  return lr * ((Math.abs(m) + dm) / (D - dRoot) - Math.abs(m) / D);
}
