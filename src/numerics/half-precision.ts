/**
 * Rounding a double to float16 (IEEE 754 binary16: 11 significand bits, exponents -14 to 15)
 * and to bfloat16 (8 significand bits, float32's exponents -126 to 127), to nearest with
 * ties to even, as `Math.fround` does for float32: Node 20 has no `Math.f16round`, and no
 * engine has a bfloat16 one. Subnormals are kept, overflow gives an infinity of the sign,
 * NaN stays NaN and -0 stays -0. The values live in doubles (every float16 and bfloat16
 * value is a double), so the reference's arrays of these dtypes are Float64Arrays.
 *
 * Why rounding the double result of an operation is the correctly rounded result: the
 * reference computes `a op b` of two dtype values in double (53 bits) and rounds that to the
 * dtype (p = 11 or 8 bits). Rounding twice equals rounding once for `+ - * /` and `sqrt`
 * whenever the intermediate precision q satisfies q >= 2p + 2 (Figueroa, "When is double
 * rounding innocuous?", ACM SIGNUM Newsletter 30(3), 1995; proved with underflow in Coq by
 * Roux, "Innocuous double rounding of basic arithmetic operations", J. Formalized Reasoning
 * 7(1), 2014): 53 >= 24 and 53 >= 18, and double's exponent range holds both dtypes' with
 * 53 bits to spare, subnormals included. The same theorem covers the makers of the
 * fixtures: NumPy's float16 ufuncs compute in float32 (q = 24 = 2 * 11 + 2, and float16's
 * range is inside float32's normal range), and bfloat16 as float32 arithmetic rounded to
 * 8 bits (q = 24 >= 18). Where a bfloat16 result is subnormal, float32's grid there is
 * still 2^16 times finer than bfloat16's (the two share their exponent range), which is
 * what the theorem's argument needs; a sum of bfloat16 values in that range is exact. It does not
 * cover rounding an arbitrary double to float32 and then to bfloat16 (a hyperparameter):
 * that can differ from rounding it once, so hyperparameters are rounded from the double.
 */

const f64 = new Float64Array(1);
const f32 = new Float32Array(1);
const u32f = new Uint32Array(f32.buffer);
const u32 = new Uint32Array(f64.buffer);
/** Index of the 32 high bits of a double in {@link u32}: 1 on little-endian engines. */
const HIGH = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

/** 2^52: adding and subtracting it rounds a double in [0, 2^52) to an integer, ties to even. */
const TWO_52 = 2 ** 52;

/** The largest finite float16, (2 - 2^-10) * 2^15. */
export const FLOAT16_MAX = 65504;
/** The largest finite bfloat16, (2 - 2^-7) * 2^127. */
export const BFLOAT16_MAX = (2 - 2 ** -7) * 2 ** 127;
/** Where bfloat16 overflows: the midpoint of {@link BFLOAT16_MAX} and 2^128, which rounds up (ties to even). */
const BFLOAT16_OVERFLOW = (2 - 2 ** -8) * 2 ** 127;

/** 2^(k - 150) at index k, for exponents -150 to 150: exact, looked up rather than computed per call. */
const POW2 = Array.from({ length: 301 }, (_, i) => 2 ** (i - 150));

/** The unbiased binary exponent of a finite nonzero |x| (-1023 for a subnormal double, whose dtype quantum it does not need). */
function exponentOf(x: number): number {
  f64[0] = x;
  return ((u32[HIGH]! >>> 20) & 0x7ff) - 1023;
}

/**
 * Rounds |x| to a multiple of 2^quantum, ties to even: |x| * 2^-quantum is exact (a power-of-two
 * scaling that stays normal) and below 2^12, and adding 2^52 rounds it to an integer.
 */
function roundMagnitude(magnitude: number, quantum: number): number {
  const scaled = magnitude * POW2[150 - quantum]!;
  return (scaled + TWO_52 - TWO_52) * POW2[150 + quantum]!;
}

/**
 * The float16 nearest to `x`, ties to even (NumPy's `np.float16(x)`, and `Math.f16round`
 * where the engine has it). |x| >= 65520, the midpoint of 65504 and 2^16, overflows to an
 * infinity (65504's last significand bit is odd, so the tie goes up).
 */
export function f16round(x: number): number {
  if (Number.isNaN(x) || x === 0) return x; // +0 and -0 keep their sign
  const magnitude = x < 0 ? -x : x;
  if (magnitude >= 65520) return x < 0 ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  const e = exponentOf(magnitude);
  // The spacing of float16 values near |x|: 2^(e - 10) for normals, 2^-24 below 2^-14.
  const rounded = roundMagnitude(magnitude, Math.max(e, -14) - 10);
  return x < 0 ? -rounded : rounded;
}

/**
 * The bfloat16 nearest to `x`, ties to even, rounded once from the double. |x| >=
 * (2 - 2^-8) * 2^127, the midpoint of the largest bfloat16 and 2^128, overflows to an infinity.
 */
export function bf16round(x: number): number {
  if (Number.isNaN(x) || x === 0) return x;
  const magnitude = x < 0 ? -x : x;
  if (magnitude >= BFLOAT16_OVERFLOW) return x < 0 ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  const e = exponentOf(magnitude);
  // The spacing of bfloat16 values near |x|: 2^(e - 7) for normals, 2^-133 below 2^-126.
  const rounded = roundMagnitude(magnitude, Math.max(e, -126) - 7);
  return x < 0 ? -rounded : rounded;
}

/**
 * The 16-bit pattern of a float16 value (sign, 5 exponent bits, 10 fraction bits); NaN gives
 * the quiet NaN 0x7e00. `value` must already be a float16 value ({@link f16round}).
 */
export function float16Bits(value: number): number {
  if (Number.isNaN(value)) return 0x7e00;
  const sign = value < 0 || Object.is(value, -0) ? 0x8000 : 0;
  const magnitude = Math.abs(value);
  if (magnitude === Number.POSITIVE_INFINITY) return sign | 0x7c00;
  if (magnitude < 2 ** -14) return sign | (magnitude * 2 ** 24);
  const e = exponentOf(magnitude);
  return sign | ((e + 15) << 10) | ((magnitude * POW2[150 - e]! - 1) * 1024);
}

/** The 16-bit pattern of a bfloat16 value: the high half of its float32 pattern (NaN gives 0x7fc0). */
export function bfloat16Bits(value: number): number {
  if (Number.isNaN(value)) return 0x7fc0;
  f32[0] = value;
  return u32f[0]! >>> 16;
}
