import type { Dtype, FloatVector } from '../reference/types.js';
import { describeValue } from '../reference/validate.js';
import { bf16round, f16round } from './half-precision.js';

const identity = (v: number): number => v;

/** Every dtype of the reference, narrowest first. */
export const DTYPES: readonly Dtype[] = ['float16', 'bfloat16', 'float32', 'float64'];

/**
 * The dtypes the conformance checker judges (adapters may declare only these): its tolerance
 * model and scenarios are derived for float32 and float64.
 */
export const CHECKED_DTYPES: readonly Dtype[] = ['float32', 'float64'];

/**
 * Rounds a double to the dtype, to nearest, ties to even. Rounding the exact double result of
 * `+ - * /` and `sqrt` on dtype values gives the correctly rounded result in the dtype (double
 * rounding is innocuous when 53 >= 2p + 2: p = 24, 11 and 8; see src/numerics/half-precision.ts),
 * i.e. NumPy's float32 and float16 arithmetic, and bfloat16 as docs/spec.md (D10) defines it.
 */
export function rounderFor(dtype: Dtype): (v: number) => number {
  switch (dtype) {
    case 'float16':
      return f16round;
    case 'bfloat16':
      return bf16round;
    case 'float32':
      return Math.fround;
    default:
      return identity;
  }
}

/**
 * The typed array a dtype's values live in: Float32Array for float32, else Float64Array
 * (every float16 and bfloat16 value is a double; JavaScript has no 16-bit float array in Node 20).
 */
export function storageFor(dtype: Dtype): Float32ArrayConstructor | Float64ArrayConstructor {
  return dtype === 'float32' ? Float32Array : Float64Array;
}

/** A zero-filled vector of the dtype. */
export function allocate(dtype: Dtype, size: number): FloatVector {
  return new (storageFor(dtype))(size);
}

function quoted(names: readonly string[]): string {
  const list = names.map((n) => `'${n}'`);
  return list.length < 2 ? list.join('') : `${list.slice(0, -1).join(', ')} or ${list.at(-1)}`;
}

/** Validates a dtype name against `allowed` (every dtype unless told). */
export function requireDtype(
  field: string,
  value: unknown,
  allowed: readonly Dtype[] = DTYPES,
): asserts value is Dtype {
  if (!(allowed as readonly unknown[]).includes(value)) {
    throw new TypeError(`${field} must be ${quoted(allowed)}, got ${describeValue(value)}`);
  }
}

/** Validates a vector length. */
export function requireSize(field: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${field} must be a non-negative integer, got ${describeValue(value)}`);
  }
}

/**
 * The parameter vector must be the optimizer's own typed array (it is updated in place). For
 * float16 and bfloat16, held in a Float64Array, every element must be a value of the dtype
 * (NaN included), as a Float32Array can only hold float32 values: checked before anything changes.
 */
export function requireParameters(x: unknown, dtype: Dtype, size: number): asserts x is FloatVector {
  const ctor = storageFor(dtype);
  if (!(x instanceof ctor)) {
    throw new TypeError(`x must be a ${ctor.name} for a ${dtype} optimizer, got ${describeValue(x)}`);
  }
  if (x.length !== size) throw new RangeError(`x must have length ${size}, got length ${x.length}`);
  if (dtype === 'float16' || dtype === 'bfloat16') {
    const r = rounderFor(dtype);
    for (let i = 0; i < size; i++) {
      const v = x[i]!;
      if (r(v) !== v && !Number.isNaN(v)) {
        throw new RangeError(
          `x[${i}] must be a ${dtype} value (round it with ${r.name} first), got ${describeValue(v)}, which rounds to ${describeValue(r(v))}`,
        );
      }
    }
  }
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
