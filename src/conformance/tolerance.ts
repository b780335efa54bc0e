import type { Arithmetic } from '../numerics/index.js';
import type { Conventions, Dtype, OptimizerConfig, ScheduleConfig } from '../reference/index.js';
import { comparedRoundoff, type Tracked, errorArithmetic } from './error-arithmetic.js';
import { type Judged, storedIn, storesOf } from './mixed-precision.js';

// The per-step error bounds of the checker's tolerance model: the rules of docs/spec.md evaluated in
// float64 with the error-tracking arithmetic of ./error-arithmetic.ts (whose header derives the bound).

/**
 * Bugs real libraries shipped (docs/conventions.md, "Known bugs") that are a formula: the
 * model evaluates them like a convention, so a run can be matched against the bug.
 * `step-counter-*`: Adam's `t` one behind (starts at 0), one ahead, or counted per
 * coordinate (samples instead of updates); `stale-moments`: the step uses the
 * state of the previous step; `stale-raw-moments`: the same, but Adam divides the
 * previous step's raw moments by this step's `1 - beta ** t` (brain.js 1.6.1's biases);
 * `step-counter-saturates`: Adam's `t` held in bfloat16, which stops at 256 (2^8 + 1 rounds
 * to 2^8), torchao's bfloat16 counter; `state-downcast`: a mixed-precision implementation's
 * state kept in its parameters' lower precision, not the declared one (src/conformance/mixed-precision.ts).
 */
export type BugVariant =
  | 'ascent'
  | 'bias-correction-multiplied'
  | 'step-counter-behind'
  | 'step-counter-ahead'
  | 'step-counter-per-coordinate'
  | 'step-counter-saturates'
  | 'stale-moments'
  | 'stale-raw-moments'
  | 'amsgrad-unrequested'
  | 'state-downcast';

/** The last integer a bfloat16 counter reaches: 2^8 for 8 significand bits (bf16round(257) is 256). */
const BFLOAT16_COUNTER_LIMIT = 256;

/** Per-step expected values (float64 evaluation of the rule) and their error bounds. */
export interface BoundedTrajectory {
  x: Float64Array[];
  bound: Float64Array[];
  /**
   * Per coordinate, the first step (1-based) whose inputs or new values hold an
   * infinity or NaN (a gradient, the parameter before it, the state before or after
   * it, and for the spec's rule the parameter after it: eps = 0 makes a zero gradient's
   * step 0 / 0), or where an implementation may hold an infinity while the rule's value is finite (a value of
   * any tracked form reaches the dtype's range, as `g - m` of the interpolation form
   * near the largest finite value; a denominator may round to 0, as `sqrt(g * g)` of a
   * float32 subnormal with eps = 0): from there on a difference
   * is the `non-finite` convention's. Infinity when none.
   */
  nonFinite: Float64Array;
}

/** One step of {@link boundedStepper}: the values after it and their bounds. */
export interface BoundedStep {
  x: Float64Array;
  bound: Float64Array;
}

/**
 * The rule of `config` (with `conventions`, or a known bug's formula) evaluated in
 * float64 one step at a time, with the running error bound of {@link errorArithmetic}
 * for an implementation in `dtype` (or a mixed precision, src/conformance/mixed-precision.ts) on
 * `arithmetic` (its declared arithmetic; IEEE-754 by default). The formulas are docs/spec.md's (sections 1 to 6)
 * and docs/conventions.md's; a spec test asserts that the values equal the float64
 * reference bit for bit. `nonFinite` is kept as in {@link BoundedTrajectory}.
 */
