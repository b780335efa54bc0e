import { adaptiveStepSimd } from './adaptive-step-simd.js';
import { add, defineSimdKernel, mul, type SimdKernel, sub } from './simd-kernel.js';

/** The scalars of src/optimizers/adagrad.ts's element loop. */
export type AdagradScalar = 'eps' | 'lr';

/** src/optimizers/adagrad.ts's element loop as a SIMD kernel, in the same variant (`epsilon-inside-sqrt`). */
export function adagradSimd(inside: boolean): SimdKernel<AdagradScalar> {
  return defineSimdKernel(`adagrad epsilon-inside-sqrt=${inside}`, ['grad_squared'], ['eps', 'lr'], (k) => {
    const g = k.load('dx');
    const acc = k.store('grad_squared', add(k.load('grad_squared'), mul(g, g)));
    k.store('x', sub(k.load('x'), adaptiveStepSimd(mul(k.scalar('lr'), g), acc, k.scalar('eps'), inside)));
  });
}
