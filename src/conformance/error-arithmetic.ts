import {
  ARITHMETIC_TABLES,
  type Arithmetic,
  BFLOAT16_MAX,
  FLOAT16_MAX,
  FLOAT32_SMALLEST_NORMAL,
  holds,
  operationRoundoffs,
  rounderFor,
} from '../numerics/index.js';
import type { Dtype } from '../reference/index.js';

/**
 * The tolerance model of the conformance checker: a running (forward) error
 * bound carried beside an exact-as-float64 evaluation of the spec's rule.
 *
 * Derivation. Every + - * / sqrt of an implementation computing in `dtype` has
 * a result off by at most `u * |result| + eta` (u = 2^-p for p significand bits:
 * 2^-11 for float16, 2^-8 for bfloat16, 2^-24 for float32, 2^-53 for float64; eta =
 * half the smallest subnormal, for underflow: 2^-25, 2^-134, 2^-150, 2^-1075). Each value the
 * rule computes is tracked as (v, e): v its float64 value, e a bound on how far
 * ANY correct implementation's value of it can be. The rules for e are the
 * textbook first-order-free ones (Higham, "Accuracy and Stability", ch. 3):
 * - a +/- b: e_a + e_b + u (|a| + |b|)  -- term magnitudes, not the result's, so
 *   that cancellation and another summation order are both covered;
 * - a * b:   |a| e_b + |b| e_a + e_a e_b + u |ab|  (any order of a product);
 * - a / b:   (e_a + |a/b| e_b) / (|b| - e_b) + u |a/b|, unbounded once e_b >= |b|;
 * - sqrt a:  min(e_a / sqrt a, sqrt e_a) + u sqrt a  (|sqrt a - sqrt a'| <= both);
 * - a hyperparameter h held in the dtype: e = u |h|; `1 - h` formed from it:
 *   u h + u (1 - h), i.e. relative u h / (1 - h): the conditioning 1/(1 - beta)
 *   of docs/conventions.md (TF.js's `1 - beta2` in float32 is off by 1.3e-5);
 * - `beta ** t` by libm pow or by t repeated multiplications of a rounded beta
 *   (TF.js): relative (2t + 1) u;
 * - a moving average `m' = beta m + (1 - beta) x` in either of the forms libraries
 *   use: as written, or in interpolation form `m + (1 - beta) (x - m)` (torch.lerp,
 *   hand-written JS), whose roundings scale with |m| instead of |x|: both forms are
 *   tracked and the larger bound kept ({@link errorArithmetic} `interpolated`). In the
 *   interpolation form m's error is carried with weight beta, as in the written form: m
 *   enters twice as one value, so it is not two independent operands (which would grow
 *   the bound by (2 - beta) per step: 1.7 after 200 float32 Adam steps, 2e4 after 300);
 * - Adam's bias correction as the lecture writes it, `(lr m / c1) / (sqrt(v / c2) + eps)`,
 *   split as PyTorch does, `(lr / c1) m / (sqrt(v) / sqrt(c2) + eps)`, or in one
 *   denominator, `lr m / (c1 (sqrt(v / c2) + eps))`: all three tracked, the largest
 *   bound kept. Each form's underflow allowance is its own: where `lr m` lands in the
 *   subnormals its eta is divided by `c1 eps` in the one-denominator form, by `eps`
 *   in the other two (eta / ((1 - beta1) eps) at t = 1, not eta / eps).
 * Where two forms are tracked, the bound kept is `max(e_a, e_b + |v_b - v_a|)`: e_b
 * bounds a form-b implementation's distance to v_b, and v_a is the value reported.
 * State recurrences (`vx = rho * vx + dx`, `s = d * s + (1 - d) g^2`, ...) carry
 * their e from step to step, so the bound grows with the step count and, through
 * the geometric sum of rho^k, with the conditioning 1/(1 - rho) by itself.
 * A value beyond the dtype's range gets an infinite bound (the implementation may
 * overflow where float64 does not); such a coordinate is not compared afterwards.
 * In float16 and bfloat16 a hyperparameter, and any Python-float expression of them
 * (`1 - beta`, `1 + rho`, `1 - beta ** t`), is the double rounded once to the dtype (D10):
 * a known value, not an error. Modelled as an error of u relative, `1 - beta` would carry
 * u beta / (1 - beta) = 4 relative in bfloat16 at beta2 = 0.999 (which rounds to 1), and
 * every Adam bound would be infinite from step 1. So there {@link errorArithmetic}'s `hyper`,
 * `oneMinus`, `onePlus` and `correction` are the rounded values with no error (`correction`
 * keeps the error of a dtype ULP where pow's double lies that close to a rounding boundary),
 * and the bound covers the orders that form those expressions in double, not the ones that
 * form `1 - beta` in the 16-bit dtype (bfloat16's `1 - 1 = 0` is another rule there).
 * The checker compares a candidate with the float64 reference, which has its own
 * error, so the model runs with u_dtype + u_float64 (the bound is monotone in u).
 *
 * Declared arithmetic (src/numerics/arithmetic.ts). Above, every operation is correctly rounded
 * (IEEE-754). A shader's arithmetic promises less, per operation, and each operation's rounding
 * term takes its own factor from that table (k ULPs are at most 2k u relative): `+ - *` u (correctly
 * rounded, GLSL ES 3.00 4.5.1 and WGSL 15.7.4.1 alike); `/` 5u (2.5 ULP) for a divisor in
 * [2^-126, 2^126] and unbounded outside it (the specification promises nothing there); `sqrt` 9.001u
 * (inherited from 1.0 / inversesqrt: 2 ULP, then 2.5 ULP); `beta ** t` the larger of the t
 * correctly rounded multiplications and a shader's pow, inherited from exp2(t log2 beta) (see
 * `power`). Only the implementation's share scales: the float64 reference's u_float64 stays. A
 * shader may flush subnormal inputs and results to 0, so its eta is the smallest normal, 2^-126.
 */
