import type { Dtype } from './dtype.js';
import { bfloat16Bits, float16Bits } from './half-precision.js';

const f64 = new Float64Array(1);
const i64 = new BigInt64Array(f64.buffer);
const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);

/** Maps a float to an integer whose order is the float order, so adjacent floats differ by 1. */
function ordinal(value: number, dtype: Dtype): bigint {
  if (dtype === 'float16' || dtype === 'bfloat16') {
    const bits = dtype === 'float16' ? float16Bits(value) : bfloat16Bits(value);
    return BigInt(bits & 0x8000 ? -(bits & 0x7fff) : bits);
  }
  if (dtype === 'float32') {
    f32[0] = value;
    const bits = i32[0]!;
    return BigInt(bits < 0 ? -(bits & 0x7fffffff) : bits);
  }
  f64[0] = value;
  const bits = i64[0]!;
  return bits < 0n ? -(bits & 0x7fffffffffffffffn) : bits;
}

/**
 * The number of representable `dtype` values between `a` and `b` (0 when equal, and
 * for +0 against -0). NaN against NaN is 0; NaN against a number is Infinity, and
 * so is an infinity against a finite value. For float32, both values must already
 * be float32 values, and likewise for float16 and bfloat16.
 */
export function ulpDistance(a: number, b: number, dtype: Dtype): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Number.POSITIVE_INFINITY;
  if (a === b) return 0;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return Number.POSITIVE_INFINITY;
  const d = ordinal(a, dtype) - ordinal(b, dtype);
  return Number(d < 0n ? -d : d);
}

/** Bit-for-bit equality as NumPy's `array_equal` on the bit patterns would see it, NaN payloads aside. */
export function sameBits(a: number, b: number): boolean {
  return Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));
}

/** The first index of `b` whose value differs from `a`'s in its bits ({@link sameBits}: -0 is not 0), or -1. */
export function firstDifferentBits(a: ArrayLike<number>, b: ArrayLike<number>): number {
  for (let i = 0; i < b.length; i++) if (!sameBits(a[i]!, b[i]!)) return i;
  return -1;
}