export function boundedStepper(
  config: OptimizerConfig,
  conventions: Conventions,
  dtype: Judged,
  x0: ArrayLike<number>,
  bug?: BugVariant,
  arithmetic: Arithmetic = 'ieee754',
): {
  /** One step; `counter`, when given, is the `t` Adam's bias correction uses in it (a library that counts otherwise, docs/spec.md section 9). */
  step(grad: ArrayLike<number>, learningRate?: number, counter?: number): BoundedStep;
  readonly nonFinite: Float64Array;
} {
  const s = trackedState(config, conventions, dtype, x0, bug, arithmetic);
  const { A, n, x, state1, state2 } = s;
  const nonFinite = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
  const finite = (...values: Tracked[]): boolean => values.every((c) => Number.isFinite(c.v));
  let lr = config.learningRate;
  let t = 0;
  return {
    nonFinite,
    step(grad, learningRate, counter) {
      t++;
      if (learningRate !== undefined) lr = learningRate;
      const LR = A.hyper(bug === 'ascent' ? -lr : lr);
      const step = stepFor(s, counter ?? t, LR);
      for (let i = 0; i < n; i++) {
        const g = s.input(grad[i]!);
        const before = finite(g, x[i]!, state1[i]!, state2[i]!);
        A.clearInfinity();
        x[i] = s.store(step(i, g));
        // An infinity only an implementation may hold (the rule's value finite) counts like one in its state.
        const hidden = A.mayBeInfinite() && Number.isFinite(x[i]!.v);
        // The spec's own new parameter infinite or NaN from finite inputs (0 / 0 at eps = 0 and a zero gradient): a
        // difference there is where a parameter value is NaN, the convention `non-finite` (docs/conventions.md), not a
        // failure at the zero hyperparameter (TF.js's WebGL division answers 0 / 0 with 1). Not a known bug's formula's:
        // its NaN is not the spec's (`step-counter-behind` divides by 1 - beta1^0 = 0 at step 1 on any data), and
        // counting it would let that formula explain any run that differs from its first step.
        const after = finite(state1[i]!, state2[i]!) && (bug !== undefined || finite(x[i]!));
        if (!(before && after && !hidden) && t < nonFinite[i]!) nonFinite[i] = t;
      }
      return { x: Float64Array.from(x, (c) => c.v), bound: Float64Array.from(x, (c) => c.e) };
    },
  };
}

/** What {@link boundedStepper}'s rules read and write: every coordinate's tracked parameter and state. */
interface TrackedState {
  A: ReturnType<typeof errorArithmetic>;
  config: OptimizerConfig;
  conventions: Conventions;
  bug: BugVariant | undefined;
  n: number;
  x: Tracked[];
  state1: Tracked[];
  state2: Tracked[];
  /** The previous step's state, for `stale-moments` and `stale-raw-moments`. */
  stale: Tracked[][];
  /** Both stale variants are one formula where there is no bias correction. */
  staleState: boolean;
  /** Adam's running maximum, for `amsgrad-unrequested`. */
  maximum: Tracked[];
  inside: boolean;
  /** A gradient or x0 component as the implementation receives it. */
  input(v: number): Tracked;
  /** A new parameter value as the implementation stores it. */
  store(x: Tracked): Tracked;
  /** `numerator / (sqrt(acc) + eps)`, or `/ sqrt(acc + eps)` under `epsilon-inside-sqrt`. */
  adaptive(numerator: Tracked, acc: Tracked, eps: Tracked): Tracked;
}

/** One coordinate's update: the new tracked parameter from coordinate `i`'s gradient (the state updated in place). */
type CoordinateStep = (i: number, g: Tracked) => Tracked;

