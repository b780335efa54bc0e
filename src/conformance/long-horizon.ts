import { type Adapter, isUnsupported, type Stepper } from '../adapter/index.js';
import { rounderFor } from '../numerics/index.js';
import type { Dtype, OptimizerConfig } from '../reference/index.js';
import { roundoff } from './error-arithmetic.js';

/**
 * Long horizons without long models (docs/spec.md section 9, "long horizons"): a
 * constant gradient for up to 10^6 steps, driven in batches of `steps`, the
 * implementation compared only at chosen steps with the rule's closed form under a
 * constant gradient, within a bound that grows with t (derivation at {@link stepError}).
 */

/** Where a long run changes regime in a dtype: each the first step (1-based) at which it holds. */
export interface HorizonEdges {
  /** `1 - beta ** t` rounds to 1 in the dtype: the bias correction stops correcting. */
  biasSaturates: number;
  /** `beta ** t` rounds below the smallest normal value of the dtype. */
  powerSubnormal: number;
  /** `beta ** t` rounds to 0. */
  powerZero: number;
  /**
   * The last integer a counter held in the dtype reaches: 2^p for p significand bits
   * (2048 in float16, 256 in bfloat16, 2^24 in float32), where `t + 1` rounds back to
   * `t`. AdaGrad's `G + g * g` under a constant gradient whose square is a power of two
   * counts the same way, so `G + g * g == G` from that step on.
   */
  counterFreezes: number;
}

const SIGNIFICAND_BITS: Record<Dtype, number> = { float16: 11, bfloat16: 8, float32: 24, float64: 53 };
const SMALLEST_NORMAL: Record<Dtype, number> = {
  float16: 2 ** -14,
  bfloat16: 2 ** -126,
  float32: 2 ** -126,
  float64: 2 ** -1022,
};

/** The first t in [1, 2^53] at which the monotone `holds` becomes true (binary search); Infinity if never. */
function firstStep(holds: (t: number) => boolean): number {
  let hi = 1;
  while (!holds(hi)) {
    if (hi >= 2 ** 53) return Number.POSITIVE_INFINITY;
    hi *= 2;
  }
  let lo = Math.floor(hi / 2);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (holds(mid)) hi = mid;
    else lo = mid;
  }
  return holds(lo) && lo >= 1 ? lo : hi;
}

/** The {@link HorizonEdges} of a decay factor `beta` in (0, 1) in `dtype`, from the dtype's own rounding. */
export function horizonEdges(beta: number, dtype: Dtype): HorizonEdges {
  if (!(beta > 0 && beta < 1)) throw new RangeError(`horizonEdges: beta must be in (0, 1), got ${beta}`);
  const r = rounderFor(dtype);
  const b = r(beta);
  const power = (t: number): number => r(b ** t);
  return {
    biasSaturates: firstStep((t) => r(1 - power(t)) === 1),
    powerSubnormal: firstStep((t) => power(t) < SMALLEST_NORMAL[dtype]),
    powerZero: firstStep((t) => power(t) === 0),
    counterFreezes: 2 ** SIGNIFICAND_BITS[dtype],
  };
}

/** The optimizers with a closed form under a constant gradient (Nesterov's look-ahead form has none here). */
export type HorizonOptimizer = Exclude<OptimizerConfig['optimizer'], 'nesterov'>;

/**
 * Step k's exact value under a constant gradient g (x0 given), and the relative error, in
 * units of u, of a correct implementation's step k. The state recurrences contract
 * (factor rho, beta or d < 1), so their error does not grow with k: a local error of at
 * most 3u |v| (Momentum: rho held in the dtype, product, sum) or 6u |g| and 7u g^2 (the
 * moments: beta held in the dtype, `1 - beta` formed there (u / (1 - beta) relative),
 * two products, the sum; g^2 one more) summed geometrically gives 3u |g| / (1 - rho)^2,
 * 6u |g| / (1 - beta1), 7u g^2 / (1 - beta2), relative to the state's value
 * |g| (1 - rho^k) / (1 - rho) >= |g|, |g| c1, g^2 c2 (c = 1 - beta^k). The bias
 * correction `1 - beta^k` with `beta^k` by pow or k repeated multiplications:
 * ((2k + 1) beta^k / c + 1) u, then the division u. sqrt halves; eps, lr, the product
 * and the division add 1 each (2 for lr's). AdaGrad's accumulator is a sum, not a
 * contraction: G_k = k g^2 carries u (k + 1) / 2 + 2 relative, halved by sqrt, so its
 * step error grows like k / 4. RMSProp's s_k = g^2 (1 - d^k) as Adam's v without the correction.
 */
export function stepError(config: OptimizerConfig, k: number): number {
  return stepErrorWith(config, k, powersAt(config, k));
}

/** The decay factors' powers at step k (`n` the counter, below k when frozen): one pow each, shared by a step's coordinates. */
interface Powers {
  k1: number;
  k2: number;
  n1: number;
  n2: number;
}

