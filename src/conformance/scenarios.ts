import { rounderFor, dtypeLimits } from '../numerics/index.js';
import fc from 'fast-check';
import type { OptimizerFixtureCase } from '../fixtures/index.js';
import {
  type Dtype,
  type LandscapeSpec,
  LECTURE_EPSILON,
  type OptimizerConfig,
  type OptimizerName,
} from '../reference/index.js';

/**
 * One run of an optimizer the checker drives an implementation through. Open loop:
 * the gradients are given. Closed loop: the checker computes `dx` at the
 * implementation's own iterates on a landscape (docs/spec.md section 8). Two
 * instances interleaved (instance independence): `second` runs beside
 * the first, one step each in turn, and each must follow its own reference.
 */
export interface Scenario {
  /** Finding id, e.g. `fixture:adam/float32/open/tiny-0`, `probe:tiny-gradients`. */
  id: string;
  config: OptimizerConfig;
  x0: number[];
  gradients?: number[][];
  closed?: { landscape: LandscapeSpec; steps: number };
  /** The learning rate of every step when it changes (undefined: unchanged). */
  learningRates?: (number | undefined)[];
  second?: { x0: number[]; gradients: number[][] };
  /** x0 and the gradients repeat a pattern of this many coordinates (see InstanceRun.tile). */
  tile?: number;
  /** Why this run is here: what it can expose. */
  purpose: string;
}

/** The golden fixture cases of the lecture's own rule (no convention), as scenarios. */
export function fixtureScenarios(cases: readonly OptimizerFixtureCase[]): Scenario[] {
  return cases
    .filter((c) => Object.keys(c.conventions).length === 0)
    .map((c) => {
      const scenario: Scenario = {
        id: `fixture:${c.id}`,
        config: c.config,
        x0: c.x0,
        purpose: `golden fixture (${c.regime})`,
      };
      if (c.loop.kind === 'open') scenario.gradients = c.loop.gradients;
      else scenario.closed = { landscape: c.loop.landscape, steps: c.loop.steps };
      if (c.learningRates !== undefined) scenario.learningRates = c.learningRates;
      return scenario;
    });
}

/** A config of `rule` with the lecture's typical values (docs/spec.md; presets.ts) and the given learning rate / epsilon. */
export function typicalConfig(
  rule: OptimizerName,
  learningRate: number,
  epsilon: number = LECTURE_EPSILON,
): OptimizerConfig {
  switch (rule) {
    case 'sgd':
      return { optimizer: 'sgd', learningRate };
    case 'momentum':
    case 'nesterov':
      return { optimizer: rule, learningRate, rho: 0.9 };
    case 'adagrad':
      return { optimizer: 'adagrad', learningRate, epsilon };
    case 'rmsprop':
      return { optimizer: 'rmsprop', learningRate, decayRate: 0.9, epsilon };
    case 'adam':
      return { optimizer: 'adam', learningRate, beta1: 0.9, beta2: 0.999, epsilon };
  }
}

/** A deterministic gradient table: `rows` steps of `cols` coordinates from a small LCG (no I/O, no global RNG). */
function table(
  rows: number,
  cols: number,
  seed: number,
  scale: (col: number) => number,
  round: (v: number) => number,
): number[][] {
  let s = seed >>> 0 || 1;
  const next = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
  return Array.from({ length: rows }, () => Array.from({ length: cols }, (_, c) => round(2 * next() * scale(c))));
}

/**
 * The probes: inputs on which the known conventions
 * (docs/conventions.md) and the listed bugs show. Values are rounded to the dtype so
 * that a float32 implementation receives exactly what the reference does.
 */