/** Parameters as the implementation receives them, state at zero (or at the `initial-accumulator` value). */
function trackedState(
  config: OptimizerConfig,
  conventions: Conventions,
  judged: Judged,
  x0: ArrayLike<number>,
  bug: BugVariant | undefined,
  arithmetic: Arithmetic,
): TrackedState {
  const stores = storesOf(judged, bug === 'state-downcast');
  const A = errorArithmetic(stores.arithmetic, arithmetic);
  const n = x0.length;
  const zeros = (): Tracked[] => Array.from({ length: n }, () => A.exact(0));
  const kept = (): Tracked[] => storedIn(zeros(), stores.state);
  const input = (v: number): Tracked => (stores.input === undefined ? A.input(v) : stores.input(A.input(v)));
  const store = (t: Tracked): Tracked => (stores.parameters === undefined ? t : stores.parameters(t));
  const state1 = kept();
  const initial = conventions['initial-accumulator'] ?? 0;
  if (initial !== 0) for (let i = 0; i < n; i++) state1[i] = A.input(initial);
  const inside = conventions['epsilon-inside-sqrt'] === true;
  return {
    A,
    config,
    conventions,
    bug,
    n,
    x: Array.from(x0, (v) => store(input(v))),
    state1,
    state2: kept(),
    stale: [zeros(), zeros()],
    staleState: bug === 'stale-moments' || bug === 'stale-raw-moments',
    maximum: kept(),
    input,
    store,
    inside,
    adaptive: (numerator, acc, eps) => A.div(numerator, inside ? A.sqrt(A.add(acc, eps)) : A.add(A.sqrt(acc), eps)),
  };
}

/** The update of a step with learning rate `LR`, `t` being the count Adam's bias correction uses. */
function stepFor(s: TrackedState, t: number, LR: Tracked): CoordinateStep {
  const { A, config, x, state1, staleState, adaptive } = s;
  switch (config.optimizer) {
    case 'sgd':
      return (i, g) => A.sub(x[i]!, A.mul(LR, g));
    case 'momentum':
      return momentumStep(s, config.rho, LR);
    case 'nesterov':
      return nesterovStep(s, config.rho, LR);
    case 'adagrad': {
      const eps = A.hyper(config.epsilon);
      return (i, g) => {
        const old = state1[i]!;
        state1[i] = A.add(old, A.mul(g, g));
        return A.sub(x[i]!, adaptive(A.mul(LR, g), staleState ? old : state1[i]!, eps));
      };
    }
    case 'rmsprop': {
      const decay = A.hyper(config.decayRate);
      const keep = A.oneMinus(config.decayRate);
      const eps = A.hyper(config.epsilon);
      return (i, g) => {
        const old = state1[i]!;
        const written = A.add(A.mul(decay, old), A.product(keep, g, g));
        state1[i] = A.either(written, A.interpolated(config.decayRate, old, A.mul(g, g)));
        return A.sub(x[i]!, adaptive(A.mul(LR, g), staleState ? old : state1[i]!, eps));
      };
    }
    case 'adam':
      return adamStep(s, config, t, LR);
  }
}

/** Momentum (docs/spec.md section 2), with `lr-placement`, `dampened-momentum` and the stale-state bug. */
function momentumStep(s: TrackedState, rhoValue: number, LR: Tracked): CoordinateStep {
  const { A, conventions, x, state1, staleState } = s;
  const rho = A.hyper(rhoValue);
  const damp = A.oneMinus(rhoValue);
  const dampened = conventions['dampened-momentum'] === true;
  const lrInside = conventions['lr-placement'] === true;
  return (i, g) => {
    if (lrInside) {
      const push = dampened ? A.mul(damp, g) : g;
      const old = state1[i]!;
      state1[i] = A.sub(A.mul(rho, old), A.mul(LR, push));
      return A.add(x[i]!, staleState ? old : state1[i]!);
    }
    const old = state1[i]!;
    const kept = A.mul(rho, old);
    state1[i] = dampened ? A.either(A.add(kept, A.mul(damp, g)), A.interpolated(rhoValue, old, g)) : A.add(kept, g);
    return A.sub(x[i]!, A.mul(LR, staleState ? old : state1[i]!));
  };
}

