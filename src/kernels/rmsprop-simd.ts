import { adaptiveStepSimd } from './adaptive-step-simd.js';
import { add, defineSimdKernel, mul, type SimdKernel, sub } from './simd-kernel.js';

/** The scalars of src/optimizers/rmsprop.ts's element loop. */
export type RmspropScalar = 'decay' | 'oneMinusDecay' | 'eps' | 'lr';

/** src/optimizers/rmsprop.ts's element loop as a SIMD kernel, in the same variant (`epsilon-inside-sqrt`). */
export function rmspropSimd(inside: boolean): SimdKernel<RmspropScalar> {
  return defineSimdKernel(
    `rmsprop epsilon-inside-sqrt=${inside}`,
    ['grad_squared'],
    ['decay', 'oneMinusDecay', 'eps', 'lr'],
    (k) => {
      const g = k.load('dx');
      const acc = k.store(
        'grad_squared',
        add(mul(k.scalar('decay'), k.load('grad_squared')), mul(mul(k.scalar('oneMinusDecay'), g), g)),
      );
      k.store('x', sub(k.load('x'), adaptiveStepSimd(mul(k.scalar('lr'), g), acc, k.scalar('eps'), inside)));
    },
  );
}
