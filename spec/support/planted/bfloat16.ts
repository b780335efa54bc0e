import type { AdamConfig } from '../../../src/reference/types.js';
import { bf16round } from '../../../src/numerics/index.js';
import { kernelAdapter } from '../kernel-adapter.js';

/**
 * A hand-written bfloat16 Adam, docs/spec.md D10: every operation rounded to bfloat16,
 * `1 - beta` and `1 - beta ** t` Python floats rounded once, the bias corrections split
 * as PyTorch does (`(lr / c1) m / (sqrt(v) / sqrt(c2) + eps)`), an order the NumPy
 * reference does not use. With `counterLimit`, its step counter is held in bfloat16 and
 * stops there (torchao's bug, `step-counter-saturates`).
 */
export function bfloat16Adam(options: { name: string; frozenCounter?: boolean }) {
  return kernelAdapter({
    name: options.name,
    dtype: 'bfloat16',
    optimizers: {
      adam: (config, n, r) => {
        const c = config as AdamConfig;
        const m = new Float64Array(n);
        const v = new Float64Array(n);
        const [b1, b2, k1, k2, eps] = [r(c.beta1), r(c.beta2), r(1 - c.beta1), r(1 - c.beta2), r(c.epsilon)];
        let t = 0;
        return (x, g, lr) => {
          t = options.frozenCounter === true ? bf16round(t + 1) : t + 1;
          const c1 = r(1 - c.beta1 ** t);
          const root2 = r(Math.sqrt(r(1 - c.beta2 ** t)));
          const rate = r(r(lr) / c1);
          for (let i = 0; i < x.length; i++) {
            const gi = r(g[i]!);
            m[i] = r(r(b1 * m[i]!) + r(k1 * gi));
            v[i] = r(r(b2 * v[i]!) + r(r(k2 * gi) * gi));
            x[i] = r(x[i]! - r(r(rate * m[i]!) / r(r(r(Math.sqrt(v[i]!)) / root2) + eps)));
          }
        };
      },
    },
  });
}
