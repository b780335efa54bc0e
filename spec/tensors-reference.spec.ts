import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { withKernelPolicy } from '../src/kernels/kernel-policy.js';
import { configArbitrary } from '../src/laws/arbitraries.js';
import { allocate } from '../src/numerics/dtype.js';
import { firstDifferentBits } from '../src/numerics/ulp.js';
import { createOptimizer, createSchedule } from '../src/registry/index.js';
import { optimizerRules } from '../src/registry/index.js';
import {
  allocateTensors,
  createTensorOptimizer,
  type SavedTensorState,
  type TensorOptimizer,
} from '../src/registry/index.js';
import type { Dtype, FloatVector, OptimizerConfig, StateValue } from '../src/reference/types.js';

// lecture.md section 9 for the reference: several tensors each with its own state and `t`,
// missing gradients, parameter groups, save and restore, a schedule the optimizer applies.
// The expectations are single-tensor reference instances stepped by hand (the rules'
// own golden-tested code) and the reference schedules, never the code under test.

const DTYPES: readonly Dtype[] = ['float16', 'bfloat16', 'float32', 'float64'];
const ADAM: OptimizerConfig = { optimizer: 'adam', learningRate: 1e-2, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 };
const MOMENTUM: OptimizerConfig = { optimizer: 'momentum', learningRate: 1e-2, rho: 0.9 };

/** A step of a drawn run: one gradient per tensor or none. */
type Step = (number[] | undefined)[];

const runArbitrary = (count: number) =>
  fc.record({
    sizes: fc.array(fc.constantFrom(0, 1, 2, 3), { minLength: count, maxLength: count }),
    seed: fc.integer({ min: 1, max: 1000 }),
    steps: fc.integer({ min: 0, max: 6 }),
  });

/** Deterministic gradients from a seed: half the entries missing at random, zeros of both signs among them. */
function drawSteps(sizes: readonly number[], seed: number, steps: number): Step[] {
  let s = seed;
  const next = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  return Array.from({ length: steps }, () =>
    sizes.map((n) => {
      if (next() < 0.3) return undefined;
      return Array.from({ length: n }, () => {
        const u = next();
        return u < 0.1 ? 0 : u < 0.15 ? -0 : (next() - 0.5) * 4;
      });
    }),
  );
}

/** Each tensor alone: a single-tensor reference instance stepped only where it has a gradient. */
function alone(config: OptimizerConfig, dtype: Dtype, x0: readonly number[][], steps: readonly Step[]): FloatVector[] {
  return x0.map((values, i) => {
    const x = allocate(dtype, values.length);
    x.set(values);
    const optimizer = createOptimizer(config, { size: values.length, dtype });
    for (const step of steps) {
      const g = step[i];
      if (g !== undefined) optimizer.step(x, g, config.learningRate);
    }
    return x;
  });
}

function x0Of(sizes: readonly number[]): number[][] {
  return sizes.map((n, i) => Array.from({ length: n }, (_, k) => (k === 0 ? -0 : 0.5 * (i + 1) - k)));
}

function sameVectors(a: readonly ArrayLike<number>[], b: readonly ArrayLike<number>[]): boolean {
  return a.length === b.length && a.every((v, i) => v.length === b[i]!.length && firstDifferentBits(v, b[i]!) < 0);
}

function sameState(a: SavedTensorState, b: SavedTensorState): boolean {
  const same = (p: StateValue, q: StateValue) =>
    typeof p === 'number' ? Object.is(p, q) : typeof q !== 'number' && sameVectors([p], [q]);
  return (
    JSON.stringify(a.groups) === JSON.stringify(b.groups) &&
    a.tensors.length === b.tensors.length &&
    a.tensors.every(
      (entry, i) =>
        Object.keys(entry).join() === Object.keys(b.tensors[i]!).join() &&
        Object.keys(entry).every((key) => same(entry[key]!, b.tensors[i]![key]!)),
    )
  );
}

