import { allocate, requireDtype, requireGradient, requireParameters, requireSize, rounderFor } from '../dtype.js';
import type { CreateOptions, Dtype, FloatVector, Optimizer, OptimizerName, StateValue } from '../types.js';
import { requireNonNegative } from '../validate.js';

/** What a rule supplies: the element-wise update and its state, in the lecture's names. */
export interface Kernel {
  /** One update of `x` in place; `lr` is the learning rate as a double, `r` the dtype's rounding. */
  update(x: FloatVector, dx: ArrayLike<number>, lr: number): void;
  readonly state: Readonly<Record<string, StateValue>>;
}

/** Everything a kernel factory needs: the dtype's rounding and zeroed state vectors. */
export interface KernelContext {
  readonly dtype: Dtype;
  readonly size: number;
  /** Rounds a double to the dtype (identity for float64, `Math.fround` for float32). */
  readonly r: (v: number) => number;
  /** A zeroed state vector of the dtype: the lecture's `vx = 0`. */
  zeros(): FloatVector;
}

/**
 * Wraps a rule's kernel in the checks every optimizer shares: the dtype and size, the
 * parameter and gradient vectors, and the learning rate of each step. The rule has
 * already checked that `options` is an object (it reads its conventions first).
 */
export function createInstance(
  name: OptimizerName,
  learningRate: number,
  options: CreateOptions,
  makeKernel: (ctx: KernelContext) => Kernel,
): Optimizer {
  requireDtype('options.dtype', options.dtype);
  requireSize('options.size', options.size);
  const { dtype, size } = options;
  const kernel = makeKernel({ dtype, size, r: rounderFor(dtype), zeros: () => allocate(dtype, size) });
  let current = learningRate;
  return {
    name,
    dtype,
    size,
    get learningRate() {
      return current;
    },
    step(x: FloatVector, dx: ArrayLike<number>, stepLearningRate?: number): void {
      requireParameters(x, dtype, size);
      requireGradient(dx, size);
      if (stepLearningRate !== undefined) {
        requireNonNegative('learningRate', stepLearningRate);
        current = stepLearningRate;
      }
      kernel.update(x, dx, current);
    },
    state(): Record<string, StateValue> {
      const copy: Record<string, StateValue> = {};
      for (const [key, value] of Object.entries(kernel.state)) copy[key] = typeof value === 'number' ? value : value.slice();
      return copy;
    },
  };
}
