/**
 * A slow, independent float16 / bfloat16 rounding for the tests: the value of each 16-bit
 * pattern from its fields by the textbook formula, a binary search for the two neighbours of
 * `x`, and the midpoint comparison in exact BigInt arithmetic (every double is an integer
 * multiple of 2^-1074). It shares nothing with src/numerics/half-precision.ts.
 */
/** A 16-bit binary format: its field widths and its largest finite pattern. */
export interface HalfFormat {
  readonly name: 'float16' | 'bfloat16';
  readonly exponentBits: number;
  readonly fractionBits: number;
  /** The largest finite pattern (positive). */
  readonly maxPattern: number;
}

/** IEEE 754 binary16. */
export const FLOAT16: HalfFormat = { name: 'float16', exponentBits: 5, fractionBits: 10, maxPattern: 0x7bff };
/** bfloat16: float32's sign and exponent, 7 fraction bits. */
export const BFLOAT16: HalfFormat = { name: 'bfloat16', exponentBits: 8, fractionBits: 7, maxPattern: 0x7f7f };

/** The value of a 16-bit pattern: sign, biased exponent, fraction, as IEEE 754 defines them. */
export function decode(format: HalfFormat, pattern: number): number {
  const { exponentBits, fractionBits } = format;
  const bias = 2 ** (exponentBits - 1) - 1;
  const sign = pattern & 0x8000 ? -1 : 1;
  const biased = (pattern >> fractionBits) & (2 ** exponentBits - 1);
  const fraction = pattern & (2 ** fractionBits - 1);
  if (biased === 2 ** exponentBits - 1) return fraction === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  if (biased === 0) return sign * fraction * 2 ** (1 - bias - fractionBits);
  return sign * 2 ** (biased - bias) * (1 + fraction / 2 ** fractionBits);
}

/** The value just past the largest finite one, where the next pattern (the infinity) would sit: 2^16, 2^128. */
export function beyondLargest(format: HalfFormat): number {
  return 2 ** (2 ** (format.exponentBits - 1));
}

const view = new DataView(new ArrayBuffer(8));

/** |x| * 2^1074 as an exact integer, for a finite double. */
function scaled(x: number): bigint {
  view.setFloat64(0, Math.abs(x));
  const bits = view.getBigUint64(0);
  const biased = Number(bits >> 52n);
  const fraction = bits & 0xfffffffffffffn;
  return biased === 0 ? fraction : (fraction | (1n << 52n)) << BigInt(biased - 1);
}

/** `x` rounded to the format, to nearest, ties to the even pattern; overflow to an infinity. */
export function slowRound(format: HalfFormat, x: number): number {
  if (Number.isNaN(x) || x === 0 || !Number.isFinite(x)) return x;
  const magnitude = Math.abs(x);
  let lo = 0;
  let hi = format.maxPattern;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (decode(format, mid) <= magnitude) lo = mid;
    else hi = mid - 1;
  }
  const below = decode(format, lo);
  let result: number;
  if (below === magnitude) result = below;
  else {
    const above = lo === format.maxPattern ? beyondLargest(format) : decode(format, lo + 1);
    const twice = 2n * scaled(magnitude);
    const sum = scaled(below) + scaled(above);
    const up = twice > sum || (twice === sum && lo % 2 === 1);
    result = up ? (lo === format.maxPattern ? Number.POSITIVE_INFINITY : above) : below;
  }
  return x < 0 ? -result : result;
}

const f64 = new Float64Array(1);
const words = new Uint32Array(f64.buffer);
const LOW = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1;

/** The next double away from zero (`away`) or toward it, for a finite nonzero double: its magnitude's bits plus or minus 1. */
export function nextDouble(x: number, away: boolean): number {
  f64[0] = x;
  const low = words[LOW]!;
  if (away) {
    words[LOW] = low + 1;
    if (low === 0xffffffff) words[1 - LOW]!++;
  } else {
    words[LOW] = low - 1;
    if (low === 0) words[1 - LOW]!--;
  }
  return f64[0]!;
}