export function probeScenarios(rule: OptimizerName, dtype: Dtype): Scenario[] {
  const r = rounderFor(dtype);
  const adaptive = rule === 'adagrad' || rule === 'rmsprop' || rule === 'adam';
  const lr = rule === 'adam' ? 1e-3 : rule === 'sgd' || rule === 'adagrad' ? 0.1 : 0.01;
  const x0 = [0.5, -1.25, 2, 0.75].map(r);
  const ordinary = table(12, 4, 7, (c) => [1, 0.5, 2, 0.25][c]!, r);
  const out: Scenario[] = [
    {
      id: 'probe:ordinary',
      config: typicalConfig(rule, lr),
      x0,
      gradients: ordinary,
      purpose: "ordinary gradients, the lecture's typical hyperparameters",
    },
    {
      // sqrt(1e-7) = 3.2e-4: epsilon placement and an initial accumulator dominate below it (docs/conventions.md).
      id: 'probe:tiny-gradients',
      config: typicalConfig(rule, lr),
      x0,
      gradients: table(6, 4, 11, (c) => [1e-3, 3e-4, 1e-5, 1e-7][c]!, r).map((row) =>
        row.map((v, c) => (v === 0 ? r([1e-3, 3e-4, 1e-5, 1e-7][c]!) : v)),
      ),
      purpose:
        '|g| near and below sqrt(eps), first steps t = 1..6: epsilon placement, epsilon-hat, initial accumulator',
    },
    {
      id: 'probe:lr-changes',
      config: typicalConfig(rule, lr),
      x0,
      gradients: ordinary,
      learningRates: [
        undefined,
        undefined,
        undefined,
        lr / 2,
        undefined,
        undefined,
        lr / 10,
        undefined,
        lr * 3,
        undefined,
        undefined,
        lr,
      ].map((v) => (v === undefined ? v : r(v))),
      purpose:
        'learning rate changed between steps: where the learning rate sits relative to the velocity (lr-placement)',
    },
    {
      id: 'probe:zeros-then-gradients',
      config: typicalConfig(rule, lr),
      x0,
      gradients: [...table(3, 4, 0, () => 0, r).map((row) => row.map(() => 0)), ...table(5, 4, 13, () => 1, r)],
      purpose: 'non-zero gradients after zero ones: state initialisation and step counters',
    },
    ...counterSaturates(rule, lr, r),
    {
      id: 'probe:long',
      config: typicalConfig(rule, lr),
      x0,
      gradients: table(300, 4, 17, (c) => [1, 1e-2, 10, 1e-4][c]!, r),
      purpose: '300 steps at mixed scales: accumulated rounding (float32 against float64), counter drift',
    },
    {
      // docs/conventions.md's non-finite: libraries that form `0 * x` (a weight-decay term of 0) turn an infinite
      // parameter into NaN where the lecture's rule keeps it; no drawn input is needed to see it.
      id: 'probe:non-finite-parameters',
      config: typicalConfig(rule, lr),
      x0: [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN, 0.5],
      gradients: [...table(2, 4, 0, () => 0, r).map((row) => row.map(() => 0)), ...table(4, 4, 31, () => 1, r)],
      purpose:
        'parameters that are infinite or NaN, zero gradients then ordinary ones: the lecture keeps an infinity (non-finite)',
    },
    {
      id: 'probe:independence',
      config: typicalConfig(rule, lr),
      x0,
      gradients: table(6, 4, 19, () => 1, r),
      second: { x0: [3, -2, 0.25, 1].map(r), gradients: table(6, 4, 23, () => 10, r) },
      purpose: 'two instances stepped in turn must not share state (instance independence)',
    },
  ];
  out.push(...nonFiniteEdges(rule, dtype, lr, x0));
  if (adaptive) {
    out.push({
      id: 'probe:large-epsilon',
      config: typicalConfig(rule, lr, 0.25),
      x0,
      gradients: table(6, 4, 29, (c) => [1, 0.1, 0.5, 0.01][c]!, r),
      purpose: 'a large epsilon makes its placement visible with ordinary gradients',
    });
  }
  return out;
}

/**
 * Adam's `probe:counter-saturates`: from fresh state each step's bound is a few u, so at
 * t = 400 a counter frozen at 256, dividing v by 1 - beta2^256 = 0.226 instead of 0.330 (a
 * step 1.21 times too large), is beyond the bound in every checked dtype, bfloat16 included.
 */
function counterSaturates(rule: OptimizerName, lr: number, r: (v: number) => number): Scenario[] {
  if (rule !== 'adam') return [];
  return [
    {
      id: 'probe:counter-saturates',
      config: typicalConfig(rule, lr),
      x0: [0, 0, 0, 0],
      gradients: [...Array.from({ length: 399 }, () => [0, 0, 0, 0]), ...table(2, 4, 17, () => 1, r)],
      purpose: "399 zero gradients, then ordinary ones: a step counter that stops at 256 (bfloat16's, torchao's)",
    },
  ];
}

/** Steps of {@link statePrecisionProbe} that build the state before the one step that moves x. */
const STATE_STEPS = 60;

/**
 * A mixed-precision implementation's state precision, seen through x: 600 steps with a zero
 * learning rate (x stays exactly as it is) build the state from constant gradients, then one
 * step with learning rate 1 shows it. Kept in bfloat16 instead of float32, Adam's second moment
 * stops growing once (1 - beta2) (g^2 - v) is below half its ULP (about step 300 at beta2 =
 * 0.999) while 1 - beta2^t still does, so that step is off by tens of percent; the declared
 * float32 state keeps it within a few float32 ULP plus the parameters' one rounding.
 */
