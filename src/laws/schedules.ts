import fc from 'fast-check';
import { type Adapter, scheduleTable } from '../adapter/index.js';
import type { Dtype, ScheduleConfig, ScheduleName, ScheduleRule } from '../reference/index.js';
import { range } from './arbitraries.js';
import { add, type DD, dd, div, exp, mul, neg, powInt, toNumber } from './exact.js';
import { type Law, LawViolation } from './law.js';
import { requireSameValue, requireWithin, SLACK, U64, underflow, unitRoundoff } from './tolerance.js';

/** What the laws need to know of a schedule: its configs, its exact value and a correct evaluation's error. */
interface ScheduleModel {
  config: fc.Arbitrary<ScheduleConfig>;
  /** The exact value at t, in double-double. */
  exact(config: ScheduleConfig, t: number): DD;
  /** Relative error of a correct evaluation in the dtype at t, in units of u. */
  relative(config: ScheduleConfig, t: number): number;
  /** How many roundings may underflow (each costs eta absolute, and later products shrink it). */
  underflows(config: ScheduleConfig, t: number): number;
}

const initial = fc.oneof(fc.constantFrom(0.1, 1e-3, 1), range(1e-6, 10));

/** Exponential decay's relative error at t in units of u, over its evaluation orders (see the models below). */
function exponentialRelative(k: number, t: number): number {
  return Math.max(2 * k * t + 4, (k + 4) * t + 4);
}

/**
 * Step decay `initial * factor ** floor(t / every)`: factor^n by repeated
 * multiplication costs n conversions of factor and n - 1 products, then initial's
 * conversion and the product: (2n + 1) u. A correctly rounded pow of the rounded factor
 * costs n + 1 <= 2n - 1 for n >= 2 instead, and pow(f, 1) = f, pow(f, 0) = 1 are exact.
 * Exponential decay `initial * exp(-k t)`: k's conversion and the product k t shift the
 * exponent by 2u k t (relative error of exp); exp itself within 2u, assuming it is
 * within 1 ULP in double as glibc's and V8's are (rounding that to float32 adds u);
 * initial converted and the product 2u: (2 k t + 4) u. Or `initial * gamma ** t` with
 * `gamma = exp(-k)` rounded once, or `lr *= gamma` once per step (docs/conventions.md's
 * evaluation orders: Keras, optax, PyTorch): k's conversion moves gamma^t by k t u,
 * gamma's exp (2u) and rounding (u) by 3 t u, the power (1 ULP, 2u) or the t chained
 * products t u, initial and the product 2u: ((k + 4) t + 4) u; the larger is kept.
 * 1/t decay `initial / (1 + k t)` or `initial * (1 / (1 + k t))`: k, the product, the
 * sum, the division (or reciprocal and product), initial: 6u. In the subnormal range
 * each rounding may add eta absolute instead (n + 2 of them for step decay's repeated
 * products, t + 3 for exponential decay's chained ones), scaled by initial at most.
 */
const models: Record<ScheduleName, ScheduleModel> = {
  step: {
    config: fc.record({
      schedule: fc.constant('step' as const),
      initial,
      every: fc.integer({ min: 1, max: 20 }),
      factor: fc.oneof(fc.constantFrom(0.5, 0.1, 1), range(0.05, 1)),
    }),
    exact: (c, t) => {
      const s = c as Extract<ScheduleConfig, { schedule: 'step' }>;
      return mul(dd(s.initial), powInt(dd(s.factor), Math.floor(t / s.every)));
    },
    relative: (c, t) => 2 * Math.floor(t / (c as { every: number }).every) + 1,
    underflows: (c, t) => Math.floor(t / (c as { every: number }).every) + 2,
  },
  exponential: {
    config: fc.record({
      schedule: fc.constant('exponential' as const),
      initial,
      k: fc.oneof(fc.constantFrom(0, 0.1, 0.01), range(0, 1)),
    }),
    exact: (c, t) => {
      const e = c as Extract<ScheduleConfig, { schedule: 'exponential' }>;
      return mul(dd(e.initial), exp(neg(mul(dd(e.k), dd(t)))));
    },
    relative: (c, t) => exponentialRelative((c as { k: number }).k, t),
    underflows: (_c, t) => t + 3,
  },
  'inverse-time': {
    config: fc.record({
      schedule: fc.constant('inverse-time' as const),
      initial,
      k: fc.oneof(fc.constantFrom(0, 0.1, 0.01), range(0, 1)),
    }),
    exact: (c, t) => {
      const e = c as Extract<ScheduleConfig, { schedule: 'inverse-time' }>;
      return div(dd(e.initial), add(dd(1), mul(dd(e.k), dd(t))));
    },
    relative: () => 6,
    underflows: () => 3,
  },
};

function modelOf(rule: ScheduleRule): ScheduleModel {
  const model = models[rule.name];
  if (model === undefined) throw new RangeError(`laws: no exact model for schedule ${JSON.stringify(rule.name)}`);
  return model;
}