describe('several tensors: stepped together equals each stepped alone, bit for bit', () => {
  for (const rule of optimizerRules) {
    for (const dtype of DTYPES) {
      it(`${rule.name} ${dtype}: tensors of lengths 0 to 3, gradients missing at random`, () => {
        fc.assert(
          fc.property(configArbitrary(rule), runArbitrary(4), (config, { sizes, seed, steps }) => {
            const run = drawSteps(sizes, seed, steps);
            const x0 = x0Of(sizes);
            const params = allocateTensors(dtype, x0);
            const optimizer = createTensorOptimizer({ groups: [{ config, sizes }] }, { dtype });
            for (const step of run) optimizer.step(params, step);
            return sameVectors(params, alone(config, dtype, x0, run));
          }),
          { numRuns: 25 },
        );
      });
    }
  }

  it('each tensor counts its own t: a tensor whose first gradient arrives at step 4 is corrected with t = 1', () => {
    const optimizer = createTensorOptimizer({ groups: [{ config: ADAM, sizes: [2, 2] }] }, { dtype: 'float64' });
    const params = allocateTensors('float64', [
      [1, 2],
      [3, 4],
    ]);
    for (let s = 0; s < 3; s++) optimizer.step(params, [[0.1, 0.2], undefined]);
    expect(Array.from(params[1]!)).toEqual([3, 4]);
    optimizer.step(params, [
      [0.1, 0.2],
      [0.5, -0.5],
    ]);
    const state = optimizer.save();
    expect(state.tensors.map((t) => t.t)).toEqual([4, 1]);
    // First Adam step with t = 1: m_hat = g, v_hat = g^2, x -= lr g / (|g| + eps).
    expect(params[1]![0]).toBe(3 - (1e-2 * 0.5) / (0.5 + 1e-7));
  });
});

describe('a missing gradient leaves the tensor, its state and its t alone; a zero gradient is an ordinary step', () => {
  for (const dtype of ['float32', 'float64'] as const) {
    it(`adam ${dtype}`, () => {
      const optimizer = createTensorOptimizer({ groups: [{ config: ADAM, sizes: [3, 3] }] }, { dtype });
      const params = allocateTensors(dtype, [
        [1, -2, 0.5],
        [1, -2, 0.5],
      ]);
      optimizer.step(params, [
        [0.3, -0.1, 2],
        [0.3, -0.1, 2],
      ]);
      const before = optimizer.save();
      const x1 = params[0]!.slice();
      optimizer.step(params, [undefined, [0, -0, 0]]);
      const after = optimizer.save();
      expect(firstDifferentBits(params[0]!, x1)).toBe(-1);
      expect(
        sameState({ groups: [], tensors: [after.tensors[0]!] }, { groups: [], tensors: [before.tensors[0]!] }),
      ).toBe(true);
      expect(after.tensors[0]!.t).toBe(1);
      // The zero gradient: t advances and the moments decay by beta.
      expect(after.tensors[1]!.t).toBe(2);
      const m = after.tensors[1]!.first_moment as FloatVector;
      const m1 = before.tensors[1]!.first_moment as FloatVector;
      const r = dtype === 'float32' ? Math.fround : (v: number) => v;
      expect(Array.from(m)).toEqual(Array.from(m1, (v) => r(r(r(0.9) * v) + r(r(1 - 0.9) * 0))));
    });
  }
});

