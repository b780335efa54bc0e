import { rounderFor } from '../numerics/index.js';
import fc from 'fast-check';
import type { Dtype, OptimizerConfig, OptimizerName, OptimizerRule } from '../reference/index.js';
import {
  anyValue,
  configArbitrary,
  finiteValue,
  learningRateChangesIn,
  normalValue,
  positiveEpsilonIn,
  type Rates,
  range,
  vectors,
} from './arbitraries.js';
import {
  runScript,
  type ScriptCall,
  trajectories,
  trajectoriesOf,
  trajectory,
  trajectoryScript,
} from '../adapter/index.js';
import { immutability } from './immutability.js';
import { type Law, LawViolation } from './law.js';
import { heldExactly, requireSameBits, requireSameValue } from './tolerance.js';

function requireSameTrajectory(
  what: string,
  actual: Float64Array[],
  expected: Float64Array[],
  dtype: Dtype,
  map: (i: number) => number = (i) => i,
): void {
  for (let t = 0; t < expected.length; t++) {
    for (let i = 0; i < actual[t]!.length; i++)
      requireSameBits(what, actual[t]![i]!, expected[t]![map(i)]!, dtype, { step: t + 1, coordinate: i });
  }
}

/** Input of the element-wise law. */
export interface ElementwiseInput {
  config: OptimizerConfig;
  x0: number[];
  grads: number[][];
  learningRates: Rates;
  split: number;
  permutation: number[];
}

/**
 * Element-wise (docs/spec.md, Notation): updating a concatenation equals updating the
 * parts separately, and permuting the coordinates permutes the result. Exact for any
 * correct implementation (the same operations on the same operands), so bit-exact,
 * for every input including NaN, infinities, -0 and subnormals, with learning-rate changes.
 */
function elementwise(rule: OptimizerRule): Law<ElementwiseInput> {
  return {
    id: `${rule.name}/element-wise`,
    subject: rule.name,
    title: `${rule.title} is element-wise: concatenating or permuting coordinates commutes with the update (bit-exact, any input)`,
    runs: 60,
    arbitrary: (dtype) =>
      fc.integer({ min: 2, max: 6 }).chain((n) =>
        fc.record({
          config: configArbitrary(rule, {}, dtype),
          x0: fc.array(anyValue(dtype), { minLength: n, maxLength: n }),
          grads: vectors(anyValue(dtype), n, 1, 6),
          learningRates: learningRateChangesIn(dtype, 6),
          split: fc.integer({ min: 1, max: n - 1 }),
          permutation: fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }),
        }),
      ),
    async check(adapter, { config, x0, grads, learningRates, split, permutation }) {
      // One script: the whole, each part alone, then the permuted coordinates (one round trip across a boundary).
      const part = (from: number, to: number) => ({
        config,
        x0: x0.slice(from, to),
        grads: grads.map((g) => g.slice(from, to)),
        learningRates,
      });
      const [whole, left, right, permuted] = await trajectories(adapter, [
        { config, x0, grads, learningRates },
        part(0, split),
        part(split, x0.length),
        {
          config,
          x0: permutation.map((p) => x0[p]!),
          grads: grads.map((g) => permutation.map((p) => g[p]!)),
          learningRates,
        },
      ]);
      requireSameTrajectory(
        'the first part updated alone differs from the same coordinates of the whole',
        left!,
        whole!,
        adapter.dtype,
      );
      requireSameTrajectory(
        'the second part updated alone differs from the same coordinates of the whole',
        right!,
        whole!,
        adapter.dtype,
        (i) => i + split,
      );
      requireSameTrajectory(
        `permuting the coordinates by [${permutation.join(', ')}] does not permute the result`,
        permuted!,
        whole!,
        adapter.dtype,
        (i) => permutation[i]!,
      );
    },
  };
}

/** Input of the determinism and independence law. */
export interface IndependenceInput {
  config: OptimizerConfig;
  x0: number[];
  grads: number[][];
  learningRates: Rates;
  others: number[][];
  order: number[];
}

/**
 * Determinism and independence: instances A and B fed the same gradients agree bit
 * for bit with a solo run D, while their steps are interleaved with each other and
 * with an instance C fed other gradients (no shared or global state). Exact for any
 * correct implementation, every input.
 */
