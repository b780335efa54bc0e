import type { Dtype } from './types.js';

/**
 * The ULP distance the reference may be from a golden fixture, per subject and
 * dtype; 0 (and the sign of zero exact) unless listed. Shared by the golden tests and
 * `optimspec fixtures verify`. Only `**` and `exp` may earn an entry: they are not
 * correctly rounded in JavaScript or in glibc, so the two can differ by an ULP.
 */
export const GOLDEN_ULP_BOUNDS: Readonly<Record<string, Partial<Record<Dtype, number>>>> = {
  // Measured over t = 0..1000 of every table: the reference's `factor ** n` and `exp` are
  // correctly rounded (src/correctly-rounded.ts), glibc's pow/exp behind the NumPy generator
  // miss by 1 ULP on about 0.2% of t, and the one multiplication by alpha0 after them is
  // correctly rounded, so the table values differ by at most 1 ULP.
  'schedule:step': { float64: 1 },
  'schedule:exponential': { float64: 1 },
};

/** The bound for a subject (`adam`, `adam+no-bias-correction`, `schedule:step`, ...) in a dtype. */
export function goldenUlpBound(subject: string, dtype: Dtype): number {
  return GOLDEN_ULP_BOUNDS[subject]?.[dtype] ?? 0;
}
