import { adaptiveStepSimd } from './adaptive-step-simd.js';
import { add, defineSimdKernel, div, mul, type SimdKernel, sub } from './simd-kernel.js';

/** The scalars of src/optimizers/adam.ts's element loop. */
export type AdamScalar = 'beta1' | 'oneMinusBeta1' | 'beta2' | 'oneMinusBeta2' | 'eps' | 'lr' | 'bias1' | 'bias2';

/**
 * src/optimizers/adam.ts's element loop as a SIMD kernel, in the same variant:
 * `epsilon-inside-sqrt`, and bias correction on or off (`no-bias-correction`, and
 * `epsilon-hat`, whose correction is folded into `lr` by `prepare`).
 */
export function adamSimd(inside: boolean, corrected: boolean): SimdKernel<AdamScalar> {
  const scalars: AdamScalar[] = [
    'beta1',
    'oneMinusBeta1',
    'beta2',
    'oneMinusBeta2',
    'eps',
    'lr',
    ...(corrected ? (['bias1', 'bias2'] as const) : []),
  ];
  return defineSimdKernel(
    `adam epsilon-inside-sqrt=${inside} corrected=${corrected}`,
    ['first_moment', 'second_moment'],
    scalars,
    (k) => {
      const g = k.load('dx');
      const m = k.store(
        'first_moment',
        add(mul(k.scalar('beta1'), k.load('first_moment')), mul(k.scalar('oneMinusBeta1'), g)),
      );
      const v = k.store(
        'second_moment',
        add(mul(k.scalar('beta2'), k.load('second_moment')), mul(mul(k.scalar('oneMinusBeta2'), g), g)),
      );
      const mHat = corrected ? div(m, k.scalar('bias1')) : m;
      const vHat = corrected ? div(v, k.scalar('bias2')) : v;
      k.store('x', sub(k.load('x'), adaptiveStepSimd(mul(k.scalar('lr'), mHat), vHat, k.scalar('eps'), inside)));
    },
  );
}