function independence(rule: OptimizerRule): Law<IndependenceInput> {
  return {
    id: `${rule.name}/deterministic-independent`,
    subject: rule.name,
    title: `${rule.title}: instances fed the same gradients agree bit for bit, also interleaved with another instance (bit-exact, any input)`,
    runs: 50,
    selfComparison: true,
    arbitrary: (dtype) =>
      fc.integer({ min: 1, max: 4 }).chain((n) =>
        fc.integer({ min: 1, max: 6 }).chain((steps) =>
          fc.record({
            config: configArbitrary(rule, {}, dtype),
            x0: fc.array(anyValue(dtype), { minLength: n, maxLength: n }),
            grads: vectors(anyValue(dtype), n, steps, steps),
            learningRates: learningRateChangesIn(dtype, steps),
            others: vectors(anyValue(dtype), n, steps, steps),
            order: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 3 * steps, maxLength: 3 * steps }),
          }),
        ),
      ),
    async check(adapter, { config, x0, grads, learningRates, others, order }) {
      // One script: the solo run D, then A, B and C created and stepped in the drawn order, then the rest in turn.
      const calls: ScriptCall[] = trajectoryScript([{ config, x0, grads, learningRates }]).calls;
      for (let k = 0; k < 3; k++) calls.push({ op: 'create', config, x0: Float64Array.from(x0) });
      const fed = [0, 0, 0];
      const feed = (k: number): void => {
        const t = fed[k]!;
        if (t >= grads.length) return;
        fed[k]!++;
        const lr = k === 2 ? undefined : learningRates[t];
        calls.push({
          op: 'step',
          instance: k + 1,
          grad: Float64Array.from(k === 2 ? others[t]! : grads[t]!),
          ...(lr === undefined ? {} : { learningRate: lr }),
        });
      };
      for (const k of order) feed(k);
      for (let t = 0; t < grads.length; t++) for (let k = 0; k < 3; k++) feed(k);
      for (let k = 1; k <= 3; k++) calls.push({ op: 'dispose', instance: k });
      const script = { calls };
      const [solo, a, b] = trajectoriesOf(script, await runScript(adapter, script));
      requireSameTrajectory('instance A, interleaved with others, differs from a solo run', a!, solo!, adapter.dtype);
      requireSameTrajectory('instance B, interleaved with others, differs from a solo run', b!, solo!, adapter.dtype);
    },
  };
}

/** Input of the zero-gradient law. */
export interface ZeroGradientInput {
  config: OptimizerConfig;
  x0: number[];
  zeros: number[][];
}

/**
 * A zero gradient from fresh state leaves x unchanged, for any x (NaN, infinities,
 * subnormals) and any number of steps. Exact for any correct implementation, with
 * +0 and -0 identified (x - (-0) turns -0 into +0), and a subnormal x read as 0 on an
 * arithmetic that may flush it (a shader's, heldExactly). Epsilon is drawn positive: with
 * eps = 0 the lecture's AdaGrad, RMSProp and Adam compute 0 / 0.
 */
function zeroGradient(rule: OptimizerRule): Law<ZeroGradientInput> {
  return {
    id: `${rule.name}/zero-gradient`,
    subject: rule.name,
    title: `${rule.title}: zero gradients from fresh state leave x unchanged (exact, any x; eps > 0)`,
    runs: 50,
    arbitrary: (dtype) =>
      fc.integer({ min: 1, max: 5 }).chain((n) =>
        fc.record({
          config: configArbitrary(rule, { epsilon: positiveEpsilonIn(dtype) }, dtype),
          x0: fc.array(anyValue(dtype), { minLength: n, maxLength: n }),
          zeros: vectors(fc.constantFrom(0, -0), n, 1, 5),
        }),
      ),
    async check(adapter, { config, x0, zeros }) {
      const xs = await trajectory(adapter, config, x0, zeros);
      xs.forEach((x, t) => {
        x.forEach((v, i) => {
          const expected = heldExactly(rounderFor(adapter.dtype)(x0[i]!), v, adapter.arithmetic);
          requireSameValue('a zero gradient moved x', v, expected, adapter.dtype, {
            step: t + 1,
            coordinate: i,
          });
        });
      });
    },
  };
}

/** Input of the zero-learning-rate law. */
export interface ZeroLearningRateInput {
  config: OptimizerConfig;
  x0: number[];
  grads: number[][];
}

/**
 * A zero learning rate leaves x unchanged, for any x and finite gradients below 1e15
 * (so that no state overflows in float32 and 0 * Inf never arises). Exact for any
 * correct implementation, +0 and -0 identified, subnormals as in the zero-gradient law; eps > 0 as there.
 */
function zeroLearningRate(rule: OptimizerRule): Law<ZeroLearningRateInput> {
  return {
    id: `${rule.name}/zero-learning-rate`,
    subject: rule.name,
    title: `${rule.title}: a zero learning rate leaves x unchanged (exact, any x, finite gradients; eps > 0)`,
    runs: 50,
    arbitrary: (dtype) =>
      fc.integer({ min: 1, max: 5 }).chain((n) =>
        fc.record({
          config: configArbitrary(rule, { learningRate: fc.constant(0), epsilon: positiveEpsilonIn(dtype) }, dtype),
          x0: fc.array(anyValue(dtype), { minLength: n, maxLength: n }),
          grads: vectors(finiteValue(dtype, 1e15), n, 1, 8),
        }),
      ),
    async check(adapter, { config, x0, grads }) {
      const xs = await trajectory(adapter, config, x0, grads);
      xs.forEach((x, t) => {
        x.forEach((v, i) => {
          const expected = heldExactly(rounderFor(adapter.dtype)(x0[i]!), v, adapter.arithmetic);
          requireSameValue('a zero learning rate moved x', v, expected, adapter.dtype, {
            step: t + 1,
            coordinate: i,
          });
        });
      });
    },
  };
}

