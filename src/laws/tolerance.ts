import {
  ARITHMETIC_TABLES,
  type Arithmetic,
  dtypeLimits,
  FLOAT32_SMALLEST_NORMAL,
  rounderFor,
  sameBits,
  ulpDistance,
  worstRoundoffs,
} from '../numerics/index.js';
import type { Dtype } from '../reference/index.js';
import { LawViolation } from './law.js';

/**
 * Unit roundoff of the dtype, 2^-p: 2^-11 (float16), 2^-8 (bfloat16), 2^-24 (float32), 2^-53 (float64), the
 * relative error of one rounding. On a shader's declared `arithmetic` (src/numerics/arithmetic.ts) one
 * operation may be off by more (sqrt by 9.001u): the laws whose rules divide or take a root use u scaled
 * by that worst operation, which keeps their bounds (each grows monotonically with u) rigorous.
 */
export function unitRoundoff(dtype: Dtype, arithmetic: Arithmetic = 'ieee754'): number {
  return 2 ** -dtypeLimits(dtype).bits * worstRoundoffs(arithmetic);
}

/** The unit roundoff of double precision, for the laws' own final rounding of a double-double value. */
export const U64 = 2 ** -53;

/**
 * The absolute error one rounding can add when its result underflows (relative bounds
 * do not hold there): half the smallest subnormal (2^-25 for float16, 2^-134 for
 * bfloat16, 2^-150 for float32); for float64 the smallest subnormal 2^-1074 itself,
 * since its half is not a double; scaled like {@link unitRoundoff} on a shader's arithmetic, and the
 * smallest normal float32 (2^-126) where that arithmetic may flush subnormals to 0.
 */
export function underflow(dtype: Dtype, arithmetic: Arithmetic = 'ieee754'): number {
  if (ARITHMETIC_TABLES[arithmetic].subnormals.flushed) return FLOAT32_SMALLEST_NORMAL;
  return (dtype === 'float64' ? Number.MIN_VALUE : dtypeLimits(dtype).tiny / 2) * worstRoundoffs(arithmetic);
}

/**
 * What an exact law expects of a value the implementation should return unchanged: `expected`, or
 * `actual` where that is a zero and `expected` a subnormal that the declared arithmetic may flush
 * to 0 (GLSL ES 3.00 4.5.1, WGSL: src/numerics/arithmetic.ts).
 */
export function heldExactly(expected: number, actual: number, arithmetic: Arithmetic | undefined): number {
  const flushes = ARITHMETIC_TABLES[arithmetic ?? 'ieee754'].subnormals.flushed;
  return flushes && actual === 0 && Math.abs(expected) < FLOAT32_SMALLEST_NORMAL ? actual : expected;
}

/**
 * Covers the second-order terms of every bound below: `(1 + u)^n - 1 <= n u (1 + n u)`
 * and the laws keep `n u <= 1e-2`, so first-order bounds times 1.01 are rigorous.
 */
export const SLACK = 1.01;

/** Where in a run a comparison is made. */
export interface At {
  step?: number;
  coordinate?: number;
}

/** Rounds a double to the dtype for ULP reporting. */
function asDtype(value: number, dtype: Dtype): number {
  return rounderFor(dtype)(value);
}

function detail(actual: number, expected: number, dtype: Dtype, at: At, tolerance?: string) {
  const relativeError = expected === 0 ? Math.abs(actual) : Math.abs(actual - expected) / Math.abs(expected);
  return {
    ...at,
    expected,
    actual,
    relativeError,
    ulp: ulpDistance(asDtype(actual, dtype), asDtype(expected, dtype), dtype),
    ...(tolerance === undefined ? {} : { tolerance }),
  };
}

function where(at: At): string {
  const parts = [];
  if (at.step !== undefined) parts.push(`step ${at.step}`);
  if (at.coordinate !== undefined) parts.push(`coordinate ${at.coordinate}`);
  return parts.length ? ` at ${parts.join(', ')}` : '';
}

/** Throws unless `actual` and `expected` have the same bits (NaN payloads aside): for laws exact in IEEE-754. */
export function requireSameBits(what: string, actual: number, expected: number, dtype: Dtype, at: At = {}): void {
  if (!sameBits(actual, expected)) {
    throw new LawViolation(
      `${what}${where(at)}: expected ${show(expected)} bit for bit, got ${show(actual)}`,
      detail(actual, expected, dtype, at, 'bit-exact'),
    );
  }
}

/**
 * Throws unless `actual === expected` or both are NaN: bit-exact except that +0 and -0
 * are identified, for laws where a correct implementation may produce either zero.
 */
export function requireSameValue(what: string, actual: number, expected: number, dtype: Dtype, at: At = {}): void {
  if (!(actual === expected || (Number.isNaN(actual) && Number.isNaN(expected)))) {
    throw new LawViolation(
      `${what}${where(at)}: expected ${show(expected)} exactly (+0 and -0 identified), got ${show(actual)}`,
      detail(actual, expected, dtype, at, 'exact, signed zeros identified'),
    );
  }
}

/**
 * Throws unless `|actual - expected| <= bound`; `derivation` says where the bound comes
 * from and is reported with the violation. NaN never passes unless both are NaN.
 */
export function requireWithin(
  what: string,
  actual: number,
  expected: number,
  bound: number,
  derivation: string,
  dtype: Dtype,
  at: At = {},
): void {
  if (Number.isNaN(actual) && Number.isNaN(expected)) return;
  if (actual === expected) return;
  if (Math.abs(actual - expected) <= bound) return;
  const tolerance = `${bound.toExponential(3)} = ${derivation}`;
  throw new LawViolation(
    `${what}${where(at)}: expected ${show(expected)} within ${bound.toExponential(3)}, got ${show(actual)} (off by ${Math.abs(actual - expected).toExponential(3)})`,
    detail(actual, expected, dtype, at, tolerance),
  );
}

/**
 * Whether `actual` is nearer `predicted` (what a named convention or bug computes)
 * than `expected` (the spec's value) by more than `margin`, the rounding bound within
 * which the two cannot be told apart. A message names a convention or bug only then:
 * where the two predictions coincide (both betas 0 make "Adam (almost)" the spec's
 * Adam), a value off by rounding is nearer neither.
 */
export function nearerPrediction(actual: number, predicted: number, expected: number, margin: number): boolean {
  return Math.abs(actual - expected) - Math.abs(actual - predicted) > margin;
}

/** A number as a law message shows it: -0 and NaN visible. */
function show(value: number): string {
  return Object.is(value, -0) ? '-0' : String(value);
}