/** Nesterov momentum (section 3), as the lecture writes it or with `lr-placement`. */
function nesterovStep(s: TrackedState, rhoValue: number, LR: Tracked): CoordinateStep {
  const { A, conventions, x, state1 } = s;
  const rho = A.hyper(rhoValue);
  const onePlusRho = A.onePlus(rhoValue);
  if (conventions['lr-placement'] === true) {
    return (i, g) => {
      state1[i] = A.add(A.mul(rho, state1[i]!), g);
      return A.sub(x[i]!, A.mul(LR, A.add(g, A.mul(rho, state1[i]!))));
    };
  }
  return (i, g) => {
    const old = state1[i]!;
    state1[i] = A.sub(A.mul(rho, old), A.mul(LR, g));
    return A.add(x[i]!, A.sub(A.mul(onePlusRho, state1[i]!), A.mul(rho, old)));
  };
}

/** Adam (section 6), its conventions and the known bugs that are a formula, every listed evaluation order tracked. */
function adamStep(
  s: TrackedState,
  config: Extract<OptimizerConfig, { optimizer: 'adam' }>,
  t: number,
  LR: Tracked,
): CoordinateStep {
  const { A, conventions, bug, n, x, state1, state2, stale, maximum, inside, adaptive } = s;
  const { beta1, beta2 } = config;
  const b1 = A.hyper(beta1);
  const b2 = A.hyper(beta2);
  const k1 = A.oneMinus(beta1);
  const k2 = A.oneMinus(beta2);
  const eps = A.hyper(config.epsilon);
  const hat = conventions['epsilon-hat'] === true;
  const corrected = !hat && conventions['no-bias-correction'] !== true;
  const counted = (c: number) =>
    bug === 'step-counter-behind'
      ? c - 1
      : bug === 'step-counter-ahead'
        ? c + 1
        : bug === 'step-counter-saturates'
          ? Math.min(c, BFLOAT16_COUNTER_LIMIT)
          : c;
  const correction = (c: number) => ({
    c1: A.correction(beta1, c),
    c2: A.correction(beta2, c),
  });
  const perStep = correction(counted(t));
  return (i, g) => {
    const { c1, c2 } = bug === 'step-counter-per-coordinate' ? correction((t - 1) * n + i + 1) : perStep;
    const rate = hat ? A.div(A.mul(LR, A.sqrt(c2)), c1) : LR;
    const [m0, v0] = [state1[i]!, state2[i]!];
    state1[i] = A.either(A.add(A.mul(b1, m0), A.mul(k1, g)), A.interpolated(beta1, m0, g));
    state2[i] = A.either(A.add(A.mul(b2, v0), A.product(k2, g, g)), A.interpolated(beta2, v0, A.mul(g, g)));
    if (bug === 'amsgrad-unrequested') maximum[i] = state2[i]!.v > maximum[i]!.v ? state2[i]! : maximum[i]!;
    const first = state1[i]!;
    const second = bug === 'amsgrad-unrequested' ? maximum[i]! : state2[i]!;
    if (bug === 'stale-moments') {
      // The update of step t uses m_hat and v_hat as step t - 1 left them (zero at t = 1).
      const [mHat, vHat] = [stale[0]![i]!, stale[1]![i]!];
      stale[0]![i] = A.div(first, c1);
      stale[1]![i] = A.div(second, c2);
      return A.sub(x[i]!, adaptive(A.mul(rate, mHat), vHat, eps));
    }
    if (bug === 'stale-raw-moments') {
      // The update of step t divides m and v as step t - 1 left them (zero at t = 1) by step t's corrections.
      const [m, v] = [stale[0]![i]!, stale[1]![i]!];
      stale[0]![i] = first;
      stale[1]![i] = second;
      return A.sub(x[i]!, adaptive(A.mul(rate, A.div(m, c1)), A.div(v, c2), eps));
    }
    if (bug === 'bias-correction-multiplied')
      return A.sub(x[i]!, adaptive(A.mul(rate, A.mul(first, c1)), A.mul(second, c2), eps));
    const m = corrected ? A.div(first, c1) : first;
    const v = corrected ? A.div(second, c2) : second;
    const step = adaptive(A.mul(rate, m), v, eps);
    if (!corrected || inside || bug !== undefined) return A.sub(x[i]!, step);
    // PyTorch's split bias correction: (lr / c1) m / (sqrt(v) / sqrt(c2) + eps).
    const split = A.div(A.mul(A.div(LR, c1), first), A.add(A.div(A.sqrt(second), A.sqrt(c2)), eps));
    // Both corrections in one denominator: lr m / (c1 (sqrt(v / c2) + eps)).
    const together = A.div(A.mul(LR, first), A.mul(c1, A.add(A.sqrt(A.div(second, c2)), eps)));
    return A.sub(x[i]!, A.either(A.either(step, split), together));
  };
}