/**
 * The largest first-step displacement per unit learning rate, `|step_i| / lr`, from
 * fresh state with gradient g (docs/spec.md sections 1 to 6): SGD and Momentum take
 * `lr * g`; Nesterov `(1 + rho) * lr * g` (v = -lr g, x += (1 + rho) v); AdaGrad and
 * Adam `lr * g / (|g| + eps) <= lr` (bias-corrected moments are g and g^2 at t = 1);
 * RMSProp `lr * g / (sqrt(1 - d) |g| + eps) <= lr / sqrt(1 - d)`. A new rule needs an entry.
 */
const firstStepPerRate: Record<OptimizerName, (config: OptimizerConfig, g: number) => number> = {
  sgd: (_c, g) => Math.abs(g),
  momentum: (_c, g) => Math.abs(g),
  nesterov: (c, g) => (1 + (c as { rho: number }).rho) * Math.abs(g),
  adagrad: () => 1,
  rmsprop: (c) => 1 / Math.sqrt(1 - (c as { decayRate: number }).decayRate),
  adam: () => 1,
};

/** Input of the descent law. */
export interface DescentInput {
  config: OptimizerConfig;
  curvature: number[];
  x0: number[];
  fraction: number;
}

/**
 * Descent: on `f = sum(0.5 * c * x**2)` with c in [0.1, 10], the first step from
 * fresh state lowers the loss when every coordinate moves by at most |x_i|; the
 * learning rate is a fraction in [0.05, 1] of the largest such rate (derived per rule in
 * {@link firstStepPerRate}). Each step has the sign of x_i, so no |x_i| grows and the
 * smallest moves by at least 0.05 * 0.01 of itself, far above rounding: the claim is
 * exact for any correct implementation. This is what catches the lecture's `+=` slip.
 */
function descent(rule: OptimizerRule): Law<DescentInput> {
  const perRate = firstStepPerRate[rule.name];
  if (perRate === undefined) throw new RangeError(`laws: no first-step bound for rule ${JSON.stringify(rule.name)}`);
  return {
    id: `${rule.name}/descent`,
    subject: rule.name,
    title: `${rule.title}: on a convex quadratic, the first step with a small enough learning rate lowers the loss (finite input)`,
    runs: 60,
    arbitrary: (dtype) =>
      fc.integer({ min: 1, max: 6 }).chain((n) =>
        fc.record({
          config: configArbitrary(rule, { epsilon: range(0, 1e-4).map(rounderFor(dtype)) }, dtype),
          curvature: fc.array(range(0.1, 10), { minLength: n, maxLength: n }),
          x0: fc.array(normalValue(dtype, 0.5, 2), { minLength: n, maxLength: n }),
          fraction: range(0.05, 1),
        }),
      ),
    async check(adapter, { config, curvature, x0, fraction }) {
      const r = rounderFor(adapter.dtype);
      const g = x0.map((x, i) => r(curvature[i]! * x));
      let limit = Number.POSITIVE_INFINITY;
      g.forEach((gi, i) => {
        limit = Math.min(limit, Math.abs(x0[i]!) / perRate(config, gi));
      });
      const lr = fraction * limit;
      const [x1] = await trajectory(adapter, { ...config, learningRate: lr }, x0, [g]);
      const loss = (x: ArrayLike<number>) => curvature.reduce((s, c, i) => s + 0.5 * c * x[i]! * x[i]!, 0);
      const before = loss(x0);
      const after = loss(x1!);
      if (!(after < before)) {
        const worse = x1!.findIndex((v, i) => !(Math.abs(v) < Math.abs(x0[i]!)));
        throw new LawViolation(
          `the first step with learning rate ${lr} did not lower the loss: ${before} -> ${after} (ascent, e.g. the \`+=\` slip?)`,
          {
            step: 1,
            ...(worse >= 0 ? { coordinate: worse, expected: x0[worse]!, actual: x1![worse]! } : {}),
            tolerance: 'strict decrease; lr <= min_i |x_i| / (|first step_i| / lr)',
          },
        );
      }
    },
  };
}

/** The laws every optimizer obeys, built for one rule of the registry. */
export function everyOptimizerLaws(rule: OptimizerRule): Law[] {
  return [
    elementwise(rule),
    independence(rule),
    zeroGradient(rule),
    zeroLearningRate(rule),
    descent(rule),
    immutability(rule),
  ] as Law[];
}