export function statePrecisionProbe(rule: OptimizerName, dtype: Dtype): Scenario[] {
  if (rule === 'sgd') return [];
  const r = rounderFor(dtype);
  const g = [1, 0.5, 2, 0.25].map(r);
  return [
    {
      id: 'probe:state-precision',
      config: typicalConfig(rule, 0),
      x0: [0, 0, 0, 0],
      gradients: Array.from({ length: STATE_STEPS + 1 }, () => g),
      learningRates: [...Array.from({ length: STATE_STEPS }, () => undefined), 1],
      purpose: `${STATE_STEPS} steps at learning rate 0 build the state, then one at 1 shows it: state kept in less precision than declared (state-downcast)`,
    },
  ];
}

/**
 * Hyperparameters at their boundary crossed with non-finite and near-overflow values,
 * where docs/spec.md's D9 makes the rule's own products visible: Momentum at rho = 0
 * with an infinite gradient (the rule forms `0 * vx`, so the velocity becomes NaN; a
 * library that skips the velocity at rho = 0 keeps the infinity); RMSProp at eps = 0
 * with a gradient whose square underflows (an infinite step; a momentum buffer
 * multiplied by a momentum of 0 turns it into NaN); Adam with gradients alternating
 * near the largest finite value (`g - m` of the interpolation form overflows where the
 * written form does not). Each difference there is the convention `non-finite`.
 */
function nonFiniteEdges(rule: OptimizerName, dtype: Dtype, lr: number, x0: number[]): Scenario[] {
  const r = rounderFor(dtype);
  const ordinary = table(3, 4, 41, () => 1, r);
  const inf = Number.POSITIVE_INFINITY;
  switch (rule) {
    case 'momentum':
      return [
        {
          id: 'probe:non-finite-rho-zero',
          config: { optimizer: 'momentum', learningRate: lr, rho: 0 },
          x0,
          gradients: [[inf, -inf, r(0.5), r(-1)], ...ordinary],
          purpose: 'rho = 0 and an infinite gradient: the rule forms 0 * vx, a NaN velocity (non-finite)',
        },
      ];
    case 'rmsprop': {
      // The smallest subnormal: its square underflows to 0, so with eps = 0 the step is g / 0.
      const tiny = dtypeLimits(dtype).tiny;
      return [
        {
          id: 'probe:non-finite-infinite-step',
          config: { optimizer: 'rmsprop', learningRate: 1, decayRate: 0.9, epsilon: 0 },
          x0,
          gradients: [[tiny, -tiny, r(0.5), r(-1)], ...ordinary],
          purpose:
            'eps = 0 and a gradient whose square underflows: an infinite step, then ordinary gradients (non-finite)',
        },
      ];
    }
    case 'adam': {
      // 1.1 times it exceeds the largest finite value: g - m overflows once m = 0.1 g of the other sign.
      const big = dtype === 'float64' ? 1.75e308 : r(dtype === 'float32' ? 3.3e38 : 0.97 * dtypeLimits(dtype).max);
      return [
        {
          id: 'probe:non-finite-near-overflow',
          config: typicalConfig('adam', lr),
          x0,
          gradients: [1, -1, 1, -1].map((s, k) => [s * big, -s * big, ...ordinary[k % 3]!.slice(2)]),
          purpose:
            'gradients alternating near the largest finite value: g - m overflows in interpolation form (non-finite)',
        },
      ];
    }
    default:
      return [];
  }
}

/** The pattern the large-vector probe repeats: a prime number of coordinates, so that no SIMD width or tile divides it. */
export const LARGE_VECTOR_TILE = 13;

/**
 * The large-vector probe: real libraries switch kernels by size (tiling, SIMD
 * remainders, GPU backends), so a bug may show only on a long vector. `size`
 * coordinates repeat a pattern of {@link LARGE_VECTOR_TILE} (ordinary and tiny
 * magnitudes, both signs, a zero), three steps with a learning-rate change: every
 * coordinate must follow the pattern's reference, so the checker's own work is one
 * pass over the answers and the cost is the implementation's.
 */