export interface Tracked {
  v: number;
  e: number;
}

/** Unit roundoff, half the smallest subnormal, and the largest finite value of a dtype. */
export function roundoff(dtype: Dtype): { u: number; eta: number; max: number } {
  switch (dtype) {
    case 'float16': // 11 significand bits, smallest subnormal 2^-24, largest 65504
      return { u: 2 ** -11, eta: 2 ** -25, max: FLOAT16_MAX };
    case 'bfloat16': // 8 significand bits, float32's exponents: smallest subnormal 2^-133
      return { u: 2 ** -8, eta: 2 ** -134, max: BFLOAT16_MAX };
    case 'float32':
      return { u: 2 ** -24, eta: 2 ** -150, max: 3.4028234663852886e38 };
    default:
      // float64's half-subnormal 2^-1075 is not a double; 2^-1074 bounds it.
      return { u: 2 ** -53, eta: 2 ** -1074, max: Number.MAX_VALUE };
  }
}

/**
 * `1 - h ** t` in float16 or bfloat16 (D10: the double rounded once by `half`): exact, except
 * within one dtype ULP where the double's own error, (2t + 2) u64 from pow and the
 * subtraction, may cross a rounding boundary.
 */
function halfCorrection(half: (v: number) => number, h: number, t: number): Tracked {
  const c = 1 - h ** t;
  const spread = (2 * t + 2) * 2 ** -53 * Math.abs(h ** t) + 2 ** -53 * Math.abs(c);
  const v = half(c);
  return { v, e: Math.max(Math.abs(half(c + spread) - v), Math.abs(half(c - spread) - v)) };
}

/**
 * A shader's `h ** t` (h held in the dtype), inherited from exp2(t log2 h), relative to the value:
 * log2 is off by `log2Absolute` inside [0.5, 2] and by `log2Ulp` ULPs (2 log2Ulp u |L|) outside;
 * h held in the dtype moves log2 h by at most log2(1 + u) <= u / ln 2; t L is correctly rounded
 * (u |t L|). So exp2's argument is off by d = t (dL + u / ln 2) + u |t L|, which moves the power by
 * a factor 2^d, and exp2 adds (3 + 2 |t L|) ULP (exp's row), 2 (3 + 2 |t L|) u relative:
 * (2^d - 1) (1 + r) + r with r that share.
 */
