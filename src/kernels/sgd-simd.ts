import { defineSimdKernel, mul, type SimdKernel, sub } from './simd-kernel.js';

/** src/optimizers/sgd.ts's element loop as a SIMD kernel: `x -= learning_rate * dx`. */
export const sgdSimd: SimdKernel<'lr'> = defineSimdKernel('sgd', [], ['lr'], (k) => {
  const g = k.load('dx');
  k.store('x', sub(k.load('x'), mul(k.scalar('lr'), g)));
});
