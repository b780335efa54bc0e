import type { Dtype } from '../reference/index.js';
import { createSimdInstance, type SimdInstance, simdUnavailable } from './simd-instance.js';
import type { SimdKernel } from './simd-kernel.js';

/**
 * Which element loop a new reference optimizer runs: `auto` (the SIMD kernel from
 * {@link SIMD_MIN_SIZE} elements on, where it is faster, else the TypeScript rule),
 * `typescript` (always the readable rule), or `simd` (always the kernel; creating an
 * optimizer throws where it cannot run). The two agree bit for bit (spec/kernels.spec.ts);
 * the setting exists so that tests and the bench can compare them.
 */
export type KernelPolicy = 'auto' | 'typescript' | 'simd';

/**
 * The vector length from which `auto` uses the SIMD kernel. Measured with
 * `npm run bench -- --crossover` (2 shared cores, under load): the kernel's fixed cost
 * per step (copying `x` and `dx` in and `x` out, the call) is repaid from 64 to 256
 * elements on, depending on rule and dtype; from 1024 it was at least 1.7x faster in
 * every case measured. Below that a wasm memory per optimizer is not worth it, and the
 * checker's and the golden fixtures' small vectors keep exercising the TypeScript rules.
 */
export const SIMD_MIN_SIZE = 1024;

let current: KernelPolicy = 'auto';

/** Runs `fn` with optimizers created under `policy`, then restores the previous one (also on a throw). */
export function withKernelPolicy<T>(policy: KernelPolicy, fn: () => T): T {
  if (policy !== 'auto' && policy !== 'typescript' && policy !== 'simd') {
    throw new TypeError(`policy must be 'auto', 'typescript' or 'simd', got ${JSON.stringify(policy)}`);
  }
  const previous = current;
  current = policy;
  try {
    return fn();
  } finally {
    current = previous;
  }
}

/** The SIMD kernel a new optimizer of `size` elements runs under the current policy, or undefined for the TypeScript loop. */
export function simdFor(kernel: SimdKernel, dtype: Dtype, size: number): SimdInstance | undefined {
  if (current === 'simd') return createSimdInstance(kernel, dtype, size);
  if (current === 'typescript' || size < SIMD_MIN_SIZE || simdUnavailable(kernel, dtype, size) !== undefined)
    return undefined;
  try {
    return createSimdInstance(kernel, dtype, size);
  } catch {
    // The engine could not reserve another wasm memory: the TypeScript loop gives the same bits.
    return undefined;
  }
}