/** The bound on |value - exact|: relative error (derived per schedule) plus underflow, plus the law's rounding. */
function evaluationBound(model: ScheduleModel, config: ScheduleConfig, t: number, exact: number, dtype: Dtype): number {
  return (
    SLACK * model.relative(config, t) * unitRoundoff(dtype) * Math.abs(exact) +
    model.underflows(config, t) * underflow(dtype) * Math.max(1, config.initial) +
    U64 * Math.abs(exact)
  );
}

/** Input of the per-schedule laws. */
export interface ScheduleInput {
  config: ScheduleConfig;
  t: number;
}

/**
 * The value at t = 0 is the initial rate: `factor ** 0`, `exp(-0)` and `1 + k * 0` are
 * exactly 1. Exact for any correct implementation; a float32 one may return the initial
 * rate rounded to float32.
 */
function initialAtZero(rule: ScheduleRule): Law<ScheduleInput> {
  const model = modelOf(rule);
  return {
    id: `schedule:${rule.name}/initial-at-zero`,
    subject: `schedule:${rule.name}`,
    title: `${rule.title}: the value at t = 0 is the initial rate (exact)`,
    runs: 30,
    arbitrary: () => fc.record({ config: model.config, t: fc.constant(0) }),
    async check(adapter: Adapter, { config }) {
      const value = (await scheduleTable(adapter, config, [0]))(0);
      const accepted = adapter.dtype === 'float32' && value === Math.fround(config.initial) ? value : config.initial;
      requireSameValue('the value at t = 0 is not the initial rate', value, accepted, adapter.dtype, { step: 0 });
    },
  };
}

/**
 * Non-increasing for decaying parameters (factor <= 1, k >= 0, which validation
 * requires): `v(t + 1) <= v(t)` up to both evaluations' derived error, checked over 30
 * consecutive t from a drawn start.
 */
function nonIncreasing(rule: ScheduleRule): Law<ScheduleInput> {
  const model = modelOf(rule);
  return {
    id: `schedule:${rule.name}/non-increasing`,
    subject: `schedule:${rule.name}`,
    title: `${rule.title}: the rate never increases (derived bound)`,
    runs: 40,
    arbitrary: () =>
      fc.record({
        config: model.config,
        t: fc.oneof(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 10_000 })),
      }),
    async check(adapter, { config, t }) {
      const schedule = await scheduleTable(
        adapter,
        config,
        Array.from({ length: 31 }, (_, k) => t + k),
      );
      let before = schedule(t);
      for (let s = t + 1; s <= t + 30; s++) {
        const value = schedule(s);
        const slack =
          evaluationBound(model, config, s, value, adapter.dtype) +
          evaluationBound(model, config, s - 1, before, adapter.dtype);
        if (!(value <= before + slack)) {
          throw new LawViolation(`the rate rose from ${before} at t = ${s - 1} to ${value} at t = ${s}`, {
            step: s,
            expected: before,
            actual: value,
            tolerance: `${slack.toExponential(3)}: both evaluations' derived error`,
          });
        }
        before = value;
      }
    },
  };
}

/** Every value is within the derived relative error of the exact value (double-double). */
function exactEvaluation(rule: ScheduleRule): Law<ScheduleInput> {
  const model = modelOf(rule);
  return {
    id: `schedule:${rule.name}/exact-evaluation`,
    subject: `schedule:${rule.name}`,
    title: `${rule.title}: every value is within a derived ULP bound of the exact evaluation`,
    runs: 80,
    arbitrary: () =>
      fc.record({
        config: model.config,
        t: fc.oneof(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 10_000 })),
      }),
    async check(adapter, { config, t }) {
      const exact = toNumber(model.exact(config, t));
      const bound = evaluationBound(model, config, t, exact, adapter.dtype);
      const value = (await scheduleTable(adapter, config, [t]))(t);
      requireWithin(
        'the rate is off the exact evaluation',
        value,
        exact,
        bound,
        `(${rule.name} relative error) u |exact| * 1.01 + (underflowing roundings) eta max(1, initial) + 2^-53 |exact|`,
        adapter.dtype,
        { step: t },
      );
    },
  };
}

/** Input of the step-decay boundary law. */
export interface BoundaryInput {
  config: Extract<ScheduleConfig, { schedule: 'step' }>;
  blocks: number;
}

/**
 * Step decay changes exactly at multiples of `every`: constant (exact: the same
 * exponent, the same evaluation) on every block `[m every, (m + 1) every)`, and strictly
 * lower at `m every` than at `m every - 1` (factor <= 0.999 keeps the drop, at least
 * 1e-3 relative, far above the (2n + 1) u evaluation error). Catches schedules that decay
 * one epoch early or late.
 */
