import { allocate, rounderFor } from '../numerics/index.js';
import { simdFor, type SimdKernel } from '../kernels/index.js';
import {
  type CreateOptions,
  type Dtype,
  type FloatVector,
  type Optimizer,
  type OptimizerName,
  describeValue,
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
  /** The state in the lecture's names; `restore` writes vectors in place and scalars (Adam's `t`) by key, so `prepare` must read them from here. */
  readonly state: Record<string, StateValue>;
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
    restore(saved: Readonly<Record<string, StateValue>>): void {
      requireRestorable(saved, kernel.state, dtype, size);
      for (const [key, value] of Object.entries(kernel.state)) {
        const from = saved[key]!;
        if (typeof value === 'number') kernel.state[key] = from;
        else value.set(from as ArrayLike<number>);
      }
    },
  };
  if (vectorized !== undefined) simdOptimizers.add(optimizer);
  return optimizer;
}

/**
 * Checks a state to restore against the instance's own, before anything is written: the
 * same keys, each vector of the instance's length with values of its dtype (a restore
 * rounds nothing), each counter a non-negative integer. Errors name the key and value.
 */
function requireRestorable(
  saved: unknown,
  own: Readonly<Record<string, StateValue>>,
  dtype: Dtype,
  size: number,
): asserts saved is Readonly<Record<string, StateValue>> {
  if (typeof saved !== 'object' || saved === null || Array.isArray(saved))
    throw new TypeError(`state must be an object of the rule's state entries, got ${describeValue(saved)}`);
  const r = rounderFor(dtype);
  const expected = Object.keys(own);
  for (const key of Object.keys(saved))
    if (!expected.includes(key))
      throw new RangeError(`state.${key} is not a state entry of this rule (it has ${expected.join(', ') || 'none'})`);
  for (const key of expected) {
    const value = (saved as Record<string, unknown>)[key];
    if (typeof own[key] === 'number') {
      if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
        throw new RangeError(`state.${key} must be a non-negative integer, got ${describeValue(value)}`);
      continue;
    }
    if (typeof value !== 'object' || value === null || typeof (value as { length?: unknown }).length !== 'number')
      throw new TypeError(`state.${key} must be an array-like of ${size} numbers, got ${describeValue(value)}`);
    const vector = value as ArrayLike<unknown>;
    if (vector.length !== size)
      throw new RangeError(`state.${key} must have length ${size}, got length ${vector.length}`);
    for (let i = 0; i < size; i++) {
      const v = vector[i];
      if (typeof v !== 'number') throw new TypeError(`state.${key}[${i}] must be a number, got ${describeValue(v)}`);
      if (!Number.isNaN(v) && !Object.is(r(v), v))
        throw new RangeError(`state.${key}[${i}] must be a ${dtype} value, got ${describeValue(v)}`);
    }
  }
}
