import type { Adapter } from '../../../src/adapter/contract.js';
import { type Arithmetic, f16round } from '../../../src/numerics/index.js';
import type { AdagradConfig, AdamConfig, RmspropConfig } from '../../../src/reference/types.js';
import { kernelAdapter } from '../kernel-adapter.js';

const word = new Float32Array(1);
const bits = new Int32Array(word.buffer);

/** The float32 value `k` ULPs further from 0 than the float32 `v` (nearer 0 for negative `k`); 0 stays 0. */
export function ulpsAway(v: number, k: number): number {
  if (v === 0 || !Number.isFinite(v)) return v;
  word[0] = v;
  bits[0]! += k;
  return word[0]!;
}

/**
 * A float32 implementation on the worst arithmetic GLSL ES 3.00 highp allows for it, in the
 * direction that makes each step larger: every `a / b` is the correctly rounded quotient moved 2
 * ULP (within the 2.5 ULP of the division row), `sqrt` is `1.0 / inversesqrt(a)` (the sqrt row)
 * with inversesqrt moved 1 ULP from its rounded value (within 2 ULP) and that division moved 2
 * ULP down; `+ - *` correctly rounded. `lostEpsilon`: eps is read from a float16 texture, so
 * 1e-8 rounds to 0 and 1e-7 to 2^-24 (TF.js issue 425), the rest unchanged.
 */
export function shaderAdapter(options: { name: string; arithmetic?: Arithmetic; lostEpsilon?: boolean }): Adapter {
  const f = Math.fround;
  /** A quotient `k` ULPs larger in magnitude than the correctly rounded one. */
  const div = (a: number, b: number, k: number): number => ulpsAway(f(a / b), k);
  const sqrt = (a: number): number => (a === 0 ? 0 : div(1, ulpsAway(f(1 / Math.sqrt(a)), 1), -2));
  /** eps as a float16 texture holds it (1e-8 is below half float16's smallest subnormal, 2^-25: 0). */
  const texture = (eps: number): number => (options.lostEpsilon === true ? f16round(eps) : f(eps));
  const adapter = kernelAdapter({
    name: options.name,
    dtype: 'float32',
    optimizers: {
      // No division, no epsilon: the same on every arithmetic.
      sgd: (_config, n) => (x, g, lr) => {
        for (let i = 0; i < n; i++) x[i] = f(x[i]! - f(f(lr) * f(g[i]!)));
      },
      adagrad: (config, n) => {
        const c = config as AdagradConfig;
        const acc = new Float64Array(n);
        const eps = texture(c.epsilon);
        return (x, g, lr) => {
          for (let i = 0; i < n; i++) {
            const gi = f(g[i]!);
            acc[i] = f(acc[i]! + f(gi * gi));
            x[i] = f(x[i]! - div(f(f(lr) * gi), f(sqrt(acc[i]!) + eps), 2));
          }
        };
      },
      rmsprop: (config, n) => {
        const c = config as RmspropConfig;
        const s = new Float64Array(n);
        const [d, k, eps] = [f(c.decayRate), f(1 - c.decayRate), texture(c.epsilon)];
        return (x, g, lr) => {
          for (let i = 0; i < n; i++) {
            const gi = f(g[i]!);
            s[i] = f(f(d * s[i]!) + f(f(k * gi) * gi));
            x[i] = f(x[i]! - div(f(f(lr) * gi), f(sqrt(s[i]!) + eps), 2));
          }
        };
      },
      adam: (config, n) => {
        const c = config as AdamConfig;
        const m = new Float64Array(n);
        const v = new Float64Array(n);
        const [b1, b2, k1, k2, eps] = [f(c.beta1), f(c.beta2), f(1 - c.beta1), f(1 - c.beta2), texture(c.epsilon)];
        let [p1, p2] = [1, 1];
        return (x, g, lr) => {
          // TF.js's accBeta: beta ** t by one float32 multiplication per step.
          p1 = f(p1 * b1);
          p2 = f(p2 * b2);
          const [c1, c2] = [f(1 - p1), f(1 - p2)];
          for (let i = 0; i < n; i++) {
            const gi = f(g[i]!);
            m[i] = f(f(b1 * m[i]!) + f(k1 * gi));
            v[i] = f(f(b2 * v[i]!) + f(f(k2 * gi) * gi));
            const step = div(f(f(lr) * div(m[i]!, c1, 2)), f(sqrt(div(v[i]!, c2, -2)) + eps), 2);
            x[i] = f(x[i]! - step);
          }
        };
      },
    },
  });
  return options.arithmetic === undefined ? adapter : { ...adapter, arithmetic: options.arithmetic };
}