function shaderPowerError(arithmetic: Arithmetic, u: number, h: number, t: number): number {
  const table = ARITHMETIC_TABLES[arithmetic];
  if (!('log2Absolute' in table.pow)) return Number.POSITIVE_INFINITY;
  const L = Math.log2(Math.abs(h));
  const a = Math.abs(h);
  const dL = a >= 0.5 && a <= 2 ? table.pow.log2Absolute : 2 * table.pow.log2Ulp * u * Math.abs(L);
  const d = t * (dL + u / Math.LN2) + u * Math.abs(t * L);
  const r = 2 * (table.exp.constant + table.exp.perUnit * Math.abs(t * L)) * u;
  return (2 ** d - 1) * (1 + r) + r;
}

/**
 * One correct rounding of an implementation in `dtype` on its `declared` arithmetic, compared
 * with float64: `u` relative, `eta` absolute in the subnormal range (see {@link roundingOf}).
 * A schedule's bound needs only these, once per value: building {@link errorArithmetic}'s
 * twenty operations for it was a quarter of a full check's CPU under tsx (soak, matrix, bench),
 * whose keepNames wraps every closure made.
 */
export function comparedRoundoff(dtype: Dtype, declared: Arithmetic = 'ieee754') {
  const own = roundoff(dtype);
  const f64 = roundoff('float64');
  const u = dtype === 'float64' ? 2 * f64.u : own.u + f64.u;
  const subnormal = ARITHMETIC_TABLES[declared].subnormals.flushed ? FLOAT32_SMALLEST_NORMAL : own.eta;
  return { own, f64, u, subnormal, eta: subnormal + f64.eta };
}

/**
 * The rounding terms of an implementation in `dtype` on its `declared` arithmetic, compared with
 * float64: `u` and `eta` of one correct rounding, `rounding(v)` its error at v (infinite beyond
 * the dtype's range), and `roundingBy(factor, v)` that of an operation promised within `factor`
 * u (the implementation's share scaled, float64's own u kept), and `powerRelative(h, t)` the
 * relative error of `h ** t` (see `power`). A shader may flush a subnormal input or result to 0,
 * off by less than the smallest normal: its eta is 2^-126.
 */
function roundingOf(dtype: Dtype, declared: Arithmetic) {
  const { own, f64, u, subnormal, eta } = comparedRoundoff(dtype, declared);
  const max = own.max;
  const rounding = (v: number): number => (Math.abs(v) >= max ? Number.POSITIVE_INFINITY : u * Math.abs(v) + eta);
  const roundingBy = (factor: number, v: number): number =>
    factor === 1 || Math.abs(v) >= max
      ? rounding(v)
      : (factor * own.u + f64.u) * Math.abs(v) + Math.max(subnormal, factor * own.eta) + f64.eta;
  const powerRelative = (h: number, t: number): number =>
    declared === 'ieee754'
      ? (2 * t + 1) * u
      : Math.max((2 * t + 1) * u, shaderPowerError(declared, own.u, h, t) + f64.u);
  return { u, eta, max, rounding, roundingBy, powerRelative };
}

/**
 * Error-tracking arithmetic for an implementation computing in `dtype` on its `declared`
 * arithmetic (IEEE-754 unless declared otherwise), compared with float64.
 */
