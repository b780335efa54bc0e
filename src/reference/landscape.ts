import { rounderFor } from '../numerics/index.js';
import type { Dtype, FloatVector } from './types.js';
import { describeValue } from './validate.js';

/**
 * The lecture's problem landscapes (docs/spec.md section 8), for closed-loop runs
 * (`dx = compute_gradient(x)`). Each gradient is written element-wise so that the
 * order of operations, and so every rounding, is defined:
 * - `taco-shell`, `saddle`: `f = sum(0.5 * c * x**2)`, `dx = c * x`
 *   (ill-conditioned when the curvatures differ a lot; a saddle when their signs differ);
 * - `local-minimum`: `f = sum(x**4 / 4 - x**2 / 2 + tilt * x)`, `dx = x * x * x - x + tilt`;
 * - `noisy`: `dx = c * x + noise[t]`, the noise a stored seeded sequence (one row per step).
 */
export type LandscapeSpec =
  | { name: 'taco-shell' | 'saddle'; curvature: number[] }
  | { name: 'local-minimum'; tilt: number }
  | { name: 'noisy'; curvature: number[]; noise: number[][] };

/** A landscape's gradient, in the dtype the parameters are in. */
export function landscapeGradient(
  spec: LandscapeSpec,
  x: ArrayLike<number>,
  step: number,
  out: FloatVector,
  dtype: Dtype,
): void {
  const r = rounderFor(dtype);
  switch (spec.name) {
    case 'taco-shell':
    case 'saddle':
      for (let i = 0; i < out.length; i++) out[i] = r(r(spec.curvature[i]!) * x[i]!);
      return;
    case 'local-minimum': {
      const tilt = r(spec.tilt);
      for (let i = 0; i < out.length; i++) {
        const xi = x[i]!;
        out[i] = r(r(r(r(xi * xi) * xi) - xi) + tilt);
      }
      return;
    }
    case 'noisy': {
      const noise = spec.noise[step];
      if (noise === undefined)
        throw new RangeError(`step must be below the noise length ${spec.noise.length}, got ${describeValue(step)}`);
      for (let i = 0; i < out.length; i++) out[i] = r(r(r(spec.curvature[i]!) * x[i]!) + r(noise[i]!));
      return;
    }
  }
}

/** The landscape's loss in float64 (the noise has zero mean and is left out). */
export function landscapeLoss(spec: LandscapeSpec, x: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < x.length; i++) {
    const xi = x[i]!;
    sum +=
      spec.name === 'local-minimum'
        ? (xi * xi * xi * xi) / 4 - (xi * xi) / 2 + spec.tilt * xi
        : 0.5 * spec.curvature[i]! * xi * xi;
  }
  return sum;
}
