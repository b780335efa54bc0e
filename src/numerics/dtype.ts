import type { Dtype, FloatVector } from '../reference/types.js';
import { describeValue } from '../reference/validate.js';

const identity = (v: number): number => v;

/**
 * Rounds a double to the dtype. For float32, rounding each exact double result of
 * + - * / sqrt with `Math.fround` gives the correctly rounded float32 result
 * (53 >= 2 * 24 + 2, so double rounding is innocuous), i.e. NumPy float32 arithmetic.
 */
export function rounderFor(dtype: Dtype): (v: number) => number {
  return dtype === 'float32' ? Math.fround : identity;
}

/** A zero-filled vector of the dtype. */
export function allocate(dtype: Dtype, size: number): FloatVector {
  return dtype === 'float32' ? new Float32Array(size) : new Float64Array(size);
}

/** Validates a dtype name. */
export function requireDtype(field: string, value: unknown): asserts value is Dtype {
  if (value !== 'float32' && value !== 'float64') {
    throw new TypeError(`${field} must be 'float32' or 'float64', got ${describeValue(value)}`);
  }
}

/** Validates a vector length. */
export function requireSize(field: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${field} must be a non-negative integer, got ${describeValue(value)}`);
  }
}

/** The parameter vector must be the optimizer's own typed array (it is updated in place). */
export function requireParameters(x: unknown, dtype: Dtype, size: number): asserts x is FloatVector {
  const ctor = dtype === 'float32' ? Float32Array : Float64Array;
  if (!(x instanceof ctor)) {
    throw new TypeError(`x must be a ${ctor.name} for a ${dtype} optimizer, got ${describeValue(x)}`);
  }
  if (x.length !== size) throw new RangeError(`x must have length ${size}, got length ${x.length}`);
}

/** The gradient may be any array-like of numbers of the right length. */
export function requireGradient(dx: unknown, size: number): asserts dx is ArrayLike<number> {
  if (typeof dx !== 'object' || dx === null || typeof (dx as { length?: unknown }).length !== 'number') {
    throw new TypeError(`dx must be an array-like of numbers, got ${describeValue(dx)}`);
  }
  const length = (dx as ArrayLike<unknown>).length;
  if (length !== size) throw new RangeError(`dx must have length ${size}, got length ${length}`);
  if (!ArrayBuffer.isView(dx)) {
    for (let i = 0; i < size; i++) {
      const v = (dx as ArrayLike<unknown>)[i];
      if (typeof v !== 'number') throw new TypeError(`dx[${i}] must be a number, got ${describeValue(v)}`);
    }
  }
}