export function errorArithmetic(dtype: Dtype, declared: Arithmetic = 'ieee754') {
  const { u, eta, max, rounding, roundingBy, powerRelative } = roundingOf(dtype, declared);
  const factors = operationRoundoffs(declared);
  // IEEE's range is [0, Infinity]: every divisor whose bound stays off 0.
  const [divisorLow, divisorHigh] = ARITHMETIC_TABLES[declared].div.divisorRange;
  const mag = (a: Tracked): number => Math.abs(a.v) + a.e;
  const half = dtype === 'float16' || dtype === 'bfloat16' ? rounderFor(dtype) : undefined;
  /** `s` = 1 -/+ h: u |h| from h held in the dtype and the rounding of s; in 16 bits (`half`) D10's s rounded once, exactly. */
  const held = (s: number, h: number): Tracked =>
    half === undefined ? { v: s, e: u * Math.abs(h) + rounding(s) } : { v: half(s), e: 0 };
  /**
   * Whether, since the last {@link arithmetic.clearInfinity}, a value of any tracked form
   * reached the dtype's range, or a quotient's denominator may round to 0 in the dtype:
   * where an implementation may hold an infinity that float64 does not.
   */
  let infinity = false;
  const watch = (t: Tracked): Tracked => {
    if (!(Math.abs(t.v) < max)) infinity = true;
    return t;
  };
  const arithmetic = {
    u,
    eta,
    /** Starts watching for a value an implementation may hold as an infinity. */
    clearInfinity: (): void => {
      infinity = false;
    },
    /** Whether a value since {@link arithmetic.clearInfinity} reached the dtype's range or divided by a denominator that may round to 0. */
    mayBeInfinite: (): boolean => infinity,
    /** A double the implementation receives and may round to its dtype. */
    input: (v: number): Tracked => ({ v, e: Number.isFinite(v) ? rounding(v) : 0 }),
    /** An exactly known value (0, 1). */
    exact: (v: number): Tracked => ({ v, e: 0 }),
    /** A hyperparameter where it meets the array: an input, or in 16 bits its rounded value, exactly. */
    hyper: (h: number): Tracked => (half === undefined ? arithmetic.input(h) : { v: half(h), e: 0 }),
    /** `1 - h` from a hyperparameter held in the dtype: relative u h / (1 - h) + u; in 16 bits `1 - h` rounded once. */
    oneMinus: (h: number): Tracked => held(1 - h, h),
    /** `1 + h` from a hyperparameter held in the dtype; in 16 bits `1 + h` rounded once. */
    onePlus: (h: number): Tracked => held(1 + h, h),
    /** Adam's `1 - h ** t`: from a power of relative error (2t + 1) u; in 16 bits {@link halfCorrection}. */
    correction: (h: number, t: number): Tracked =>
      half === undefined ? arithmetic.sub(arithmetic.exact(1), arithmetic.power(h, t)) : halfCorrection(half, h, t),
    /**
     * `h ** t` by pow or by t - 1 multiplications of the rounded h: relative (2t + 1) u; on a
     * shader's arithmetic also by its pow ({@link shaderPowerError}), the larger bound kept.
     */
    power: (h: number, t: number): Tracked => ({ v: h ** t, e: powerRelative(h, t) * Math.abs(h ** t) + eta }),
    add: (a: Tracked, b: Tracked): Tracked => {
      const v = a.v + b.v;
      return watch({ v, e: a.e + b.e + u * (mag(a) + mag(b)) + (Math.abs(v) >= max ? Number.POSITIVE_INFINITY : eta) });
    },
    sub: (a: Tracked, b: Tracked): Tracked => {
      const v = a.v - b.v;
      return watch({ v, e: a.e + b.e + u * (mag(a) + mag(b)) + (Math.abs(v) >= max ? Number.POSITIVE_INFINITY : eta) });
    },
    mul: (a: Tracked, b: Tracked): Tracked => {
      const v = a.v * b.v;
      return watch({ v, e: Math.abs(a.v) * b.e + Math.abs(b.v) * a.e + a.e * b.e + rounding(mag(a) * mag(b)) });
    },
    /**
     * `a * b * c` in any order: as `(a * b) * c`, but unbounded when any partial
     * product overflows (TF.js forms `square(g) * (1 - beta2)`, which overflows
     * for |g| > 1.8e19 in float32 where NumPy's `((1 - beta2) * g) * g` does not).
     */
    product: (a: Tracked, b: Tracked, c: Tracked): Tracked => {
      const ab = arithmetic.mul(a, b);
      const partial = Math.max(mag(a) * mag(b), mag(b) * mag(c), mag(a) * mag(c));
      watch({ v: Math.max(Math.abs(a.v * b.v), Math.abs(b.v * c.v), Math.abs(a.v * c.v)), e: 0 });
      const abc = arithmetic.mul(ab, c);
      return partial >= max ? { v: abc.v, e: Number.POSITIVE_INFINITY } : abc;
    },
    div: (a: Tracked, b: Tracked): Tracked => {
      const v = watch({ v: a.v / b.v, e: 0 }).v;
      if (a.v === 0 && a.e === 0) return { v, e: 0 };
      const floor = Math.abs(b.v) - b.e;
      if (!(floor > 0)) {
        infinity = true;
        return { v, e: Number.POSITIVE_INFINITY };
      }
      // Outside the divisor range of its row a shader's division promises nothing: not compared.
      if (!(floor >= divisorLow && Math.abs(b.v) + b.e <= divisorHigh)) return { v, e: Number.POSITIVE_INFINITY };
      return { v, e: (a.e + Math.abs(v) * b.e) / floor + roundingBy(factors.div, mag(a) / floor) };
    },
    sqrt: (a: Tracked): Tracked => {
      const v = Math.sqrt(a.v);
      const spread = v > 0 ? Math.min(a.e / v, Math.sqrt(a.e)) : Math.sqrt(a.e);
      return { v, e: spread + roundingBy(factors.sqrt, v + spread) };
    },
    /** Either of two evaluations of the same value: `a`'s value, a bound that covers both (see the derivation above). */
    either: (a: Tracked, b: Tracked): Tracked => ({ v: a.v, e: Math.max(a.e, b.e + Math.abs(b.v - a.v)) }),
    /**
     * A moving average with factor `beta` of `x` (g or g^2, already tracked) in
     * interpolation form, `m + (1 - beta) (x - m)`; callers keep the written form's value
     * with {@link either}, `either(written, interpolated(beta, m, x))`.
     */
    interpolated: (beta: number, m: Tracked, x: Tracked): Tracked =>
      interpolatedAverage(arithmetic, rounding, beta, m, x),
  };
  return arithmetic;
}

