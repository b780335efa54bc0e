import { f16round } from '../numerics/index.js';
import type { OptimizerConfig } from '../reference/index.js';

/**
 * A lost epsilon: an implementation that holds epsilon in float16 (a shader reading it from a
 * float16 texture, as TF.js's WebGL backend does on devices without float32 textures), where 1e-8
 * rounds to 0 (float16's smallest subnormal is 2^-24, 6e-8). The first step from a zero state with
 * a zero gradient is then 0 / 0 = NaN, and a step with a tiny gradient is lr sign(g) instead of
 * lr g / (|g| + eps). No id of docs/conventions.md names it: the failing findings' messages do
 * (src/conformance/lost-epsilon.ts).
 */
export function heldEpsilon(epsilon: number): number {
  return f16round(epsilon);
}

/** `config` with its epsilon as float16 holds it; a config without epsilon as it is. */
export function withHeldEpsilon<C extends OptimizerConfig>(config: C): C {
  return 'epsilon' in config ? { ...config, epsilon: heldEpsilon(config.epsilon) } : config;
}