function powersAt(config: OptimizerConfig, k: number, frozen?: number): Powers {
  const a =
    config.optimizer === 'adam'
      ? config.beta1
      : config.optimizer === 'momentum'
        ? config.rho
        : config.optimizer === 'rmsprop'
          ? config.decayRate
          : 0;
  const b = config.optimizer === 'adam' ? config.beta2 : 0;
  const n = frozen === undefined ? k : Math.min(k, frozen);
  const k1 = a ** k;
  const k2 = b ** k;
  return { k1, k2, n1: n === k ? k1 : a ** n, n2: n === k ? k2 : b ** n };
}

function stepErrorWith(config: OptimizerConfig, k: number, p: Powers): number {
  switch (config.optimizer) {
    case 'sgd':
      return 2;
    case 'momentum':
      return 3 / (1 - config.rho) ** 2 + 2;
    case 'nesterov':
      throw new RangeError('stepError: Nesterov has no constant-gradient closed form here');
    case 'adagrad':
      return (k + 1) / 4 + 6;
    case 'rmsprop': {
      const c = 1 - p.k1;
      return 7 / ((1 - config.decayRate) * c) / 2 + 5;
    }
    case 'adam': {
      const { beta1, beta2 } = config;
      const c1 = 1 - p.k1;
      const c2 = 1 - p.k2;
      const first = 6 / ((1 - beta1) * c1) + ((2 * k + 1) * p.k1) / c1 + 2;
      const second = 7 / ((1 - beta2) * c2) + ((2 * k + 1) * p.k2) / c2 + 2;
      return first + second / 2 + 5;
    }
  }
}

/**
 * Step k's exact size under a constant gradient g; `frozen`, when given, is the last
 * value Adam's counter reaches (the known bug `step-counter-saturates`).
 */
export function exactStep(config: OptimizerConfig, g: number, k: number, frozen?: number): number {
  return exactStepWith(config, g, k, powersAt(config, k, frozen));
}

function exactStepWith(config: OptimizerConfig, g: number, k: number, p: Powers): number {
  switch (config.optimizer) {
    case 'sgd':
      return config.learningRate * g;
    case 'momentum':
      return (config.learningRate * g * (1 - p.k1)) / (1 - config.rho);
    case 'nesterov':
      throw new RangeError('exactStep: Nesterov has no constant-gradient closed form here');
    case 'adagrad':
      return (config.learningRate * g) / (Math.sqrt(k) * Math.abs(g) + config.epsilon);
    case 'rmsprop':
      return (config.learningRate * g) / (Math.abs(g) * Math.sqrt(1 - p.k1) + config.epsilon);
    case 'adam': {
      // m_k = g c1(k), v_k = g^2 c2(k); a frozen counter n divides them by c1(n), c2(n).
      const m = (g * (1 - p.k1)) / (1 - p.n1);
      const v = (g * g * (1 - p.k2)) / (1 - p.n2);
      return (config.learningRate * m) / (Math.sqrt(v) + config.epsilon);
    }
  }
}

/** One compared step of a long run. */
export interface HorizonPoint {
  t: number;
  coordinate: number;
  expected: number;
  actual: number;
  bound: number;
}

/** The outcome of {@link checkLongHorizon}. */
export interface HorizonResult {
  passed: boolean;
  /** Every compared step; the first failing one, if any, is `failure`. */
  points: HorizonPoint[];
  failure?: HorizonPoint;
  /**
   * docs/conventions.md's `step-counter-saturates`, when every compared step matches Adam
   * with its counter frozen at 2^p of some dtype.
   */
  bug?: 'step-counter-saturates';
  /** Why the run was not made (the implementation refused the configuration). */
  unsupported?: string;
}

/** Options of {@link checkLongHorizon}. */
export interface HorizonOptions {
  /** The constant gradient, one value per coordinate. */
  gradient: readonly number[];
  x0: readonly number[];
  /** The steps to compare at (1-based, at most `horizon`); the last step is always compared. */
  at: readonly number[];
  horizon: number;
  /** Gradients per `steps` call. */
  batch?: number;
}

/** Expected x and its bound at every step in `at` for each coordinate; `frozen` as in {@link exactStep}. */
function closedForm(
  config: OptimizerConfig,
  dtype: Dtype,
  options: HorizonOptions,
  at: ReadonlySet<number>,
  frozen?: number,
): Map<number, { x: number[]; bound: number[] }> {
  const u = roundoff(dtype).u + roundoff('float64').u;
  const eta = roundoff(dtype).eta;
  const out = new Map<number, { x: number[]; bound: number[] }>();
  const x = [...options.x0];
  const bound = options.x0.map((v) => u * Math.abs(v));
  for (let k = 1; k <= options.horizon; k++) {
    const p = powersAt(config, k, frozen);
    const delta = stepErrorWith(config, k, p);
    for (let i = 0; i < x.length; i++) {
      const s = exactStepWith(config, options.gradient[i]!, k, p);
      x[i]! -= s;
      // The step's relative error, the subtraction's rounding, 2 eta for underflow; the
      // float64 sum here carries its own u64 per step, inside u = u_dtype + u64.
      bound[i]! += 1.01 * (delta * u * Math.abs(s) + u * Math.abs(x[i]!)) + 2 * eta;
    }
    if (at.has(k)) out.set(k, { x: [...x], bound: [...bound] });
  }
  return out;
}

