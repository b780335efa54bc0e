import { add, defineSimdKernel, mul, type SimdKernel, sub } from './simd-kernel.js';

/** The scalars of src/optimizers/momentum.ts's element loop. */
export type MomentumScalar = 'rho' | 'oneMinusRho' | 'lr';

/**
 * src/optimizers/momentum.ts's element loop as a SIMD kernel, in the same variant:
 * `dampened-momentum` and `lr-placement` (state `v` instead of `vx`).
 */
export function momentumSimd(dampened: boolean, lrInside: boolean): SimdKernel<MomentumScalar> {
  const velocity = lrInside ? 'v' : 'vx';
  return defineSimdKernel(
    `momentum dampened=${dampened} lr-placement=${lrInside}`,
    [velocity],
    ['rho', 'oneMinusRho', 'lr'],
    (k) => {
      const g = k.load('dx');
      const push = dampened ? mul(k.scalar('oneMinusRho'), g) : g;
      if (lrInside) {
        const v = k.store(velocity, sub(mul(k.scalar('rho'), k.load(velocity)), mul(k.scalar('lr'), push)));
        k.store('x', add(k.load('x'), v));
      } else {
        const vx = k.store(velocity, add(mul(k.scalar('rho'), k.load(velocity)), push));
        k.store('x', sub(k.load('x'), mul(k.scalar('lr'), vx)));
      }
    },
  );
}