describe('parameter groups: each an independent optimizer with its own hyperparameters, learning rate and schedule', () => {
  for (const dtype of DTYPES) {
    it(`${dtype}: two Adam groups, a learning rate given for group 1 only, and a scheduled Momentum group`, () => {
      const slow: OptimizerConfig = { ...ADAM, learningRate: 1e-3, beta1: 0.5 };
      const schedule = { schedule: 'step', initial: 0.1, every: 2, factor: 0.5 } as const;
      const optimizer = createTensorOptimizer(
        {
          groups: [
            { config: ADAM, sizes: [2, 1] },
            { config: slow, sizes: [3] },
            { config: MOMENTUM, schedule, sizes: [2] },
          ],
        },
        { dtype },
      );
      const x0 = [[1, 2], [3], [4, 5, 6], [7, 8]];
      const params = allocateTensors(dtype, x0);
      const steps = drawSteps([2, 1, 3, 2], 7, 6);
      const lrs = [undefined, 0.05, undefined, 0, undefined, undefined];
      steps.forEach((step, s) => {
        optimizer.step(params, step, [undefined, lrs[s], undefined]);
      });
      // Group 0 and group 1 alone, group 1 with its learning rates from step 2 on; group 2 with schedule(t) at step t.
      expect(sameVectors(params.slice(0, 2), alone(ADAM, dtype, x0.slice(0, 2), steps))).toBe(true);
      const g1 = allocateTensors(dtype, [x0[2]!])[0]!;
      const o1 = createOptimizer(slow, { size: 3, dtype });
      let lr = slow.learningRate;
      steps.forEach((step, s) => {
        lr = lrs[s] ?? lr;
        if (step[2] !== undefined) o1.step(g1, step[2], lr);
      });
      expect(firstDifferentBits(params[2]!, g1)).toBe(-1);
      const g2 = allocateTensors(dtype, [x0[3]!])[0]!;
      const o2 = createOptimizer(MOMENTUM, { size: 2, dtype });
      const values = createSchedule(schedule);
      steps.forEach((step, t) => {
        if (step[3] !== undefined) o2.step(g2, step[3], values(t));
      });
      expect(firstDifferentBits(params[3]!, g2)).toBe(-1);
      expect(optimizer.save().groups).toEqual([
        { learningRate: 1e-2, steps: 6 },
        { learningRate: 0, steps: 6 },
        { learningRate: values(5), steps: 6 },
      ]);
    });
  }

  it('the first update of a scheduled group uses schedule(0)', () => {
    const schedule = { schedule: 'exponential', initial: 0.2, k: 0.5 } as const;
    const optimizer = createTensorOptimizer(
      { groups: [{ config: { optimizer: 'sgd', learningRate: 99 }, schedule, sizes: [1] }] },
      { dtype: 'float64' },
    );
    const params = allocateTensors('float64', [[1]]);
    optimizer.step(params, [[1]]);
    optimizer.step(params, [[1]]);
    expect(params[0]![0]).toBe(1 - 0.2 - 0.2 * Math.exp(-0.5));
  });
});

/** Runs `steps` on a fresh instance, saving after `k` and restoring into `into` (fresh or one that already stepped). */
function restoredRun(
  make: () => TensorOptimizer,
  x0: number[][],
  steps: readonly Step[],
  k: number,
  into: 'fresh' | 'stepped',
): FloatVector[] {
  const first = make();
  const params = allocateTensors(first.dtype, x0);
  for (const step of steps.slice(0, k)) first.step(params, step);
  // A checkpoint: the state through JSON and back (the numbers here are finite), the parameters copied.
  const saved = JSON.parse(
    JSON.stringify(first.save(), (_key, v) => (ArrayBuffer.isView(v) ? Array.from(v as FloatVector) : v)),
  );
  const second = make();
  const other = allocateTensors(first.dtype, x0);
  if (into === 'stepped') for (const step of steps.slice(0, 2)) second.step(other, step);
  second.restore(saved);
  const resumed = params.map((p) => p.slice());
  for (const step of steps.slice(k)) second.step(resumed, step);
  return resumed;
}

