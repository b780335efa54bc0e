import { allocate, rounderFor } from '../numerics/index.js';
import { simdFor, type SimdKernel } from '../kernels/index.js';
import {
  type CreateOptions,
  type Dtype,
  type FloatVector,
  type Optimizer,
  type OptimizerName,
  requireDtype,
  requireGradient,
  requireNonNegative,
  requireParameters,
  requireSize,
  type StateValue,
} from '../reference/index.js';

/** The scalars one step's element loop reads, by name (hyperparameters in the dtype, the learning rate, bias corrections). */
export type StepScalars = Readonly<Record<string, number>>;

/**
 * What a rule supplies: its state in the lecture's names, the scalar work of a step
 * (`prepare`, in TypeScript whichever loop runs) and the element-wise update.
 */
export interface Kernel<S extends StepScalars> {
  readonly state: Readonly<Record<string, StateValue>>;
  /** The step's scalars from the learning rate in force (a double), each already rounded to the dtype; advances step counters. */
  prepare(lr: number): S;
  /** The element-wise update of `x` in place: the readable specification, also what runs on small vectors. */
  update(x: FloatVector, dx: ArrayLike<number>, scalars: S): void;
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

const simdOptimizers = new WeakSet<Optimizer>();

/** Whether `optimizer` runs a SIMD kernel (for tests and the bench: both loops give the same bits). */
export function usesSimd(optimizer: Optimizer): boolean {
  return simdOptimizers.has(optimizer);
}

/**
 * Wraps a rule's kernel in the checks every optimizer shares: the dtype and size, the
 * parameter and gradient vectors, and the learning rate of each step. The rule has
 * already checked that `options` is an object (it reads its conventions first).
 * `simd` is the rule's element loop as a SIMD kernel (src/kernels): with it the state
 * vectors live in the kernel's memory and `prepare`'s scalars are passed to it.
 */
export function createInstance<S extends StepScalars>(
  name: OptimizerName,
  learningRate: number,
  options: CreateOptions,
  simd: SimdKernel<keyof S & string>,
  makeKernel: (ctx: KernelContext) => Kernel<S>,
): Optimizer {
  requireDtype('options.dtype', options.dtype);
  requireSize('options.size', options.size);
  const { dtype, size } = options;
  const vectorized = simdFor(simd, dtype, size);
  const zeros = vectorized === undefined ? () => allocate(dtype, size) : () => vectorized.zeros();
  const kernel = makeKernel({ dtype, size, r: rounderFor(dtype), zeros });
  vectorized?.bind(kernel.state);
  let current = learningRate;
  const optimizer: Optimizer = {
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
      const scalars = kernel.prepare(current);
      if (vectorized === undefined) kernel.update(x, dx, scalars);
      else vectorized.run(x, dx, scalars);
    },
    state(): Record<string, StateValue> {
      const copy: Record<string, StateValue> = {};
      for (const [key, value] of Object.entries(kernel.state))
        copy[key] = typeof value === 'number' ? value : value.slice();
      return copy;
    },
  };
  if (vectorized !== undefined) simdOptimizers.add(optimizer);
  return optimizer;
}
