// What src/kernels/ offers the rest of src/: the WebAssembly SIMD loops of the rules and the policy that picks them.
export { adagradSimd } from './adagrad-simd.js';
export { adamSimd } from './adam-simd.js';
export { simdFor } from './kernel-policy.js';
export { momentumSimd } from './momentum-simd.js';
export { nesterovSimd } from './nesterov-simd.js';
export { rmspropSimd } from './rmsprop-simd.js';
export { sgdSimd } from './sgd-simd.js';
export type { SimdKernel } from './simd-kernel.js';