/**
 * {@link boundedStepper} over a whole run: `learningRates[t]`, when defined, replaces
 * the learning rate from step t on.
 */
export function boundedTrajectory(
  config: OptimizerConfig,
  conventions: Conventions,
  dtype: Judged,
  x0: ArrayLike<number>,
  grads: readonly ArrayLike<number>[],
  learningRates?: readonly (number | undefined)[],
  bug?: BugVariant,
  arithmetic: Arithmetic = 'ieee754',
): BoundedTrajectory {
  const stepper = boundedStepper(config, conventions, dtype, x0, bug, arithmetic);
  const out: BoundedTrajectory = { x: [], bound: [], nonFinite: stepper.nonFinite };
  grads.forEach((grad, t) => {
    const { x, bound } = stepper.step(grad, learningRates?.[t]);
    out.x.push(x);
    out.bound.push(bound);
  });
  return out;
}

/**
 * The error bound of a schedule value for an implementation in `dtype`, relative
 * to the value, for every evaluation order docs/conventions.md lists:
 * - step decay `initial * factor ** n` (pow, or n multiplications of the rounded
 *   factor, at once or chained one per `every` steps like PyTorch's StepLR; plus
 *   `initial` and the product): (2n + 3) u;
 * - exponential decay as the lecture writes it, `initial * exp(-k t)` (k held in the
 *   dtype and the rounded k t move the exponent by 2 u k t, which moves exp relatively
 *   by as much; initial, exp (up to 1 ulp of libm error) and the product add 4 u):
 *   (2 k t + 4) u; or as `initial * gamma ** t` with `gamma = exp(-k)` rounded once
 *   (Keras, optax), or `lr *= gamma` once per step (PyTorch's ExponentialLR): k held in
 *   the dtype moves gamma^t by k t u, gamma's exp (1 ulp, 2u) and rounding (u) by 3 t u,
 *   the power (1 ulp) or the t chained products t u, initial and the product 2 u:
 *   ((k + 4) t + 4) u. The larger of the two is kept;
 * - 1/t decay `initial / (1 + k t)` or `initial * (1 / (1 + k t))` (a LambdaLR
 *   factor): k, k t, 1 + k t, the division or reciprocal and product, initial: 6 u.
 * In the subnormal range each rounding may add eta absolute instead, scaled by
 * `initial` where the factor underflows before the product: n + 2 (step), t + 3
 * (exponential, chained) or 3 roundings, times max(1, initial).
 */
export function scheduleBound(config: ScheduleConfig, dtype: Dtype, t: number, value: number): number {
  const { u, eta } = comparedRoundoff(dtype);
  const scale = Math.max(1, Math.abs(config.initial));
  switch (config.schedule) {
    case 'step': {
      const n = Math.floor(t / config.every);
      return (2 * n + 3) * u * Math.abs(value) + (n + 2) * eta * scale;
    }
    case 'exponential':
      return Math.max(2 * config.k * t + 4, (config.k + 4) * t + 4) * u * Math.abs(value) + (t + 3) * eta * scale;
    case 'inverse-time':
      return 6 * u * Math.abs(value) + 3 * eta * scale;
  }
}
