import { bf16round, f16round } from './half-precision.js';

/**
 * The precision an optimizer computes in. `float32` reproduces NumPy float32
 * arithmetic: every intermediate is rounded to float32, and Python-float
 * hyperparameters are rounded to float32 where they meet a float32 array (NEP 50).
 * `float16` is the same with NumPy's float16, and `bfloat16` the same with every
 * operation correctly rounded to bfloat16's 8 significand bits (docs/spec.md, D10);
 * their vectors are Float64Arrays holding values of the dtype.
 */
export type Dtype = 'float16' | 'bfloat16' | 'float32' | 'float64';

/** A parameter, gradient or state vector: a Float32Array for float32, a Float64Array for the other dtypes. */
export type FloatVector = Float32Array | Float64Array;

const identity = (v: number): number => v;

/** Every dtype of the reference, narrowest first. */
export const DTYPES: readonly Dtype[] = ['float16', 'bfloat16', 'float32', 'float64'];

/**
 * The dtypes the conformance checker judges (adapters may declare only these): all four. float16's
 * laws draw their inputs where float16 gives them a meaning (src/laws/arbitraries.ts, docs/spec.md
 * "float16 in the checker"): eps = 1e-8 is 0 in float16, so they never draw it there.
 */
export const CHECKED_DTYPES: readonly Dtype[] = ['float16', 'bfloat16', 'float32', 'float64'];

/**
 * Where a mixed-precision implementation holds what (docs/spec.md section 9, "Mixed
 * precision"): its parameters, its optimizer state, the arithmetic of its update (bfloat16
 * parameters beside float32 state and arithmetic, float32 master weights). It is judged against
 * the pseudo-code computed with those precisions: each operation rounded to `arithmetic`, each
 * parameter and state value rounded to its own dtype where it is stored.
 */
export interface Precision {
  parameters: Dtype;
  state: Dtype;
  arithmetic: Dtype;
}

/**
 * Whether every value of `narrow` is a value of `wide` (so a value rounded to `narrow` and
 * stored in `wide` stays as it is): float32 and float64 hold float16 and bfloat16, which hold
 * neither each other (float16 has 3 more significand bits, bfloat16 float32's exponents).
 */
export function holds(wide: Dtype, narrow: Dtype): boolean {
  const w = dtypeLimits(wide);
  const n = dtypeLimits(narrow);
  return w.bits >= n.bits && w.max >= n.max && w.tiny <= n.tiny;
}

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

/** The constants of a dtype's format that the checker's bounds and probes are derived from. */
export interface DtypeLimits {
  /** Significand bits p (the implicit bit included): the unit roundoff is 2^-p. */
  bits: number;
  /** The smallest positive subnormal. */
  tiny: number;
  /** The smallest positive normal value. */
  normal: number;
  /** The largest finite value. */
  max: number;
}

/** The {@link DtypeLimits} of each dtype (IEEE 754 binary16, bfloat16 as float32's exponents with 8 bits, binary32, binary64). */
export function dtypeLimits(dtype: Dtype): DtypeLimits {
  switch (dtype) {
    case 'float16':
      return { bits: 11, tiny: 2 ** -24, normal: 2 ** -14, max: 65504 };
    case 'bfloat16':
      return { bits: 8, tiny: 2 ** -133, normal: 2 ** -126, max: (2 - 2 ** -7) * 2 ** 127 };
    case 'float32':
      return { bits: 24, tiny: 2 ** -149, normal: 2 ** -126, max: 3.4028234663852886e38 };
    default:
      return { bits: 53, tiny: Number.MIN_VALUE, normal: 2 ** -1022, max: Number.MAX_VALUE };
  }
}

/** The dtypes of `list` as an error message names them: `'float32' or 'float64'`. */
export function dtypeChoices(list: readonly Dtype[]): string {
  const quoted = list.map((d) => `'${d}'`);
  return quoted.length < 2 ? quoted.join('') : `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}`;
}