/**
 * {@link errorArithmetic}'s `interpolated`: `m + (1 - beta) (x - m)` with `A`'s operations (which give
 * its value and watch the dtype's range), its error carried as derived below.
 */
function interpolatedAverage(
  A: Pick<ReturnType<typeof errorArithmetic>, 'oneMinus' | 'add' | 'mul' | 'sub'>,
  rounding: (v: number) => number,
  beta: number,
  m: Tracked,
  x: Tracked,
): Tracked {
  const k = A.oneMinus(beta);
  // The value, and the watch for a value beyond the dtype's range (`x - m` near the largest finite value).
  const formed = A.add(m, A.mul(k, A.sub(x, m)));
  if (!Number.isFinite(formed.e)) return formed;
  // m enters twice, as the same value: an implementation's m' = m + dm, x' = x + dx, k' = k + dk give
  // m' + k' (x' - m') = (1 - k) m + k x + (1 - k') dm + k' dx + dk (x - m), so m's error is weighed by
  // |1 - k| (beta), not by 1 + |k| as two independent operands would be (a bound growing (2 - beta) per step).
  const width = Math.abs(x.v - m.v) + x.e + m.e;
  const kMax = Math.abs(k.v) + k.e;
  const inherited = (Math.abs(1 - k.v) + k.e) * m.e + kMax * x.e + k.e * Math.abs(x.v - m.v);
  // The roundings of x' - m', of k' (x' - m') and of the sum, each bounded at its operands' largest magnitude.
  const difference = rounding(width);
  const product = rounding(kMax * (width + difference));
  const sum = rounding(Math.abs(formed.v) + inherited + kMax * difference + product);
  return { v: formed.v, e: inherited + kMax * difference + product + sum };
}

/**
 * A value computed in `arithmetic` rounded where it is stored in `store` (a mixed-precision
 * implementation's parameters or state, src/conformance/mixed-precision.ts): none where `store`
 * holds every `arithmetic` value; else |round(a) - v| <= |round(a) - a| + |a - v| <= u_s |a| +
 * eta_s + e <= u_s (|v| + e) + eta_s + e, unbounded past the store's largest finite value.
 */
export function storeRounding(arithmetic: Dtype, store: Dtype): ((t: Tracked) => Tracked) | undefined {
  if (holds(store, arithmetic)) return undefined;
  const { u, eta, max } = roundoff(store);
  return (t) => {
    if (!Number.isFinite(t.v)) return t;
    const magnitude = Math.abs(t.v) + t.e;
    return { v: t.v, e: magnitude < max ? t.e + u * magnitude + eta : Number.POSITIVE_INFINITY };
  };
}