const boundaries: Law<BoundaryInput> = {
  id: 'schedule:step/changes-at-multiples',
  subject: 'schedule:step',
  title: 'Step decay: constant within each block of `every` epochs, strictly lower at each multiple of `every` (exact)',
  runs: 40,
  arbitrary: () =>
    fc.record({
      config: fc.record({
        schedule: fc.constant('step' as const),
        initial: range(1e-6, 10),
        every: fc.integer({ min: 1, max: 12 }),
        factor: range(0.05, 0.999),
      }),
      blocks: fc.integer({ min: 1, max: 10 }),
    }),
  async check(adapter, { config, blocks }) {
    const schedule = await scheduleTable(
      adapter,
      config,
      Array.from({ length: blocks * config.every }, (_, t) => t),
    );
    for (let m = 0; m < blocks; m++) {
      const first = schedule(m * config.every);
      for (let t = m * config.every + 1; t < (m + 1) * config.every; t++)
        requireSameValue(`the rate changed inside block ${m}`, schedule(t), first, adapter.dtype, { step: t });
      if (m > 0) {
        const last = schedule(m * config.every - 1);
        if (!(first < last))
          throw new LawViolation(
            `the rate did not drop at t = ${m * config.every} (a multiple of every = ${config.every}): ${last} -> ${first}`,
            { step: m * config.every, expected: last * config.factor, actual: first, tolerance: 'strict decrease' },
          );
      }
    }
  },
};

/** Input of the semigroup law. */
export interface SemigroupInput {
  config: Extract<ScheduleConfig, { schedule: 'exponential' }>;
  s: number;
  t: number;
}

/**
 * Exponential decay satisfies its semigroup law `v(s + t) * initial = v(s) * v(t)`; both
 * sides are formed by the law in double-double from the implementation's values, so the
 * difference is bounded by the three evaluations' relative errors (exponentialRelative).
 * k (s + t) <= 80 keeps every value normal in float32.
 */
const semigroup: Law<SemigroupInput> = {
  id: 'schedule:exponential/semigroup',
  subject: 'schedule:exponential',
  title: 'Exponential decay: v(s + t) * initial = v(s) * v(t) (derived bound)',
  runs: 60,
  arbitrary: () =>
    fc.record({
      config: fc.record({ schedule: fc.constant('exponential' as const), initial: range(1e-3, 10), k: range(0, 0.4) }),
      s: fc.integer({ min: 0, max: 100 }),
      t: fc.integer({ min: 0, max: 100 }),
    }),
  async check(adapter, { config, s, t }) {
    const v = await scheduleTable(adapter, config, [s, t, s + t]);
    const left = toNumber(mul(dd(v(s + t)), dd(config.initial)));
    const right = toNumber(mul(dd(v(s)), dd(v(t))));
    const u = unitRoundoff(adapter.dtype);
    const rel = (x: number) => exponentialRelative(config.k, x);
    const bound = SLACK * (rel(s) + rel(t) + rel(s + t)) * u * Math.abs(right) + 2 * U64 * Math.abs(right);
    requireWithin(
      `v(${s + t}) * initial differs from v(${s}) * v(${t})`,
      left,
      right,
      bound,
      '(r(s) + r(t) + r(s+t)) u |v(s) v(t)| * 1.01 + 2^-52 |v(s) v(t)|, r(x) = max(2kx + 4, (k+4)x + 4)',
      adapter.dtype,
      { step: s + t },
    );
  },
};

/** Input of the 1/t law. */
export interface ReciprocalInput {
  config: Extract<ScheduleConfig, { schedule: 'inverse-time' }>;
  t: number;
}

/**
 * 1/t decay has `initial / v(t) = 1 + k t`, linear in t: with v's relative error at
 * most 6u, `initial / v` is off `1 + k t` by at most 6u (1 + k t) * 1.01 (formed by the law in double-double).
 */
const reciprocalLinear: Law<ReciprocalInput> = {
  id: 'schedule:inverse-time/reciprocal-linear',
  subject: 'schedule:inverse-time',
  title: '1/t decay: initial / v(t) = 1 + k t, linear in t (derived bound)',
  runs: 60,
  arbitrary: () =>
    fc.record({
      config: fc.record({ schedule: fc.constant('inverse-time' as const), initial: range(1e-6, 10), k: range(0, 1) }),
      t: fc.integer({ min: 0, max: 10_000 }),
    }),
  async check(adapter, { config, t }) {
    const value = (await scheduleTable(adapter, config, [t]))(t);
    const line = toNumber(add(dd(1), mul(dd(config.k), dd(t))));
    const reciprocal = toNumber(div(dd(config.initial), dd(value)));
    const bound = SLACK * 6 * unitRoundoff(adapter.dtype) * line + 2 * U64 * line;
    requireWithin(
      'initial / v(t) is not 1 + k t',
      reciprocal,
      line,
      bound,
      '6u (1 + k t) * 1.01 + 2^-52 (1 + k t)',
      adapter.dtype,
      { step: t },
    );
  },
};

/** The laws every schedule obeys, built for one rule of the registry. */
export function everyScheduleLaws(rule: ScheduleRule): Law[] {
  return [initialAtZero(rule), nonIncreasing(rule), exactEvaluation(rule)] as Law[];
}

/** The schedule-specific laws (docs/spec.md section 7). */
export const scheduleLaws: readonly Law[] = [boundaries as Law, semigroup as Law, reciprocalLinear as Law];