describe('save and restore: the restored run continues as the uninterrupted one, bit for bit', () => {
  for (const rule of optimizerRules) {
    for (const dtype of DTYPES) {
      it(`${rule.name} ${dtype}: after k = 0, 1 and drawn k, into a fresh instance and into one that stepped, with a schedule`, () => {
        fc.assert(
          fc.property(
            configArbitrary(rule),
            runArbitrary(3),
            fc.nat(8),
            fc.constantFrom('fresh', 'stepped'),
            fc.boolean(),
            (config, { sizes, seed, steps }, drawnK, into, scheduled) => {
              const run = drawSteps(sizes, seed, steps + 2);
              const x0 = x0Of(sizes);
              const groups = [
                {
                  config,
                  sizes,
                  ...(scheduled ? { schedule: { schedule: 'inverse-time', initial: 0.05, k: 0.3 } as const } : {}),
                },
              ];
              const make = () => createTensorOptimizer({ groups }, { dtype });
              const whole = make();
              const params = allocateTensors(dtype, x0);
              for (const step of run) whole.step(params, step);
              return [0, 1, drawnK % (run.length + 1)].every((k) =>
                sameVectors(restoredRun(make, x0, run, k, into), params),
              );
            },
          ),
          { numRuns: 20 },
        );
      });
    }
  }

  it('restores into SIMD state vectors as into the TypeScript ones', () => {
    const sizes = [1100];
    const x0 = [Array.from({ length: 1100 }, (_, i) => Math.sin(i))];
    const run = drawSteps(sizes, 3, 5).map((step) => step.map((g) => g ?? Array.from({ length: 1100 }, () => 0.25)));
    const results = (['typescript', 'simd'] as const).map((policy) =>
      withKernelPolicy(policy, () =>
        restoredRun(
          () => createTensorOptimizer({ groups: [{ config: ADAM, sizes }] }, { dtype: 'float32' }),
          x0,
          run,
          3,
          'stepped',
        ),
      ),
    );
    expect(sameVectors(results[0]!, results[1]!)).toBe(true);
  });

  it("save returns copies and restore keeps none of the caller's arrays", () => {
    const optimizer = createTensorOptimizer({ groups: [{ config: MOMENTUM, sizes: [2] }] }, { dtype: 'float64' });
    const params = allocateTensors('float64', [[1, 1]]);
    optimizer.step(params, [[1, 2]]);
    const saved = optimizer.save();
    (saved.tensors[0]!.vx as FloatVector)[0] = 99;
    expect(optimizer.save().tensors[0]!.vx).toEqual(new Float64Array([1, 2]));
    const state: SavedTensorState = { groups: [{ learningRate: 0.5, steps: 3 }], tensors: [{ vx: [4, 5] as never }] };
    optimizer.restore(state);
    (state.tensors[0]!.vx as unknown as number[])[0] = 7;
    state.groups[0]!.steps = 8;
    expect(optimizer.save()).toEqual({
      groups: [{ learningRate: 0.5, steps: 3 }],
      tensors: [{ vx: new Float64Array([4, 5]) }],
    });
  });
});

