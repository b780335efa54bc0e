import { add, div, type SimdExpr, sqrt } from './simd-kernel.js';

/**
 * src/optimizers/adaptive-step.ts as a SIMD expression: `numerator / (np.sqrt(acc) + eps)`,
 * or with `epsilon-inside-sqrt`, `numerator / np.sqrt(acc + eps)`, in the same order.
 */
export function adaptiveStepSimd(numerator: SimdExpr, acc: SimdExpr, eps: SimdExpr, inside: boolean): SimdExpr {
  return inside ? div(numerator, sqrt(add(acc, eps))) : div(numerator, add(sqrt(acc), eps));
}
