import type { TensorsSpec } from '../adapter/index.js';
import { ulpDistance, rounderFor } from '../numerics/index.js';
import type { Dtype, OptimizerConfig, ScheduleConfig } from '../reference/index.js';

/**
 * One run over several tensors, as plain data (it is also a counterexample in the
 * report): the groups and their tensors' lengths, each tensor's initial values, and per
 * step one gradient per tensor (`null`: none) and per group an optional learning rate.
 */
export interface TensorRun {
  groups: { config: OptimizerConfig; schedule?: ScheduleConfig; sizes: number[] }[];
  /** Per tensor, numbered across the groups in order. */
  x0: number[][];
  steps: TensorRunStep[];
}

/** One step of a {@link TensorRun}. */
export interface TensorRunStep {
  grads: (number[] | null)[];
  learningRates?: (number | null)[];
}

/** The spec `createTensors` is given for a run. */
export function specOf(run: TensorRun): TensorsSpec {
  let next = 0;
  return {
    groups: run.groups.map((group) => ({
      config: group.config,
      ...(group.schedule === undefined ? {} : { schedule: group.schedule }),
      x0: group.sizes.map(() => Float64Array.from(run.x0[next++]!)),
    })),
  };
}

/** The arguments of one step: `null` entries as `undefined`. */
export function stepArguments(step: TensorRunStep): {
  grads: (Float64Array | undefined)[];
  learningRates?: (number | undefined)[];
} {
  const grads = step.grads.map((g) => (g === null ? undefined : Float64Array.from(g)));
  if (step.learningRates === undefined) return { grads };
  return { grads, learningRates: step.learningRates.map((lr) => (lr === null ? undefined : lr)) };
}

/** The run of tensor `i` alone: a one-tensor instance with its group's hyperparameters, given only its gradients. */
export function aloneRun(run: TensorRun, i: number): TensorRun {
  const g = groupOf(run, i);
  const group = run.groups[g]!;
  return {
    groups: [{ ...group, sizes: [run.x0[i]!.length] }],
    x0: [run.x0[i]!],
    steps: run.steps.map((s) => ({
      grads: [s.grads[i]!],
      ...(s.learningRates === undefined ? {} : { learningRates: [s.learningRates[g] ?? null] }),
    })),
  };
}

/** The group of tensor `i`. */
export function groupOf(run: TensorRun, i: number): number {
  let end = 0;
  for (let g = 0; g < run.groups.length; g++) {
    end += run.groups[g]!.sizes.length;
    if (i < end) return g;
  }
  throw new RangeError(`tensor ${i} is not in the run's ${end} tensors`);
}

/** `[step][tensor]` values a run gave. */
export type Trajectory = Float64Array[][];

/** Where two runs of the same tensor part: 1-based step, coordinate, both values. */
export interface Parting {
  tensor: number;
  step: number;
  coordinate: number;
  expected: number;
  actual: number;
}

/** The first coordinate whose bits differ between `actual[step][tensor]` and `expected[step][tensor']`, over the given steps. */
export function firstParting(
  actual: Trajectory,
  actualTensor: number,
  expected: Trajectory,
  expectedTensor: number,
  steps: readonly { actual: number; expected: number }[],
): Omit<Parting, 'tensor'> | undefined {
  for (const { actual: a, expected: e } of steps) {
    const x = actual[a]![actualTensor]!;
    const y = expected[e]![expectedTensor]!;
    for (let c = 0; c < x.length; c++) {
      if (!Object.is(x[c], y[c]) && !(Number.isNaN(x[c]) && Number.isNaN(y[c])))
        return { step: a + 1, coordinate: c, expected: y[c]!, actual: x[c]! };
    }
  }
  return undefined;
}

/** Steps `from..to-1` of one run against the same steps of another. */
export function sameSteps(from: number, to: number, offset = 0): { actual: number; expected: number }[] {
  return Array.from({ length: Math.max(0, to - from) }, (_, k) => ({ actual: from + k, expected: from + k - offset }));
}

/** The counterexample fields of a bit-for-bit comparison. */
export function partingDetail(parting: Parting, dtype: Dtype, what: string) {
  const round = rounderFor(dtype);
  return {
    step: parting.step,
    coordinate: parting.coordinate,
    expected: parting.expected,
    actual: parting.actual,
    relativeError: Math.abs(parting.actual - parting.expected) / Math.abs(parting.expected),
    ulp: ulpDistance(round(parting.actual), round(parting.expected), dtype),
    tolerance: `bit for bit: ${what} (docs/spec.md section 9)`,
    tensor: parting.tensor,
  };
}
