import { add, defineSimdKernel, mul, type SimdKernel, sub } from './simd-kernel.js';

/** The scalars of src/optimizers/nesterov.ts's element loop. */
export type NesterovScalar = 'rho' | 'minusRho' | 'onePlusRho' | 'lr';

/** src/optimizers/nesterov.ts's element loop as a SIMD kernel, in the same variant (`lr-placement`: state `b`). */
export function nesterovSimd(lrOutside: boolean): SimdKernel<NesterovScalar> {
  const velocity = lrOutside ? 'b' : 'v';
  return defineSimdKernel(
    `nesterov lr-placement=${lrOutside}`,
    [velocity],
    ['rho', 'minusRho', 'onePlusRho', 'lr'],
    (k) => {
      const g = k.load('dx');
      if (lrOutside) {
        const b = k.store(velocity, add(mul(k.scalar('rho'), k.load(velocity)), g));
        k.store('x', sub(k.load('x'), mul(k.scalar('lr'), add(g, mul(k.scalar('rho'), b)))));
      } else {
        const oldV = k.let(k.load(velocity));
        const v = k.store(velocity, sub(mul(k.scalar('rho'), oldV), mul(k.scalar('lr'), g)));
        k.store('x', add(k.load('x'), add(mul(k.scalar('minusRho'), oldV), mul(k.scalar('onePlusRho'), v))));
      }
    },
  );
}
