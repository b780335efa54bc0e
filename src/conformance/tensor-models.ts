import { sameBits } from '../numerics/index.js';
import type { ConventionId, Conventions, Dtype } from '../reference/index.js';
import { groupOf, type TensorRun, type Trajectory } from './tensor-runs.js';
import { boundedStepper } from './tolerance.js';

/** Adam's `t` for tensor `i` in step `s` (0-based), under some way of counting. */
export type Counter = (run: TensorRun) => (s: number, i: number) => number;

/** `global-step`: one counter of the optimizer's steps for every tensor (TF.js's accBeta, Keras' iterations). */
export const globalStep: Counter = () => (s) => s + 1;

/**
 * `step-counter-counts-tensors`: one counter advanced for every tensor updated, in order
 * (flashlight's `count_++` inside the loop over parameters with a gradient).
 */
export const countsTensors: Counter = (run) => {
  const at = new Map<string, number>();
  let count = 0;
  run.steps.forEach((step, s) => {
    step.grads.forEach((g, i) => {
      if (g !== null) at.set(`${s} ${i}`, ++count);
    });
  });
  return (s, i) => at.get(`${s} ${i}`) ?? 0;
};

/** The formula conventions behind a subject's convention ids (the boolean ones; `initial-accumulator` needs its value, which no bias-corrected rule has). */
export function conventionsOf(ids: readonly ConventionId[]): Conventions {
  const out: Conventions = {};
  for (const id of ids)
    if (
      id === 'epsilon-inside-sqrt' ||
      id === 'epsilon-hat' ||
      id === 'no-bias-correction' ||
      id === 'dampened-momentum' ||
      id === 'lr-placement'
    )
      out[id] = true;
  return out;
}

/**
 * Whether every tensor of a run matches the lecture's rule (with `conventions`) whose
 * bias correction counts with `counter`, each value within the running error bound of
 * src/conformance/tolerance.ts (the same acceptance as a scenario's), and a tensor with no
 * gradient in a step keeps its values to the bit. The model that names a way of counting.
 */
export function matchesCounter(
  run: TensorRun,
  xs: Trajectory,
  dtype: Dtype,
  conventions: Conventions,
  counter: Counter,
): boolean {
  const t = counter(run);
  for (let i = 0; i < run.x0.length; i++) {
    const g = groupOf(run, i);
    const stepper = boundedStepper(run.groups[g]!.config, conventions, dtype, run.x0[i]!);
    let rate = run.groups[g]!.config.learningRate;
    let previous: ArrayLike<number> = Float64Array.from(run.x0[i]!);
    for (let s = 0; s < run.steps.length; s++) {
      const step = run.steps[s]!;
      rate = step.learningRates?.[g] ?? rate;
      const actual = xs[s]![i]!;
      const grad = step.grads[i];
      if (grad === null || grad === undefined) {
        for (let c = 0; c < actual.length; c++) if (!sameBits(actual[c]!, previous[c]!)) return false;
        continue;
      }
      const { x, bound } = stepper.step(grad, rate, t(s, i));
      for (let c = 0; c < actual.length; c++) {
        const a = actual[c]!;
        const e = x[c]!;
        if (sameBits(a, e)) continue;
        if (!Number.isFinite(e)) return false;
        if (!(bound[c]! < Number.POSITIVE_INFINITY)) continue;
        if (!(Math.abs(a - e) <= bound[c]!)) return false;
      }
      previous = actual;
    }
  }
  return true;
}