/**
 * Drives `adapter` through `horizon` steps of a constant gradient (batched `steps` when
 * the adapter has them) and compares x at the chosen steps with the closed form within
 * the derived bound. The bound grows linearly in t for SGD, Momentum, RMSProp and Adam
 * (a t-independent relative error per step, plus u |x_k| per subtraction) and like
 * t^2 relative for AdaGrad (its accumulator's rounding accumulates). A run that fails
 * and matches Adam with its counter frozen at 2^p of a dtype (256, 2048, 2^24) names
 * `step-counter-saturates`.
 */
export async function checkLongHorizon(
  adapter: Adapter,
  config: OptimizerConfig,
  options: HorizonOptions,
): Promise<HorizonResult> {
  const made = await adapter.create(config, Float64Array.from(options.x0));
  if (isUnsupported(made)) return { passed: true, points: [], unsupported: made.unsupported };
  let actual: Map<number, Float64Array>;
  try {
    actual = await driveLongHorizon(made, options);
  } finally {
    await made.dispose?.();
  }
  return judgeLongHorizon(config, adapter.dtype, options, actual);
}

/** The steps {@link HorizonOptions} compares at: those in range, and the last. */
function comparedSteps(options: HorizonOptions): Set<number> {
  return new Set([...options.at.filter((t) => t >= 1 && t <= options.horizon), options.horizon]);
}

/** What drives a long run: the adapter's stepper, or the checker's guarded one. */
export type HorizonStepper = Pick<Stepper, 'step' | 'steps'>;

/**
 * Steps `stepper` through `options.horizon` steps of the constant gradient (batched
 * `steps` of `options.batch` when it has them) and keeps x at the compared steps.
 */
export async function driveLongHorizon(
  stepper: HorizonStepper,
  options: HorizonOptions,
): Promise<Map<number, Float64Array>> {
  const at = comparedSteps(options);
  const actual = new Map<number, Float64Array>();
  const g = Float64Array.from(options.gradient);
  const batch = options.batch ?? 4096;
  for (let done = 0; done < options.horizon; ) {
    const size = Math.min(batch, options.horizon - done);
    if (stepper.steps !== undefined) {
      const xs = await stepper.steps(Array.from({ length: size }, () => g));
      xs.forEach((x, j) => {
        if (at.has(done + j + 1)) actual.set(done + j + 1, Float64Array.from(x));
      });
    } else
      for (let j = 0; j < size; j++) {
        // An in-process stepper answers synchronously: no microtask per step when it does.
        const answer = stepper.step(g);
        const x = answer instanceof Promise ? await answer : answer;
        if (at.has(done + j + 1)) actual.set(done + j + 1, Float64Array.from(x));
      }
    done += size;
  }
  return actual;
}

/**
 * Compares x at the compared steps with the closed form within the derived bound; a
 * failing Adam that matches its counter frozen at 2^p of a dtype names `step-counter-saturates`.
 */
export function judgeLongHorizon(
  config: OptimizerConfig,
  dtype: Dtype,
  options: HorizonOptions,
  actual: ReadonlyMap<number, Float64Array>,
): HorizonResult {
  const at = comparedSteps(options);
  const expected = closedForm(config, dtype, options, at);
  const points = compare(expected, actual);
  const failure = points.find((p) => !within(p));
  if (failure === undefined) return { passed: true, points };
  const frozenAt = config.optimizer === 'adam' ? [256, 2048, 2 ** 24] : [];
  const bug = frozenAt.some((n) => compare(closedForm(config, dtype, options, at, n), actual).every(within))
    ? ('step-counter-saturates' as const)
    : undefined;
  return { passed: false, points, failure, ...(bug === undefined ? {} : { bug }) };
}

function compare(
  expected: Map<number, { x: number[]; bound: number[] }>,
  actual: ReadonlyMap<number, Float64Array>,
): HorizonPoint[] {
  const points: HorizonPoint[] = [];
  for (const [t, { x, bound }] of [...expected].sort((a, b) => a[0] - b[0]))
    for (let i = 0; i < x.length; i++)
      points.push({ t, coordinate: i, expected: x[i]!, actual: actual.get(t)![i]!, bound: bound[i]! });
  return points;
}

function within(p: HorizonPoint): boolean {
  return Math.abs(p.actual - p.expected) <= p.bound;
}