describe('bad input: a clear error naming the field and the value, and nothing written', () => {
  const make = () =>
    createTensorOptimizer(
      {
        groups: [
          { config: ADAM, sizes: [2, 0] },
          {
            config: { optimizer: 'sgd', learningRate: 0.1 },
            schedule: { schedule: 'exponential', initial: 1, k: 1 },
            sizes: [1],
          },
        ],
      },
      { dtype: 'float32' },
    );
  const params = () => allocateTensors('float32', [[1, 2], [], [3]]);

  it.each([
    [
      'groups missing',
      () => createTensorOptimizer({} as never, { dtype: 'float64' }),
      /config\.groups must be a non-empty array/,
    ],
    [
      'no groups',
      () => createTensorOptimizer({ groups: [] }, { dtype: 'float64' }),
      /config\.groups must be a non-empty array/,
    ],
    [
      'a negative size',
      () => createTensorOptimizer({ groups: [{ config: ADAM, sizes: [2, -1] }] }, { dtype: 'float64' }),
      /config\.groups\[0\]\.sizes\[1\] must be a non-negative integer, got -1/,
    ],
    [
      'a bad hyperparameter',
      () => createTensorOptimizer({ groups: [{ config: { ...ADAM, beta1: 1 }, sizes: [1] }] }, { dtype: 'float64' }),
      /config\.beta1 must be in \[0, 1\), got 1/,
    ],
    [
      'a bad dtype',
      () => createTensorOptimizer({ groups: [{ config: ADAM, sizes: [1] }] }, { dtype: 'float8' as never }),
      /options\.dtype/,
    ],
  ])('%s', (_what, act, message) => {
    expect(act).toThrow(message);
  });

  it.each([
    ['too few gradients', (o: TensorOptimizer) => o.step(params(), [[1, 1]]), /grads must have length 3, got length 1/],
    [
      'a gradient of the wrong length',
      (o: TensorOptimizer) => o.step(params(), [[1, 1], [], [1, 2]]),
      /grads\[2\]: dx must have length 1, got length 2/,
    ],
    [
      'parameters of the wrong dtype',
      (o: TensorOptimizer) =>
        o.step([new Float64Array(2), new Float32Array(0), new Float32Array(1)], [[1, 1], [], [1]]),
      /params\[0\]: x must be a Float32Array/,
    ],
    [
      'a learning rate for a scheduled group',
      (o: TensorOptimizer) => o.step(params(), [[1, 1], [], [1]], [undefined, 0.5]),
      /learningRates\[1\] is 0.5, but group 1 applies its own schedule/,
    ],
    [
      'a negative learning rate',
      (o: TensorOptimizer) => o.step(params(), [[1, 1], [], [1]], [-1, undefined]),
      /learningRates\[0\] must be a finite number >= 0, got -1/,
    ],
    [
      'a restored state with another entry',
      (o: TensorOptimizer) => o.restore({ ...o.save(), tensors: [{ vx: [0, 0] as never }, {}, {}] }),
      /state\.tensors\[0\]: state\.vx is not a state entry of this rule/,
    ],
    [
      'a restored vector that is not float32',
      (o: TensorOptimizer) =>
        o.restore({
          ...o.save(),
          tensors: [
            { first_moment: [0.1, 0] as never, second_moment: [0, 0] as never, t: 1 },
            o.save().tensors[1]!,
            {},
          ],
        }),
      /state\.tensors\[0\]: state\.first_moment\[0\] must be a float32 value, got 0\.1/,
    ],
    [
      'a negative step counter',
      (o: TensorOptimizer) =>
        o.restore({ ...o.save(), tensors: [{ ...o.save().tensors[0]!, t: -1 }, o.save().tensors[1]!, {}] }),
      /state\.tensors\[0\]: state\.t must be a non-negative integer, got -1/,
    ],
    [
      'a group count that differs',
      (o: TensorOptimizer) => o.restore({ ...o.save(), groups: [] }),
      /state\.groups must have length 2, got length 0/,
    ],
    [
      'a fractional group step',
      (o: TensorOptimizer) =>
        o.restore({
          ...o.save(),
          groups: [
            { learningRate: 1, steps: 0 },
            { learningRate: 1, steps: 1.5 },
          ],
        }),
      /state\.groups\[1\]\.steps must be a non-negative integer, got 1\.5/,
    ],
  ])('%s', (_what, act, message) => {
    const optimizer = make();
    const x = params();
    optimizer.step(x, [[0.5, -0.5], [], [1]]);
    const before = optimizer.save();
    expect(() => act(optimizer)).toThrow(message);
    expect(sameState(optimizer.save(), before)).toBe(true);
  });

  it('a bad gradient of a later tensor leaves the earlier tensors unstepped', () => {
    const optimizer = make();
    const x = params();
    expect(() => optimizer.step(x, [[1, 1], [], ['a' as never]])).toThrow(
      /grads\[2\]: dx\[0\] must be a number, got "a"/,
    );
    expect(Array.from(x[0]!)).toEqual([1, 2]);
    expect(optimizer.save().tensors[0]!.t).toBe(0);
  });
});