export function largeVectorScenario(rule: OptimizerName, dtype: Dtype, size: number): Scenario {
  const r = rounderFor(dtype);
  const lr = rule === 'adam' ? 1e-3 : rule === 'sgd' || rule === 'adagrad' ? 0.1 : 0.01;
  const tile = LARGE_VECTOR_TILE;
  const pattern = table(4, tile, 37, (c) => [1, 0.5, 1e-3, 2, 1e-5, 0.25, 3, 1e-2, 0.75, 1.5, 1e-4, 5, 0.1][c]!, r);
  pattern[3]![5] = 0;
  const repeat = (row: readonly number[]) => Array.from({ length: size }, (_, i) => row[i % tile]!);
  return {
    id: 'probe:large-vector',
    config: typicalConfig(rule, lr),
    x0: repeat(pattern[0]!),
    gradients: pattern.slice(1).map(repeat),
    learningRates: [undefined, r(lr / 2), undefined],
    tile,
    purpose: `a vector of ${size} coordinates (a pattern of ${tile} repeated): kernels that switch by size (tiling, SIMD remainders, GPU backends)`,
  };
}

/** A finite double of the dtype, at scales from 1e-6 to 1e3, with exact zeros and -0 on purpose. */
function gradientValue(dtype: Dtype): fc.Arbitrary<number> {
  const r = rounderFor(dtype);
  return fc.oneof(
    { weight: 8, arbitrary: fc.double({ min: -4, max: 4, noNaN: true, noDefaultInfinity: true }).map(r) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.double({ min: 1, max: 10, noNaN: true }), fc.integer({ min: -6, max: 3 }), fc.boolean())
        .map(([m, e, s]) => r((s ? -1 : 1) * m * 10 ** e)),
    },
    { weight: 1, arbitrary: fc.constantFrom(0, -0, 1, -1) },
  );
}

/**
 * Drawn hyperparameters of `rule`, inside the ranges the rules accept, avoiding
 * rho / beta / decay rate within 1e-3 of 1 where the conditioning 1/(1 - beta)
 * would make the float32 bound vacuous; epsilon a value the dtype holds above 0.
 */
function configArbitrary(rule: OptimizerName, dtype: Dtype): fc.Arbitrary<OptimizerConfig> {
  const lr = fc.constantFrom(1e-3, 1e-2, 0.05, 0.1, 0.5);
  const unit = fc.constantFrom(0, 0.5, 0.9, 0.99);
  // PyTorch's 1e-8 is 0 in float16 (the rule then divides 0 by 0): there its nearest float16, 2^-24.
  const eps = fc.constantFrom(dtype === 'float16' ? 2 ** -24 : 1e-8, 1e-7, 1e-4, 0.1);
  switch (rule) {
    case 'sgd':
      return lr.map((learningRate) => ({ optimizer: 'sgd', learningRate }));
    case 'momentum':
    case 'nesterov':
      return fc.tuple(lr, unit).map(([learningRate, rho]) => ({ optimizer: rule, learningRate, rho }));
    case 'adagrad':
      return fc.tuple(lr, eps).map(([learningRate, epsilon]) => ({ optimizer: 'adagrad', learningRate, epsilon }));
    case 'rmsprop':
      return fc
        .tuple(lr, unit, eps)
        .map(([learningRate, decayRate, epsilon]) => ({ optimizer: 'rmsprop', learningRate, decayRate, epsilon }));
    case 'adam':
      return fc
        .tuple(lr, unit, fc.constantFrom(0.9, 0.99, 0.999), eps)
        .map(([learningRate, beta1, beta2, epsilon]) => ({ optimizer: 'adam', learningRate, beta1, beta2, epsilon }));
  }
}

/** `count` drawn scenarios (seeded by the run's seed, so a report is reproducible). */
export function randomScenarios(rule: OptimizerName, dtype: Dtype, seed: number, count: number): Scenario[] {
  const value = gradientValue(dtype);
  const arbitrary = fc.record({
    config: configArbitrary(rule, dtype),
    size: fc.integer({ min: 1, max: 4 }),
    steps: fc.integer({ min: 1, max: 25 }),
    values: fc.array(value, { minLength: 104, maxLength: 104 }),
  });
  return fc.sample(arbitrary, { seed, numRuns: count }).map((draw, k) => {
    const { size, steps, values } = draw;
    const at = (i: number): number => values[i % values.length]!;
    return {
      id: `random:${k}`,
      config: draw.config,
      x0: Array.from({ length: size }, (_, i) => at(100 + i)),
      gradients: Array.from({ length: steps }, (_, s) =>
        Array.from({ length: size }, (_, i) => at(s * size + i + 3 * s)),
      ),
      purpose: `drawn hyperparameters and gradients (seed ${seed})`,
    };
  });
}
